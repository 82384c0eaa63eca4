"""The middle pane: the open patient (header and alerts), episodes, outcome chart, timeline.

The header always shows name, age, sex, date of birth and record number, and
a banner when a red flag or an override is on record. Every dialog opened
from here that writes to the record names the patient in its title.

Signals:
    patientLoaded(object): the PatientDetails now shown (None when cleared).
    episodeChanged(object): the EpisodeView chosen (None when there is none).
    recordChanged(): something was saved; dependants (the step panel) refresh.
    documentsAvailable(bool): the episode has generated documents (enables Print).
    openRecordNumber(str): open another patient by record number (from the duplicate warning).
    documentRequested(object): the user opened a generated document (a "document" entry).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAccessible, QAccessibleEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import PermissionDenied
from sijdesk.kinds import RECORDABLE_KINDS
from sijdesk.kinds.injection import InjectionRecord
from sijdesk.services import PatientDetails, TimelineEntry
from sijdesk.services.allergies import AllergyStatus
from sijdesk.services.contacts import ContactInfo
from sijdesk.services.pathway_service import Alert
from sijdesk.services.patients import age_on
from sijdesk.ui import icons
from sijdesk.ui.allergies_dialog import AllergiesDialog
from sijdesk.ui.describe import kind_label, word
from sijdesk.ui.errors import Messages
from sijdesk.ui.forms import (
    CloseEpisodeDialog,
    EpisodeDialog,
    EventDialog,
    OnsetDialog,
    RemoveEventDialog,
    event_dialog,
)
from sijdesk.ui.outcome_chart import OutcomeChart
from sijdesk.ui.patient_dialog import PatientDialog
from sijdesk.ui.timeline import EntryDialog, HistoryDialog, TimelinePane
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

ShownDialog = TypeVar("ShownDialog", bound=QDialog)


@dataclass(frozen=True)
class EpisodeRead:
    """What the patient's opening job read of the episode it will show."""

    episode_id: int
    timeline: tuple[dict[str, Any], list[TimelineEntry]]  # (the pane's query, entries)
    advice: tuple[object, str | None]  # (advice or the error reading it, allergy state)


def _episode_to_show(episodes: list[Any], episode_id: int | None):
    """The episode asked for when the patient has it, else the first (newest) one."""
    for episode in episodes:
        if episode.id == episode_id:
            return episode
    return episodes[0] if episodes else None


def patient_title(patient) -> str:
    """Name, date of birth and record number: the words that prevent wrong-patient errors."""
    return (
        f"{patient.family_name.upper()}, {patient.given_names} · DOB "
        f"{patient.date_of_birth.isoformat()} · Record {patient.record_number}"
    )


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def doctors_line(patient, gp: ContactInfo | None, referrer: ContactInfo | None) -> str:
    """ "GP: Dr Harriet Mensah, Riverside Medical Centre (phone) · Referred by: ..." """
    parts = []
    if gp is None:
        parts.append("GP: not recorded")
    else:
        parts.append(f"GP: {gp.display}" + (f" ({gp.phone})" if gp.phone else ""))
    if referrer is not None:
        parts.append(f"Referred by: {referrer.display}")
    elif patient.referring_practitioner:
        parts.append(f"Referred by: {patient.referring_practitioner}")
    return " · ".join(parts)


class PatientView(QWidget):
    patientLoaded = Signal(object)
    episodeChanged = Signal(object)
    recordChanged = Signal()
    documentsAvailable = Signal(bool)
    openRecordNumber = Signal(str)
    documentRequested = Signal(object)

    SPLITTER_KEY = "patient_view/splitter"

    def __init__(self, clinic, ops: Operations, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.ops = ops
        self.patient: PatientDetails | None = None
        self.episodes: list[Any] = []
        self.alerts: list[Alert] = []
        self.allergies: AllergyStatus | None = None
        self.doctors: tuple[ContactInfo | None, ContactInfo | None] = (None, None)
        self.clinical_access = True
        self.loading = False
        self.last_dialog: QDialog | None = None
        self.documents_handled = False  # set by the window that connects documentRequested
        self._generation = 0
        self._chart_generation = 0
        self._chart_episode: int | None = None  # the episode the chart shows
        self._thresholds: dict = {}
        self._episode_read: EpisodeRead | None = None  # read with the patient, not yet shown
        # (advice or its error, allergy state) while episodeChanged is emitted, if read
        self.advice_read: tuple[object, str | None] | None = None
        self.setObjectName("patientView")

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)

        # empty state
        self.empty = QLabel(
            "<p style='font-size:large'><b>No patient open</b></p>"
            "<p>Find a patient in the list on the left (Ctrl+F to search, arrow keys and "
            "Enter to open) or register a <b>New patient</b> (Ctrl+N).</p>"
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty)

        # the patient
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self._build_header(layout)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)

        episodes = QHBoxLayout()
        episode_label = QLabel("&Episode:")
        self.episode_combo = QComboBox()
        self.episode_combo.setAccessibleName("Episode of care")
        self.episode_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.episode_combo.setMinimumContentsLength(24)
        episode_label.setBuddy(self.episode_combo)
        self.new_episode_button = QPushButton(icons.action_icon("new_episode"), "New episode…")
        self.new_episode_button.setToolTip("Open a new episode of care (Ctrl+E)")
        self.close_episode_button = QPushButton(icons.action_icon("close"), "Close episode…")
        self.close_episode_button.setToolTip("Close the chosen episode, with a reason")
        episodes.addWidget(episode_label)
        episodes.addWidget(self.episode_combo, 1)
        episodes.addWidget(self.new_episode_button)
        episodes.addWidget(self.close_episode_button)
        layout.addLayout(episodes)

        self.no_episode = QWidget()
        no_layout = QHBoxLayout(self.no_episode)
        no_layout.setContentsMargins(0, 12, 0, 12)
        self.no_episode_label = QLabel("No episodes yet — open one with New episode (Ctrl+E).")
        self.no_episode_label.setWordWrap(True)
        no_layout.addWidget(self.no_episode_label, 1, Qt.AlignmentFlag.AlignTop)
        # Takes the room the timeline would, so the header above stays together.
        self.no_episode.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.no_episode.setVisible(False)
        layout.addWidget(self.no_episode)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(True)
        self.chart = OutcomeChart()
        self.timeline = TimelinePane(clinic, ops)
        self.splitter.addWidget(self.chart)
        self.splitter.addWidget(self.timeline)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout.addWidget(self.splitter, 1)
        self.stack.addWidget(page)
        self.page = page

        self.edit_button.clicked.connect(self.edit_patient)
        self.allergies_button.clicked.connect(self.edit_allergies)
        self.new_episode_button.clicked.connect(self.new_episode)
        self.close_episode_button.clicked.connect(self.close_episode)
        self.episode_combo.currentIndexChanged.connect(self._on_episode_chosen)
        self.timeline.openRequested.connect(self.open_entry)
        self.timeline.amendRequested.connect(self.amend)
        self.timeline.removeRequested.connect(self.remove)
        self.timeline.historyRequested.connect(self.history)
        self.timeline.loaded.connect(self._on_timeline_loaded)
        self.stack.setCurrentWidget(self.empty)

    # -- state ------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return patient_title(self.patient) if self.patient is not None else ""

    @property
    def episode(self):
        index = self.episode_combo.currentIndex()
        return self.episodes[index] if 0 <= index < len(self.episodes) else None

    def _build_header(self, layout: QVBoxLayout) -> None:
        """Name, facts, the alerts banner and the allergy banner."""
        header = QHBoxLayout()
        names = QVBoxLayout()
        self.name_label = QLabel()
        self.name_label.setTextFormat(Qt.TextFormat.RichText)
        self.name_label.setAccessibleName("Patient name")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts_label = QLabel()
        self.facts_label.setAccessibleName("Age, sex, date of birth and record number")
        self.facts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.doctors_label = QLabel()
        self.doctors_label.setAccessibleName("Family doctor and referrer")
        self.doctors_label.setWordWrap(True)
        self.doctors_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        names.addWidget(self.name_label)
        names.addWidget(self.facts_label)
        names.addWidget(self.doctors_label)
        header.addLayout(names, 1)
        self.edit_button = QPushButton("Details…")
        self.edit_button.setToolTip("See or correct the patient's demographics")
        header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(header)
        # The header keeps its height when the page below has little to show.
        for label in (self.name_label, self.facts_label, self.doctors_label):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

        self.banner = QLabel()
        self.banner.setObjectName("alertBanner")
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Alerts on record")
        self.banner.setVisible(False)
        layout.addWidget(self.banner)

        # Always shown for an open patient: "not recorded" is as important to see
        # as a list. Words and a frame, not colour alone, tell it from the alerts.
        self.allergy_banner = QLabel()
        self.allergy_banner.setObjectName("allergyBanner")
        self.allergy_banner.setTextFormat(Qt.TextFormat.RichText)
        self.allergy_banner.setWordWrap(True)
        self.allergy_banner.setAccessibleName("Allergies")
        for label in (self.banner, self.allergy_banner):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.allergies_button = QPushButton("Allergies…")
        self.allergies_button.setToolTip("Record, amend or confirm the patient's allergies")
        allergy_row = QHBoxLayout()
        allergy_row.addWidget(self.allergy_banner, 1)
        allergy_row.addWidget(self.allergies_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(allergy_row)

    def clear(self) -> None:
        self._generation += 1
        self.patient = None
        self.episodes = []
        self.stack.setCurrentWidget(self.empty)
        self.patientLoaded.emit(None)
        self.episodeChanged.emit(None)

    def load_patient(self, patient_id: int, *, episode_id: int | None = None) -> None:
        """Read the patient, their episodes and alerts on the worker, then show them.

        The same job reads the timeline and the advice of the episode that will
        be shown (one read of its events: ``PathwayService.episode_view``), so a
        patient opens with one trip to the worker and one write of its audit
        events rather than three of each.
        """
        self._generation += 1
        generation = self._generation
        clinic = self.clinic
        timeline_query = self.timeline.query()
        self.loading = True

        def job():
            with clinic.reads_together():
                patient = clinic.patients.get(patient_id)
                allergies = clinic.allergies.status(patient_id)
                doctors = tuple(
                    clinic.contacts.get(contact_id) if contact_id else None
                    for contact_id in (patient.gp_contact_id, patient.referrer_contact_id)
                )
                try:
                    episodes = clinic.episodes.list_for_patient(patient_id)
                    alerts = clinic.pathway.patient_alerts(patient_id)
                    thresholds = clinic.pathway.thresholds().to_dict()
                    access = True
                except PermissionDenied:
                    episodes, alerts, thresholds, access = [], [], {}, False
                read = None
                shown = _episode_to_show(episodes, episode_id)
                if shown is not None:
                    advice: object
                    try:
                        entries, advice = clinic.pathway.episode_view(shown.id, **timeline_query)
                    except Exception as exc:  # noqa: BLE001 - the step panel says what failed
                        # The timeline still shows when the advice cannot be worked out.
                        entries = clinic.timeline.entries(shown.id, **timeline_query)
                        advice = exc
                    read = EpisodeRead(
                        shown.id, (timeline_query, entries), (advice, allergies.state)
                    )
            return patient, episodes, alerts, access, allergies, doctors, thresholds, read

        self.ops.run(
            job,
            on_success=lambda result: self._on_loaded(generation, result, episode_id),
            on_failure=lambda exc: self._on_load_failed(generation),
            context=self,
            label="open patient",
        )

    def _on_load_failed(self, generation: int) -> bool:
        if generation == self._generation:
            self.loading = False
        return False

    def reload(self, *, episode_id: int | None = None) -> None:
        if self.patient is not None:
            keep = episode_id if episode_id is not None else getattr(self.episode, "id", None)
            self.load_patient(self.patient.id, episode_id=keep)

    def _on_loaded(self, generation: int, result, episode_id: int | None) -> None:
        if generation != self._generation:
            return
        self.loading = False
        patient, episodes, alerts, access, allergies, self.doctors, self._thresholds, read = result
        self._episode_read = read
        changed_patient = self.patient is None or self.patient.id != patient.id
        self.patient = patient
        self.episodes = episodes
        self.alerts = alerts
        self.allergies = allergies
        self.clinical_access = access
        self._show_header()
        self.stack.setCurrentWidget(self.page)
        self.episode_combo.blockSignals(True)
        self.episode_combo.clear()
        for episode in episodes:
            self.episode_combo.addItem(
                icons.kind_icon("therapy" if episode.is_open else "decline"), episode.label
            )
        shown = _episode_to_show(episodes, episode_id)
        if shown is not None:
            self.episode_combo.setCurrentIndex(episodes.index(shown))
        self.episode_combo.blockSignals(False)
        has = bool(episodes)
        self.episode_combo.setEnabled(has)
        self.close_episode_button.setEnabled(
            has and self.episode is not None and self.episode.is_open
        )
        self.new_episode_button.setEnabled(access)
        self.no_episode.setVisible(not has)
        self.splitter.setVisible(has)
        if not access:
            self.no_episode_label.setText(
                "Your role sees demographics only; clinical records are not shown."
            )
        else:
            self.no_episode_label.setText("No episodes yet — open one with New episode (Ctrl+E).")
        if changed_patient:
            self.patientLoaded.emit(patient)
        self._episode_selected()

    def _show_header(self) -> None:
        p = self.patient
        if p is None:
            return
        today = self.clinic.today()
        self.name_label.setText(
            f"<span style='font-size:x-large'><b>{_html(p.family_name.upper())}</b>, "
            f"{_html(p.given_names)}</span>"
        )
        age = age_on(p.date_of_birth, today)
        facts = (
            f"{age} y · {word(p.sex)} · DOB {p.date_of_birth.isoformat()} · Record "
            f"{p.record_number}"
        )
        if p.archived:
            facts += " · ARCHIVED"
        self.facts_label.setText(facts)
        self.doctors_label.setText(doctors_line(p, *self.doctors))
        lines = []
        for alert in self.alerts:
            lines.append(f"⚠ <b>{_html(alert.text)}</b> ({alert.day.isoformat()})")
        if lines:
            red = any(a.kind == "red_flag" for a in self.alerts)
            colour = "#b71c1c" if red else "#8a4b00"
            background = "#fdecea" if red else "#fff4e0"
            self.banner.setStyleSheet(
                f"#alertBanner {{ background: {background}; color: {colour}; border: 2px solid "
                f"{colour}; border-radius: 4px; padding: 4px; }}"
            )
            self.banner.setText("<br>".join(lines))
        self.banner.setVisible(bool(lines))
        self._show_allergies()

    def _show_allergies(self) -> None:
        status = self.allergies
        if status is None:
            self.allergy_banner.setVisible(False)
            return
        line = status.line
        if status.state == "listed":
            text = "<b>ALLERGIES:</b> " + "<br>".join(
                f"<b>{_html(a.name)}</b>" + _html(a.description[len(a.name) :])
                for a in status.allergies
            )
            style = "background: #f3e5f5; color: #4a148c; border: 2px solid #4a148c;"
        elif status.state == "none_known":
            text = _html(line)
            style = "color: palette(text); border: 1px solid palette(mid);"
        else:
            text = "<b>Allergies: not recorded</b> — ask the patient before any injection or "
            text += "new medicine."
            line = "Allergies: not recorded. Ask the patient before any injection or new medicine."
            style = "color: palette(text); border: 2px dashed palette(text);"
        self.allergy_banner.setStyleSheet(
            f"#allergyBanner {{ {style} border-radius: 4px; padding: 4px; }}"
        )
        self.allergy_banner.setText(text)
        self.allergy_banner.setAccessibleDescription(line)
        self.allergy_banner.setVisible(True)
        # Reception sees the banner; the entries and their changes are clinical.
        self.allergies_button.setVisible(self.clinical_access)
        # Screen readers hear the new status when another patient is opened.
        QAccessible.updateAccessibility(
            QAccessibleEvent(self.allergy_banner, QAccessible.Event.DescriptionChanged)
        )

    @Slot(int)
    def _on_episode_chosen(self, _index: int) -> None:
        self._episode_selected()

    def _episode_selected(self) -> None:
        episode = self.episode
        read, self._episode_read = self._episode_read, None
        if read is None or episode is None or read.episode_id != episode.id:
            read = None
        self.close_episode_button.setEnabled(episode is not None and episode.is_open)
        self._chart_episode = None
        self.timeline.set_episode(
            episode.id if episode is not None else None, read=read.timeline if read else None
        )
        if episode is None:
            self.load_chart()
        # Listeners (the step panel) take the advice read with the patient, if any.
        self.advice_read = read.advice if read else None
        try:
            self.episodeChanged.emit(episode)
        finally:
            self.advice_read = None

    def _on_timeline_loaded(self, entries: list) -> None:
        """The chart draws from the timeline's own read when that shows the whole
        episode (one read instead of two); otherwise it reads the episode itself."""
        episode = self.episode
        if episode is None or entries and entries[0].episode_id != episode.id:
            return
        if self.timeline.shows_whole_episode:
            self._chart_generation += 1
            self._on_chart(self._chart_generation, (entries, self._thresholds))
        elif self._chart_episode != episode.id:
            self.load_chart()

    def load_chart(self) -> None:
        self._chart_generation += 1
        generation = self._chart_generation
        episode = self.episode
        if episode is None:
            self.chart.show_empty("No episode chosen.")
            self.documentsAvailable.emit(False)
            return
        clinic = self.clinic

        def job():
            entries = clinic.timeline.entries(episode.id, newest_first=False)
            thresholds = clinic.pathway.thresholds().to_dict()
            return entries, thresholds

        self.ops.run(
            job,
            on_success=lambda result: self._on_chart(generation, result),
            context=self,
            label="chart data",
        )

    def _on_chart(self, generation: int, result) -> None:
        if generation != self._chart_generation:
            return
        entries, thresholds = result
        self._chart_episode = self.episode.id if self.episode is not None else None
        self.chart.set_mic(thresholds.get("mic_nrs_points"), thresholds.get("mic_odi_points"))
        self.chart.set_entries(entries, self.clinic.today())
        self.documentsAvailable.emit(any(e.kind == "document" for e in entries))

    def after_save(self, _result: object = None) -> None:
        """Something was written: reload what shows it."""
        self.reload()
        self.recordChanged.emit()

    # -- dialogs ----------------------------------------------------------------------------

    def _show(self, dialog: ShownDialog) -> ShownDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def _require_episode(self, *, open_only: bool = True):
        if self.patient is None:
            Messages.info(self, "No patient open", "Open a patient first (Ctrl+F to search).")
            return None
        episode = self.episode
        if episode is None:
            Messages.info(
                self,
                "No episode",
                "This patient has no episode of care yet. Open one with New episode (Ctrl+E).",
            )
            return None
        if open_only and not episode.is_open:
            Messages.info(
                self,
                "Episode closed",
                f"The episode “{episode.label}” is closed. Reopen it (Episode menu) or open a "
                "new episode to record.",
            )
            return None
        return episode

    def record(self, kind: str) -> EventDialog | None:
        """Open the form that records a new event of ``kind`` in the chosen episode."""
        if kind not in RECORDABLE_KINDS:
            raise ValueError(kind)
        episode = self._require_episode()
        if episode is None:
            return None
        dialog = event_dialog(kind)(
            self.clinic,
            self.ops,
            episode=episode,
            patient_title=self.title,
            allergies=self.allergies,
            parent=self.window(),
        )
        dialog.saved.connect(self._on_event_saved)
        return self._show(dialog)

    def _on_event_saved(self, entry: TimelineEntry) -> None:
        self.after_save()
        self.timeline.select_root(entry.root_id)

    def amend(self, entry: TimelineEntry) -> EventDialog | None:
        if self.patient is None or entry.kind not in RECORDABLE_KINDS:
            return None
        if entry.entered_in_error:
            Messages.info(self, "Removed event", "An event entered in error cannot be amended.")
            return None
        episode = next((e for e in self.episodes if e.id == entry.episode_id), self.episode)
        dialog = event_dialog(entry.kind)(
            self.clinic,
            self.ops,
            episode=episode,
            patient_title=self.title,
            entry=entry,
            allergies=self.allergies,
            parent=self.window(),
        )
        dialog.saved.connect(self._on_event_saved)
        return self._show(dialog)

    def remove(self, entry: TimelineEntry) -> QDialog | None:
        if self.patient is None:
            return None
        dialog = RemoveEventDialog(
            self.clinic, self.ops, entry=entry, patient_title=self.title, parent=self.window()
        )
        dialog.saved.connect(self.after_save)
        return self._show(dialog)

    def open_entry(self, entry: TimelineEntry) -> QDialog | None:
        """Read an event; a generated document goes to whoever shows documents."""
        if entry.kind == "document" and self.documents_handled:
            self.documentRequested.emit(entry)
            return None
        return self.show_entry(entry)

    def show_entry(self, entry: TimelineEntry) -> QDialog:
        dialog = EntryDialog(entry, self.title, parent=self.window())
        dialog.amendRequested.connect(self.amend)
        dialog.removeRequested.connect(self.remove)
        dialog.historyRequested.connect(self.history)
        return self._show(dialog)

    def history(self, entry: TimelineEntry) -> None:
        timeline = self.clinic.timeline
        title = self.title
        self.ops.run(
            lambda: timeline.history(entry.id),
            on_success=lambda versions: self._show(
                HistoryDialog(versions, title, parent=self.window())
            ),
            context=self,
            label="event history",
        )

    def new_episode(self) -> QDialog | None:
        if self.patient is None:
            Messages.info(self, "No patient open", "Open a patient first (Ctrl+F to search).")
            return None
        if not self.clinical_access:
            Messages.info(self, "Not allowed", "Your role cannot open episodes of care.")
            return None
        dialog = EpisodeDialog(
            self.clinic,
            self.ops,
            patient=self.patient,
            patient_title=self.title,
            parent=self.window(),
        )
        dialog.saved.connect(self._after_episode)
        return self._show(dialog)

    def _after_episode(self, episode) -> None:
        self.reload(episode_id=episode.id)
        self.recordChanged.emit()

    def close_episode(self) -> QDialog | None:
        episode = self._require_episode()
        if episode is None:
            return None
        dialog = CloseEpisodeDialog(
            self.clinic, self.ops, episode=episode, patient_title=self.title, parent=self.window()
        )
        dialog.saved.connect(self._after_episode)
        return self._show(dialog)

    def reopen_episode(self) -> None:
        episode = self._require_episode(open_only=False)
        if episode is None:
            return
        if episode.is_open:
            Messages.info(self, "Episode open", "The chosen episode is already open.")
            return
        reason = Messages.ask_text(
            self, f"Reopen episode — {self.title}", "Why is the episode being reopened?"
        )
        if not reason or not reason.strip():
            return
        episodes = self.clinic.episodes
        self.ops.run(
            lambda: episodes.reopen(episode.id, reason),
            on_success=self._after_episode,
            context=self,
            label="reopen episode",
        )

    def edit_patient(self, focus_field: str | None = None) -> QDialog | None:
        if self.patient is None:
            return None
        dialog = PatientDialog(
            self.clinic,
            self.ops,
            patient=self.patient,
            focus_field=focus_field,
            parent=self.window(),
        )
        dialog.saved.connect(self.after_save)
        dialog.openExisting.connect(self.openRecordNumber)
        return self._show(dialog)

    def edit_allergies(self) -> QDialog | None:
        if self.patient is None or not self.clinical_access:
            return None
        dialog = AllergiesDialog(
            self.clinic,
            self.ops,
            patient_id=self.patient.id,
            patient_title=self.title,
            parent=self.window(),
        )
        dialog.changed.connect(self.after_save)
        return self._show(dialog)

    def set_onset(self) -> QDialog | None:
        """The onset date feeds the duration of symptoms."""
        episode = self._require_episode(open_only=False)
        if episode is None:
            return None
        dialog = OnsetDialog(
            self.clinic,
            self.ops,
            episode=episode,
            patient_title=self.title,
            parent=self.window(),
        )
        dialog.saved.connect(self._after_episode)
        return self._show(dialog)

    def record_fact(self, fact: str) -> QDialog | None:
        """Open the form that records a fact the pathway says is missing."""
        if fact in ("provocation", "pain_region"):
            return self.record("assessment")
        if fact in ("nrs", "odi", "baseline"):
            return self.record("outcome")
        if fact == "conservative":
            return self.record("therapy")
        if fact == "age":
            return self.edit_patient("date_of_birth")
        if fact == "symptom_weeks":
            return self.set_onset()
        if fact == "injections":
            self.amend_pending_injection()
            return None
        log.info("no form for missing fact %s", fact)
        return None

    def amend_pending_injection(self) -> None:
        """Amend the injection whose result is not yet recorded (the oldest one)."""
        episode = self._require_episode(open_only=False)
        if episode is None:
            return
        timeline = self.clinic.timeline

        def found(entries: list[TimelineEntry]) -> None:
            pending = [
                e
                for e in entries
                if isinstance(e.record, InjectionRecord) and e.record.relief_percent is None
            ]
            if pending:
                self.amend(pending[0])
            else:
                self.record("injection")

        self.ops.run(
            lambda: timeline.entries(episode.id, kinds=["injection"], newest_first=False),
            on_success=found,
            context=self,
            label="pending injection",
        )

    def describe_kind(self, kind: str) -> str:
        return kind_label(kind)
