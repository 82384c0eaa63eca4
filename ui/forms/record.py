"""RecordDialog: live validation beside each field, save on the worker, ask before discarding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError, ValidationError
from sijdesk.ui.describe import field_label
from sijdesk.ui.errors import Messages, report_exception
from sijdesk.ui.forms.widgets import (
    ERROR_STYLE,
    HINT_STYLE,
    base_field,
    chain_tab_order,
    escape_html,
    focusable_children,
    short_label,
)
from sijdesk.ui.workers import Operations

# A message starting with one of these reads as a sentence about its field.
_PREDICATES = {"is", "are", "must", "cannot", "can", "has", "was", "contains"}


class RecordDialog(QDialog):
    """A form whose Save makes one service call off the GUI thread."""

    saved = Signal(object)

    save_text = "&Save"

    def __init__(
        self,
        clinic,
        ops: Operations,
        patient_title: str,
        title: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.clinic = clinic
        self.ops = ops
        self.patient_title = patient_title
        self.setWindowTitle(f"{title} — {patient_title}")
        self.fields: dict[str, Any] = {}
        # The label each field shows, so that its messages name it the same way.
        self.labels: dict[str, str] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.errors: dict[str, str] = {}
        self.saving = False
        self.result_value: Any = None
        self._initial: str | None = None
        self._closing_without_asking = False

        self.outer = QVBoxLayout(self)
        self.header = QLabel(f"<b>{escape_html(patient_title)}</b>")
        self.header.setAccessibleName("Patient")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.outer.addWidget(self.header)
        self.body = QWidget()
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.body)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.outer.addWidget(self.scroll_area, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Why the form cannot be saved yet")
        self.status.setStyleSheet(ERROR_STYLE)
        self.outer.addWidget(self.status)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(
            self.save_text, QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.outer.addWidget(self.buttons)
        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(0)
        self._validate_timer.timeout.connect(self.revalidate)

    # -- building ------------------------------------------------------------------------

    def add_row(
        self,
        form: QFormLayout,
        name: str,
        widget: QWidget,
        label: str | None = None,
        *,
        hint: str = "",
    ) -> QWidget:
        """A labelled field with its error line (and an optional hint) below it."""
        text = label if label is not None else field_label(name)
        self.labels[name] = text.split(" (")[0]
        label_widget = QLabel(f"{text}:")
        label_widget.setBuddy(widget)
        label_widget.setWordWrap(True)
        if not widget.accessibleName():
            widget.setAccessibleName(text)
        container = QWidget()
        box = QVBoxLayout(container)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setWordWrap(True)
            hint_label.setStyleSheet(HINT_STYLE)
            box.addWidget(hint_label)
        error = self.error_label(name)
        box.addWidget(error)
        form.addRow(label_widget, container)
        self.register(name, widget)
        return container

    def error_label(self, name: str) -> QLabel:
        error = QLabel("")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setVisible(False)
        error.setAccessibleName(f"Problem with {short_label(name)}")
        self.error_labels[name] = error
        return error

    def register(self, name: str, widget: Any) -> None:
        self.fields[name] = widget
        widget.connect_changed(self.schedule_validation)

    def finish(self) -> None:
        """Call at the end of building: validate once and remember the untouched state."""
        # the buttons were made before the fields: Tab must reach them last
        chain_tab_order([*focusable_children(self.body), *self.buttons.buttons()])
        self.revalidate()
        self._initial = self.snapshot()

    # -- values and validation --------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        return {name: widget.value() for name, widget in self.fields.items()}

    def snapshot(self) -> str:
        return repr(sorted(self.data().items()))

    def is_dirty(self) -> bool:
        return self._initial is not None and self.snapshot() != self._initial

    def validate(self) -> dict[str, str]:
        """Errors by field name (empty when the input can be saved)."""
        return {}

    @Slot()
    def schedule_validation(self) -> None:
        self._validate_timer.start()

    @Slot()
    def revalidate(self) -> dict[str, str]:
        # Done now: a check still pending would only repeat it, after any answer
        # from a save in between, and wipe that answer's message.
        self._validate_timer.stop()
        try:
            errors = self.validate()
        except ValidationError as exc:
            errors = dict(exc.errors)
        self.show_errors(errors)
        return errors

    def show_errors(self, errors: dict[str, str], *, from_save: bool = False) -> None:
        self.errors = dict(errors)
        by_field: dict[str, list[str]] = {}
        loose: list[str] = []
        for key, message in errors.items():
            name = base_field(key)
            text = self.message_for(key, message)
            if name in self.error_labels:
                by_field.setdefault(name, []).append(text)
            else:
                loose.append(text)
        for name, label in self.error_labels.items():
            messages = by_field.get(name)
            label.setText("\n".join(f"⚠ {m}" for m in messages) if messages else "")
            label.setVisible(bool(messages))
        if errors:
            count = len(errors)
            first = next(iter(errors.items()))
            lead = "Not saved" if from_save else "Cannot save yet"
            summary = f"{lead}: {self.message_for(*first)}"
            if count > 1:
                summary += (
                    f" (and {count - 1} more problem{'s' if count > 2 else ''}, marked above)"
                )
            if loose and loose[0] not in summary:
                summary += "\n" + "\n".join(loose)
            self.status.setText(summary)
        else:
            self.status.setText("")
        self.save_button.setEnabled(not errors and not self.saving)
        self.save_button.setToolTip(self.status.text() if errors else "")

    def message_for(self, key: str, message: str) -> str:
        name = base_field(key)
        if key != name and name == "odi_items":
            return message[0].upper() + message[1:]
        first_word = message.split(" ", 1)[0]
        if (name in self.fields or name in self.error_labels) and first_word in _PREDICATES:
            return f"{self.labels.get(name) or short_label(name)} {message}"
        return message[0].upper() + message[1:] if message else key

    # -- saving ---------------------------------------------------------------------------------

    def perform(self) -> Callable[[], Any]:
        """The service call that saves; runs on the worker."""
        raise NotImplementedError

    def on_saved(self, result: Any) -> None:
        self.result_value = result
        self.saving = False
        self._closing_without_asking = True
        self.saved.emit(result)
        self.accept()

    def on_failed(self, exc: BaseException) -> bool:
        self.saving = False
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.errors, from_save=True)
            return True
        self.show_errors(self.errors)
        if isinstance(exc, UserError):
            report_exception(exc, parent=self)
            return True
        return False  # a bug: the crash dialog; the form stays open with its input

    @Slot()
    def submit(self) -> None:
        """Save (also callable directly; the service has the last word on validity)."""
        if self.saving:
            return
        self._validate_timer.stop()  # the save's answer is the newer word
        try:
            job = self.perform()
        except ValidationError as exc:
            self.show_errors(exc.errors, from_save=True)
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.status.setStyleSheet(HINT_STYLE)
        self.status.setText("Saving…")
        self.ops.run(
            job,
            on_success=self._saved_ok,
            on_failure=self._saved_failed,
            context=self,
            label=f"save {type(self).__name__}",
        )

    def _saved_ok(self, result: Any) -> None:
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText("")
        self.on_saved(result)

    def _saved_failed(self, exc: BaseException) -> bool:
        self.status.setStyleSheet(ERROR_STYLE)
        return self.on_failed(exc)

    # -- closing ---------------------------------------------------------------------------------

    @staticmethod
    def confirm_discard(parent: QWidget) -> bool:
        """Ask before throwing typed input away (tests monkeypatch Messages.question)."""
        return Messages.question(
            parent,
            "Discard changes?",
            "You have typed information that is not saved. Discard it?",
        )

    def reject(self) -> None:
        if self.saving:
            return  # the save is running: wait for its answer
        if not self._closing_without_asking and self.is_dirty():
            if not self.confirm_discard(self):
                return
        super().reject()

    def close_without_asking(self) -> None:
        self._closing_without_asking = True
        super().reject()
