"""The documents actions of the main window: letters, care plans, handouts, print.

The window owns one :class:`DocumentsController` (``window.documents``) and
calls its slots from the Documents menu, the toolbar, the step panel's
referral button and the timeline:

    self.documents = DocumentsController(self, clinic, self.ops)

The controller reads the window's current patient and episode through small
duck-typed lookups (``patient_view.patient`` / ``patient_view.episode`` /
``patient_view.timeline.current_entry()`` in SIJ Desk's window, or methods
``current_patient_id()`` / ``current_episode_id()``), so it does not depend on
the window's internals beyond those names.

Signals of :class:`DocumentsController`:
    documentCreated(object): a letter or care plan was recorded (GeneratedPdf).
"""

from __future__ import annotations

import contextlib
import logging

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from sijdesk.ui.clinic_settings_dialog import ClinicSettingsDialog, FirstRunPrompt
from sijdesk.ui.documents_dialog import (
    CarePlanDialog,
    LetterDialog,
    no_episode_message,
)
from sijdesk.ui.errors import Messages
from sijdesk.ui.handouts_window import HandoutsWindow
from sijdesk.ui.pdf_preview import PdfPreview, show_preview
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

CLINICAL = ("admin", "clinician")


class DocumentsController(QObject):
    """The documents actions of one main window."""

    documentCreated = Signal(object)

    def __init__(self, window: QMainWindow, clinic, ops: Operations | None = None):
        super().__init__(window)
        self.window = window
        self.clinic = clinic
        self.ops = ops if ops is not None else Operations(self)
        self.service = clinic.documents
        self.dialogs: list[QWidget] = []
        self.handouts_window: HandoutsWindow | None = None

    # -- what the window shows ------------------------------------------------------------------

    def _call(self, name: str):
        target = getattr(self.window, name, None)
        if callable(target):
            with contextlib.suppress(Exception):
                return target()
        return None

    def current_patient(self):
        view = getattr(self.window, "patient_view", None)
        if view is not None and getattr(view, "patient", None) is not None:
            return view.patient
        return None

    def current_patient_id(self) -> int | None:
        patient = self.current_patient()
        if patient is not None:
            return patient.id
        return self._call("current_patient_id")

    def current_episode_id(self) -> int | None:
        view = getattr(self.window, "patient_view", None)
        episode = getattr(view, "episode", None) if view is not None else None
        if episode is not None:
            return episode.id
        return self._call("current_episode_id")

    def current_document_id(self) -> int | None:
        """The timeline's selected entry when it is a generated document."""
        view = getattr(self.window, "patient_view", None)
        timeline = getattr(view, "timeline", None) if view is not None else None
        entry = None
        if timeline is not None and hasattr(timeline, "current_entry"):
            entry = timeline.current_entry()
        if entry is not None and entry.kind == "document":
            return entry.id
        return self._call("current_document_id")

    def _clinical(self) -> bool:
        return self.clinic.actor.has_any(frozenset(CLINICAL))

    def _keep(self, widget: QWidget) -> QWidget:
        widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialogs = [d for d in self.dialogs if _alive(d)]
        self.dialogs.append(widget)
        return widget

    def _after_document(self, made) -> None:
        self.documentCreated.emit(made)
        reload = getattr(getattr(self.window, "patient_view", None), "reload", None)
        if callable(reload):
            reload()
        bar = getattr(self.window, "statusBar", None)
        if callable(bar):
            bar().showMessage(f"Saved: {made.title}", 5000)

    # -- actions --------------------------------------------------------------------------------

    @Slot()
    @Slot(str)
    def write_letter(self, kind: str = "") -> LetterDialog | None:
        """Open the letter dialog for the current episode; ``kind`` preselects a letter."""
        if not self._clinical():
            Messages.info(
                self.window, "Referral letters", "Referral letters are written by clinicians."
            )
            return None
        episode_id = self.current_episode_id()
        if episode_id is None:
            no_episode_message(self.window)
            return None
        dialog = LetterDialog(
            self.clinic, episode_id, kind=kind or None, ops=self.ops, parent=self.window
        )
        dialog.documentCreated.connect(self._after_document)
        self._keep(dialog).show()
        return dialog

    @Slot()
    def make_care_plan(self) -> QWidget | None:
        """Clinicians make a care plan; reception prints the latest one a clinician made."""
        if not self._clinical():
            self.print_latest_care_plan()
            return None
        episode_id = self.current_episode_id()
        if episode_id is None:
            no_episode_message(self.window)
            return None
        dialog = CarePlanDialog(self.clinic, episode_id, ops=self.ops, parent=self.window)
        dialog.documentCreated.connect(self._after_document)
        self._keep(dialog).show()
        return dialog

    def print_latest_care_plan(self) -> None:
        patient_id = self.current_patient_id()
        if patient_id is None:
            Messages.info(self.window, "Care plan", "Find and open the patient first.")
            return None
        service = self.service
        self.ops.run(
            lambda: service.latest_care_plan(patient_id),
            on_success=self._show_recorded,
            context=self.window,
            label="latest care plan",
        )
        return None

    @Slot()
    def show_handouts(self) -> HandoutsWindow:
        """The handout window (no clinical record needed), with the open patient chosen."""
        if self.handouts_window is None or not _alive(self.handouts_window):
            self.handouts_window = HandoutsWindow(self.clinic, ops=self.ops, parent=self.window)
            self.handouts_window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        patient = self.current_patient()
        if patient is not None:
            self.handouts_window.set_patient(patient)
        self.handouts_window.show()
        self.handouts_window.raise_()
        self.handouts_window.activateWindow()
        return self.handouts_window

    @Slot()
    def edit_letterhead(self) -> ClinicSettingsDialog:
        dialog = ClinicSettingsDialog(self.clinic, ops=self.ops, parent=self.window)
        self._keep(dialog).show()
        return dialog

    @Slot()
    def print_current(self) -> None:
        """Ctrl+P: print the open preview, else the document selected on the timeline."""
        active = QApplication.activeWindow()
        if isinstance(active, PdfPreview):
            active.print_document()
            return
        for widget in reversed(self.dialogs):
            if _alive(widget) and isinstance(widget, PdfPreview) and widget.isVisible():
                widget.print_document()
                return
        event_id = self.current_document_id()
        if event_id is None:
            Messages.info(
                self.window,
                "Print",
                "Choose a letter, care plan or handout on the timeline (or open a preview) "
                "to print it.",
            )
            return
        self.open_document(event_id, then_print=True)

    def open_document(self, event_id: int, *, then_print: bool = False) -> None:
        """Reopen a recorded document (e.g. from the timeline) in the preview."""
        service = self.service

        def show(made) -> None:
            preview = self._show_recorded(made)
            if then_print:
                preview.print_document()

        self.ops.run(
            lambda: service.open_document(event_id),
            on_success=show,
            context=self.window,
            label="open document",
        )

    def _show_recorded(self, made) -> PdfPreview:
        service = self.service
        event_id = made.info.event_id if made.info else None
        preview = show_preview(
            made.pdf,
            made.title,
            file_name=made.file_name,
            parent=self.window,
            on_printed=(
                lambda _p: self.ops.run(lambda: service.record_print(event_id), label="print")
            )
            if event_id is not None
            else None,
            on_saved=lambda path: self.ops.run(
                lambda: service.record_save(made, path), label="record save"
            ),
        )
        self.dialogs.append(preview)
        return preview

    def offer_first_run(self) -> None:
        """Ask an administrator to set up the letterhead while it is empty."""
        if "admin" not in self.clinic.actor.roles:
            return

        def check(settings) -> None:
            if settings.is_empty and FirstRunPrompt.ask(self.window):
                self.edit_letterhead()

        self.ops.run(self.service.letterhead, on_success=check, context=self.window)


def _alive(widget) -> bool:
    import shiboken6

    return widget is not None and shiboken6.isValid(widget)
