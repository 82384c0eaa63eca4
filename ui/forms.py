"""Dialogs that write to the record: one form per event kind, and the shared machinery.

Every form validates live by calling the services' own validation
(:func:`sijdesk.kinds.validate_event`) and shows each message beside
its field; Save stays disabled, with the reason shown, until the input is
valid. Saving is one service call on the background worker (one
transaction: nothing is half-saved); while it runs the form stays open, and
if the environment fails (database locked, disk full) the message is shown
and the typed input is kept. Esc asks before discarding typed input. Every
title names the patient (name, date of birth, record number).

Signals of :class:`RecordDialog`:
    saved(object): the service's result after a successful save.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError, ValidationError
from sijdesk.kinds import KINDS, Field, validate_event
from sijdesk.kinds.assessment import LASLETT_TESTS
from sijdesk.kinds.consult import CONSULT_SPECIALTIES
from sijdesk.kinds.decline import DECLINABLE
from sijdesk.kinds.injection import IMAGE_GUIDANCE, INJECTION_SIDES, relief_from_pain
from sijdesk.kinds.medication import MEDICATION_CATEGORIES
from sijdesk.kinds.procedure import PROCEDURES
from sijdesk.kinds.therapy import THERAPY_RESPONSES
from sijdesk.pathway import vocab
from sijdesk.services import TimelineEntry
from sijdesk.ui.body_diagram import BodyDiagram
from sijdesk.ui.describe import ODI_SECTIONS, field_label, kind_label, odi_text, word
from sijdesk.ui.errors import Messages, report_exception
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020;"
# Messages that read as the end of a sentence about the field ("is required").
_PREDICATES = {"is", "are", "must", "cannot", "can", "has", "was", "contains"}
HINT_STYLE = "color: #555555;"


def short_label(name: str) -> str:
    """A field's label without its unit, for messages ("Pain now, NRS")."""
    text = field_label(name)
    return text.split(" (")[0]


def base_field(key: str) -> str:
    """``odi_items[3]`` -> ``odi_items``."""
    return key.split("[", 1)[0]


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# -- field widgets: each has value(), set_value() and a `changed` signal-like hook ----------------


class DateField(QDateEdit):
    def __init__(self, value: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(QDate(1800, 1, 1))
        self.setDate(to_qdate(value))
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0000-00-00") + 60)

    def value(self) -> date:
        return from_qdate(self.date())

    def set_value(self, value: date | None) -> None:
        if value is not None:
            self.setDate(to_qdate(value))

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.dateChanged.connect(lambda _d: slot())


class OptionalDateField(QWidget):
    """A date that may be left out: a check box and a date."""

    def __init__(self, check_text: str, default: date, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(check_text)
        self.edit = DateField(default)
        self.edit.setAccessibleName(f"{check_text.rstrip(':')} date")
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.setFocusProxy(self.check)

    def value(self) -> date | None:
        return self.edit.value() if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.set_value(value)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.check.toggled.connect(lambda _b: slot())
        self.edit.connect_changed(slot)


class TextField(QLineEdit):
    def __init__(self, placeholder: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)

    def value(self) -> str:
        return self.text()

    def set_value(self, value: Any) -> None:
        self.setText(number_text(value) if not isinstance(value, str) else value)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.textChanged.connect(lambda _t: slot())


class NumberField(TextField):
    """A number typed as text, so that out-of-range input can be shown as such."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None):
        super().__init__(placeholder, parent)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("0" * 14) + 16)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)

    def value(self) -> str | None:
        text = self.text().strip()
        return text or None


class NotesField(QPlainTextEdit):
    def __init__(self, placeholder: str = "", lines: int = 3, parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * lines + 12)
        self.setMaximumHeight(self.fontMetrics().lineSpacing() * (lines + 4) + 12)

    def value(self) -> str:
        return self.toPlainText()

    def set_value(self, value: Any) -> None:
        self.setPlainText(value or "")

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.textChanged.connect(slot)


class ChoiceCombo(QComboBox):
    def __init__(
        self,
        choices: Sequence[str],
        *,
        empty: str | None = None,
        labels: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        if empty is not None:
            self.addItem(empty, None)
        for choice in choices:
            self.addItem((labels or {}).get(choice) or word(choice), choice)

    def value(self) -> str | None:
        return self.currentData()

    def set_value(self, value: str | None) -> None:
        index = self.findData(value)
        if index >= 0:
            self.setCurrentIndex(index)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.currentIndexChanged.connect(lambda _i: slot())


class ChoiceRadios(QWidget):
    """One of a few choices as radio buttons (keyboard: Tab into it, arrows to choose)."""

    def __init__(
        self,
        choices: Sequence[tuple[Any, str]],
        *,
        columns: int = 4,
        accessible: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons: dict[Any, QRadioButton] = {}
        self._values: list[Any] = []
        for position, (value, text) in enumerate(choices):
            button = QRadioButton(text)
            if accessible:
                button.setAccessibleName(f"{accessible}: {text}")
            self.group.addButton(button, position)
            self.buttons[value] = button
            self._values.append(value)
            layout.addWidget(button, position // columns, position % columns)
        layout.setColumnStretch(min(len(choices), columns), 1)
        if self._values:
            self.setFocusProxy(self.buttons[self._values[0]])

    def value(self) -> Any:
        checked = self.group.checkedId()
        return self._values[checked] if checked >= 0 else None

    def set_value(self, value: Any) -> None:
        button = self.buttons.get(value)
        if button is not None:
            button.setChecked(True)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.group.idToggled.connect(lambda _i, on: slot() if on else None)


class CheckList(QWidget):
    """Several of a vocabulary as check boxes."""

    def __init__(
        self,
        choices: Sequence[str],
        *,
        columns: int = 2,
        labels: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for position, choice in enumerate(choices):
            text = (labels or {}).get(choice) or word(choice)
            box = QCheckBox(text)
            self.boxes[choice] = box
            layout.addWidget(box, position // columns, position % columns)
        if choices:
            self.setFocusProxy(self.boxes[choices[0]])

    def value(self) -> list[str]:
        return [choice for choice, box in self.boxes.items() if box.isChecked()]

    def set_value(self, value: Iterable[str] | None) -> None:
        chosen = set(value or [])
        for choice, box in self.boxes.items():
            box.setChecked(choice in chosen)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        for box in self.boxes.values():
            box.toggled.connect(lambda _b: slot())


class TriState(QWidget):
    """Yes / No / not done, as three radio buttons on one row."""

    def __init__(
        self,
        accessible: str,
        texts: tuple[str, str, str] = ("Yes", "No", "Not done"),
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.yes = QRadioButton(texts[0])
        self.no = QRadioButton(texts[1])
        self.unknown = QRadioButton(texts[2])
        for position, button in enumerate((self.yes, self.no, self.unknown)):
            button.setAccessibleName(f"{accessible}: {button.text()}")
            self.group.addButton(button, position)
            layout.addWidget(button)
        layout.addStretch(1)
        self.unknown.setChecked(True)
        self.setFocusProxy(self.yes)

    def value(self) -> bool | None:
        if self.yes.isChecked():
            return True
        if self.no.isChecked():
            return False
        return None

    def set_value(self, value: bool | None) -> None:
        {True: self.yes, False: self.no, None: self.unknown}[value].setChecked(True)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.group.idToggled.connect(lambda _i, on: slot() if on else None)


class OdiField(QWidget):
    """The ten ODI sections (names only), each 0-5 or unanswered, and the live score.

    The licensed question wording is not reproduced: use the clinic's ODI form
    and enter the section scores here.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        self.combos: list[QComboBox] = []
        self.labels: list[QLabel] = []
        for index, name in enumerate(ODI_SECTIONS):
            combo = QComboBox()
            combo.addItem("— unanswered", None)
            for score in range(6):
                combo.addItem(str(score), score)
            combo.setAccessibleName(f"ODI section {name} score, 0 to 5")
            label = QLabel(name)
            label.setBuddy(combo)
            row, col = index % 5, (index // 5) * 2
            grid.addWidget(label, row, col)
            grid.addWidget(combo, row, col + 1)
            self.combos.append(combo)
            self.labels.append(label)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setHorizontalSpacing(12)
        layout.addLayout(grid)
        self.score = QLabel()
        self.score.setAccessibleName("ODI score")
        font = self.score.font()
        font.setBold(True)
        self.score.setFont(font)
        layout.addWidget(self.score)
        note = QLabel(
            "Section scores 0 (no disability) to 5, read from the patient's completed ODI form. "
            "One unanswered section is allowed; with two or more the ODI is not scored."
        )
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        layout.addWidget(note)
        for combo in self.combos:
            combo.currentIndexChanged.connect(lambda _i: self._update_score())
        self._update_score()
        self.setFocusProxy(self.combos[0])

    def value(self) -> list[int | None] | None:
        items = [combo.currentData() for combo in self.combos]
        return None if all(item is None for item in items) else items

    def set_value(self, value: Sequence[int | None] | None) -> None:
        items = list(value) if value else [None] * 10
        for combo, item in zip(self.combos, items, strict=False):
            combo.setCurrentIndex(max(combo.findData(item), 0))
        self._update_score()

    def _update_score(self) -> None:
        self.score.setText(f"ODI: {odi_text(self.value())}")

    def connect_changed(self, slot: Callable[[], None]) -> None:
        for combo in self.combos:
            combo.currentIndexChanged.connect(lambda _i: slot())


# -- the dialog base -------------------------------------------------------------------------------


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
        self.error_labels: dict[str, QLabel] = {}
        self.errors: dict[str, str] = {}
        self.saving = False
        self.result_value: Any = None
        self._initial: str | None = None
        self._closing_without_asking = False

        self.outer = QVBoxLayout(self)
        self.header = QLabel(f"<b>{_html(patient_title)}</b>")
        self.header.setAccessibleName("Patient")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.outer.addWidget(self.header)
        self.body = QWidget()
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.body)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.outer.addWidget(self.scroll, 1)
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
            return f"{short_label(name)} {message}"
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


def focusable_children(root: QWidget) -> list[QWidget]:
    """Widgets under ``root`` that Tab can reach, in creation (reading) order."""
    result = []
    window = root.window()
    for widget in root.findChildren(QWidget):
        if widget.window() is not window or widget.focusProxy() is not None:
            continue  # a combo box's popup list lives in a window of its own
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if isinstance(widget.parent(), QComboBox | QAbstractSpinBox | QLineEdit):
            continue  # parts of a compound widget
        result.append(widget)
    return result


def chain_tab_order(widgets: Sequence[QWidget]) -> None:
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return form


def group(title: str, inner: QFormLayout | QVBoxLayout | QGridLayout) -> QGroupBox:
    box = QGroupBox(title)
    box.setLayout(inner)
    return box


# -- event forms ---------------------------------------------------------------------------------


class EventDialog(RecordDialog):
    """Record (or amend) one event of an episode; ``kind`` picks the fields."""

    KIND = ""

    def __init__(
        self,
        clinic,
        ops: Operations,
        *,
        episode,
        patient_title: str,
        entry: TimelineEntry | None = None,
        parent: QWidget | None = None,
    ):
        verb = "Amend" if entry is not None else "Record"
        title = f"{verb} {kind_label(self.KIND).lower()}"
        super().__init__(clinic, ops, patient_title, title, parent)
        self.kind = self.KIND
        self.episode = episode
        self.entry = entry
        self.setObjectName(f"{self.kind}Dialog")
        self.save_button.setText("&Save amendment" if entry is not None else "&Save")
        self.reason: NotesField | None = None
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        if entry is not None:
            layout.addWidget(self._amend_box(entry))
        self.build(layout)
        layout.addStretch(1)
        if entry is not None:
            self.load(entry)
        self.finish()

    def _amend_box(self, entry: TimelineEntry) -> QGroupBox:
        form = form_layout()
        intro = QLabel(
            f"You are correcting the {kind_label(entry.kind).lower()} of "
            f"{entry.event_date.isoformat()} (version {entry.version}). The current version "
            "stays in the event's history."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.reason = NotesField("Why is the record being corrected?", lines=2)
        self.add_row(form, "amendment_reason", self.reason, "Reason for the amendment (required)")
        box = group("Amendment", form)
        box.setStyleSheet("QGroupBox { font-weight: bold; }")
        return box

    def build(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def default_side(self) -> str | None:
        side = getattr(self.episode, "side", None)
        return side if side in INJECTION_SIDES else None

    def date_row(self, form: QFormLayout, label: str = "Date") -> DateField:
        field = DateField(self.clinic.today())
        self.add_row(form, "date", field, label)
        return field

    def event_data(self) -> dict[str, Any]:
        data = self.data()
        data.pop("amendment_reason", None)
        return data

    def load(self, entry: TimelineEntry) -> None:
        values = {"date": entry.event_date, **entry.data}
        for name, widget in self.fields.items():
            if name in values:
                widget.set_value(values[name])

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        try:
            validate_event(self.kind, self.event_data(), today=self.clinic.today())
        except ValidationError as exc:
            errors.update(exc.errors)
        if self.entry is not None and self.reason is not None and not self.reason.value().strip():
            errors["amendment_reason"] = "is required: say why the record is being amended"
        return errors

    def message_for(self, key: str, message: str) -> str:
        if key == "reason" and self.entry is not None and "reason" not in self.fields:
            key = "amendment_reason"
        return super().message_for(key, message)

    def show_errors(self, errors: dict[str, str], *, from_save: bool = False) -> None:
        if self.entry is not None and "reason" in errors and "reason" not in self.fields:
            errors = dict(errors)
            errors["amendment_reason"] = errors.pop("reason")
        super().show_errors(errors, from_save=from_save)

    def perform(self) -> Callable[[], Any]:
        data = self.event_data()
        timeline = self.clinic.timeline
        if self.entry is None:
            episode_id = self.episode.id
            kind = self.kind
            return lambda: timeline.add(episode_id, kind, data)
        event_id = self.entry.id
        reason = self.reason.value() if self.reason is not None else ""
        return lambda: timeline.amend(event_id, data, reason)


class AssessmentDialog(EventDialog):
    KIND = "assessment"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 1040, 720)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        right = QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns)

        top = form_layout()
        self.date_row(top, "Date of the assessment")
        left.addLayout(top)

        # where: body diagram + radio buttons for the belt-line region, then pain sites
        where = QGridLayout()
        self.diagram = BodyDiagram()
        where.addWidget(self.diagram, 0, 0, 3, 1)
        region_label = QLabel("Pain &region (belt-line rule):")
        self.region = ChoiceRadios(
            [
                ("below_belt", "Below the belt line"),
                ("above_belt", "Above the belt line"),
                ("both", "Above and below"),
                (None, "Not recorded"),
            ],
            columns=1,
            accessible="Pain region",
        )
        self.region.set_value(None)
        region_label.setBuddy(self.region)
        where.addWidget(region_label, 0, 1)
        where.addWidget(self.region, 1, 1)
        where.addWidget(self.error_label("pain_region"), 2, 1)
        self.register("pain_region", self.region)
        self.diagram.regionChanged.connect(self.region.set_value)
        self.region.connect_changed(lambda: self.diagram.set_region(self.region.value()))
        sites_form = form_layout()
        self.add_row(sites_form, "pain_sites", CheckList(vocab.PAIN_SITES, columns=2), "Pain sites")
        where.addLayout(sites_form, 3, 0, 1, 2)
        where.setColumnStretch(1, 1)
        left.addWidget(group("Where is the pain?", where))

        function = form_layout()
        self.add_row(function, "functional", CheckList(vocab.FUNCTIONAL, columns=2), "Complaints")
        left.addWidget(group("Functional complaints", function))

        symptoms = form_layout()
        self.add_row(symptoms, "symptoms", CheckList(vocab.SYMPTOMS, columns=2), "Symptoms")
        left.addWidget(group("Symptoms", symptoms))

        risks = form_layout()
        self.add_row(
            risks, "nsaid_cautions", CheckList(vocab.NSAID_CAUTIONS, columns=1), "NSAID cautions"
        )
        nicotine = TriState("Uses nicotine", ("Yes", "No", "Not asked"))
        self.add_row(risks, "nicotine", nicotine, "Uses nicotine")
        left.addWidget(group("Risk factors", risks))
        left.addStretch(1)

        # provocation tests: one row per test, Yes / No / Not done
        tests = QGridLayout()
        heading = QLabel("Reproduces the familiar pain?")
        heading.setWordWrap(True)
        tests.addWidget(heading, 0, 0, 1, 2)
        for row, test in enumerate((*LASLETT_TESTS, "fortin_finger"), start=1):
            widget = TriState(vocab.LABELS[test])
            label = QLabel(f"{vocab.LABELS[test]}:")
            if test == "fortin_finger":
                label.setToolTip(
                    "Fortin finger test: the patient points with one finger within 1 cm "
                    "inferomedial to the PSIS (posterior superior iliac spine), twice."
                )
            label.setBuddy(widget)
            tests.addWidget(label, row, 0)
            tests.addWidget(widget, row, 1)
            self.register(test, widget)
        errors = QVBoxLayout()
        for test in (*LASLETT_TESTS, "fortin_finger"):
            errors.addWidget(self.error_label(test))
        tests.addLayout(errors, 8, 0, 1, 2)
        tests.setColumnStretch(1, 1)
        box = group("Provocation tests (Laslett cluster) and Fortin", tests)
        box.setToolTip(
            "Laslett cluster: distraction, thigh thrust, compression, sacral thrust and "
            "Gaenslen left and right. Positive = reproduces the patient's familiar pain."
        )
        right.addWidget(box)

        flags = form_layout()
        self.add_row(flags, "red_flags", CheckList(vocab.RED_FLAGS, columns=1), "Red flags")
        right.addWidget(group("Red flags (any one suspends the routine pathway)", flags))

        inflammatory = form_layout()
        self.add_row(
            inflammatory, "inflammatory", CheckList(vocab.INFLAMMATORY, columns=1), "Features"
        )
        right.addWidget(group("Inflammatory back pain features", inflammatory))

        findings = form_layout()
        self.add_row(
            findings, "findings", NotesField("What you found, in your words", lines=3), "Findings"
        )
        right.addWidget(group("Findings", findings))
        right.addStretch(1)


class OutcomeDialog(EventDialog):
    KIND = "outcome"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 720, 520)
        form = form_layout()
        self.date_row(form)
        self.nrs = NumberField("0-10")
        self.add_row(
            form,
            "nrs",
            self.nrs,
            "Pain now, NRS (0-10)",
            hint="Numeric rating scale: 0 = no pain, 10 = worst imaginable. "
            "Leave empty if not asked.",
        )
        layout.addLayout(form)
        odi_form = form_layout()
        self.odi = OdiField()
        container = QWidget()
        box = QVBoxLayout(container)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.odi)
        box.addWidget(self.error_label("odi_items"))
        odi_form.addRow(container)
        self.register("odi_items", self.odi)
        odi_box = group("Oswestry Disability Index (ODI), section scores", odi_form)
        odi_box.setToolTip("ODI: 10 sections scored 0-5; percent = sum / (5 × answered) × 100")
        layout.addWidget(odi_box)


class TherapyDialog(EventDialog):
    KIND = "therapy"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 640, 520)
        form = form_layout()
        self.date_row(form, "Date of the session")
        self.add_row(
            form,
            "components",
            CheckList(
                vocab.COMPONENTS,
                columns=1,
                labels={
                    "met": "Muscle energy techniques (MET)",
                    "motor_retraining": "Guided movement and motor retraining",
                    "manual_therapy_support": "Manual therapy with taping or SIJ belt",
                },
            ),
            "Components used",
        )
        self.add_row(form, "minutes", NumberField("e.g. 45"), "Length (minutes)")
        response = ChoiceRadios(
            [(None, "Not judged today"), *((r, word(r)) for r in THERAPY_RESPONSES)],
            accessible="Response so far",
        )
        response.set_value(None)
        self.add_row(
            form,
            "response",
            response,
            "Response to care so far",
            hint="The response on the latest session is what the pathway reads.",
        )
        self.add_row(form, "notes", NotesField(), "Notes")
        layout.addLayout(form)


class InjectionDialog(EventDialog):
    KIND = "injection"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 660, 680)
        self._relief_touched = False
        self._setting_relief = False
        form = form_layout()
        self.date_row(form, "Date of the injection")
        purpose = ChoiceRadios(
            [("diagnostic", "Diagnostic block"), ("therapeutic", "Therapeutic injection")],
            accessible="Purpose",
        )
        self.add_row(form, "purpose", purpose, "Purpose")
        side = ChoiceCombo(INJECTION_SIDES, empty="— choose")
        side.set_value(self.default_side())
        self.add_row(form, "side", side, "Side")
        self.add_row(form, "agent", TextField("e.g. lidocaine 2%"), "Agent")
        guidance = ChoiceCombo(IMAGE_GUIDANCE)
        guidance.set_value("fluoroscopy")
        self.add_row(form, "image_guidance", guidance, "Image guidance")
        self.pain_before = NumberField("0-10")
        self.pain_after = NumberField("0-10")
        self.relief = NumberField("0-100")
        self.add_row(form, "pain_before", self.pain_before, "Pain before, NRS (0-10)")
        self.add_row(form, "pain_after", self.pain_after, "Pain after, NRS (0-10)")
        self.add_row(
            form,
            "relief_percent",
            self.relief,
            "Relief (%)",
            hint="Filled in from pain before and after; correct it if the patient's diary says "
            "otherwise. Leave empty while the result is pending.",
        )
        self.add_row(form, "relief_weeks", NumberField("weeks"), "Relief lasted (weeks)")
        self.add_row(form, "performed_by", TextField(), "Performed by")
        self.add_row(form, "notes", NotesField(), "Notes")
        layout.addLayout(form)
        self.pain_before.textChanged.connect(self._update_relief)
        self.pain_after.textChanged.connect(self._update_relief)
        self.relief.textEdited.connect(self._relief_edited)

    def load(self, entry: TimelineEntry) -> None:
        self._setting_relief = True
        super().load(entry)
        self._setting_relief = False
        computed = relief_from_pain(entry.data.get("pain_before"), entry.data.get("pain_after"))
        self._relief_touched = entry.data.get("relief_percent") not in (None, computed)

    @Slot(str)
    def _relief_edited(self, _text: str) -> None:
        self._relief_touched = bool(self.relief.text().strip())

    @Slot()
    def _update_relief(self) -> None:
        if self._relief_touched or self._setting_relief:
            return
        relief = relief_from_pain(
            _int_or_none(self.pain_before.text()), _int_or_none(self.pain_after.text())
        )
        self.relief.setText("" if relief is None else f"{relief:g}")


def _int_or_none(text: str) -> int | None:
    try:
        value = int(text.strip())
    except ValueError:
        return None
    return value if 0 <= value <= 10 else None


class MedicationDialog(EventDialog):
    KIND = "medication"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 600, 520)
        form = form_layout()
        self.date_row(form, "Started on")
        category = ChoiceCombo(MEDICATION_CATEGORIES, empty="— choose")
        self.add_row(form, "category", category, "Category")
        self.add_row(form, "name", TextField("e.g. naproxen"), "Medication name")
        self.add_row(
            form, "stop_date", OptionalDateField("Stopped", self.clinic.today()), "Stopped on"
        )
        self.add_row(form, "reason", NotesField(lines=2), "Reason")
        self.add_row(form, "cautions", NotesField(lines=2), "Cautions discussed")
        layout.addLayout(form)


class ConsultDialog(EventDialog):
    KIND = "consult"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 600, 520)
        form = form_layout()
        self.date_row(form, "Date of the consult")
        self.add_row(
            form, "specialty", ChoiceCombo(CONSULT_SPECIALTIES, empty="— choose"), "Specialty"
        )
        self.add_row(form, "clinician", TextField(), "Clinician")
        self.add_row(form, "outcome", NotesField(lines=3), "Outcome")
        excluded = TriState("Inflammatory disease excluded", ("Yes", "No", "Not assessed"))
        self.add_row(
            form,
            "inflammatory_disease_excluded",
            excluded,
            "Inflammatory disease excluded",
            hint="For a rheumatology consult: Yes clears the patient for the SIJ pathway.",
        )
        layout.addLayout(form)


class ProcedureDialog(EventDialog):
    KIND = "procedure"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 600, 460)
        form = form_layout()
        self.date_row(form, "Date of the procedure")
        self.add_row(form, "procedure", ChoiceCombo(PROCEDURES, empty="— choose"), "Procedure")
        side = ChoiceCombo(INJECTION_SIDES, empty="— choose")
        side.set_value(self.default_side())
        self.add_row(form, "side", side, "Side")
        self.add_row(form, "surgeon", TextField(), "Surgeon")
        self.add_row(form, "notes", NotesField(), "Notes")
        layout.addLayout(form)


class DeclineDialog(EventDialog):
    KIND = "decline"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 560, 380)
        form = form_layout()
        self.date_row(form)
        treatment = ChoiceRadios(
            [(t, word(t)) for t in DECLINABLE], accessible="Treatment declined"
        )
        self.add_row(form, "treatment", treatment, "Treatment declined")
        self.add_row(form, "reason", NotesField(lines=3), "Patient's reason")
        layout.addLayout(form)


class NoteDialog(EventDialog):
    KIND = "note"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 600, 420)
        form = form_layout()
        self.date_row(form)
        self.add_row(form, "text", NotesField(lines=8), "Note")
        layout.addLayout(form)


class DeclaredEventDialog(EventDialog):
    """The form of a kind that has no hand-made one: its declared fields, in order."""

    def build(self, layout: QVBoxLayout) -> None:
        kind = KINDS[self.KIND]
        resize_to_fit(self, 620, 180 + 60 * len(kind.fields))
        form = form_layout()
        self.date_row(form, kind.date_label)
        for declared in kind.fields:
            self.add_row(
                form, declared.name, self.widget_for(declared), declared.label, hint=declared.hint
            )
        layout.addLayout(form)

    def widget_for(self, declared: Field) -> QWidget:
        if declared.widget == "choice":
            empty = "— choose" if declared.required else "— not recorded"
            return ChoiceCombo(declared.choices, empty=empty, labels=declared.words)
        if declared.widget == "choices":
            columns = 2 if len(declared.choices) > 4 else 1
            return CheckList(declared.choices, columns=columns, labels=declared.words)
        if declared.widget == "yes_no":
            return TriState(declared.label, ("Yes", "No", "Not recorded"))
        if declared.widget in ("integer", "number"):
            high = "" if declared.high is None else f"{declared.high:g}"
            return NumberField(declared.placeholder or f"{declared.low:g}-{high}".rstrip("-"))
        if declared.widget == "date":
            return OptionalDateField(declared.label, self.clinic.today())
        if declared.widget == "notes":
            return NotesField(declared.placeholder, lines=3)
        return TextField(declared.placeholder)


EVENT_DIALOGS: dict[str, type[EventDialog]] = {
    cls.KIND: cls
    for cls in (
        AssessmentDialog,
        OutcomeDialog,
        TherapyDialog,
        InjectionDialog,
        MedicationDialog,
        ConsultDialog,
        ProcedureDialog,
        DeclineDialog,
        NoteDialog,
    )
}


def event_dialog(kind: str) -> type[EventDialog]:
    """The form that records (and amends) events of ``kind``."""
    if kind in EVENT_DIALOGS:
        return EVENT_DIALOGS[kind]
    if kind not in KINDS or not KINDS[kind].recordable:
        raise KeyError(kind)
    name = "".join(part.title() for part in kind.split("_")) + "Dialog"
    return type(name, (DeclaredEventDialog,), {"KIND": kind})


# -- other record dialogs ------------------------------------------------------------------------


class RemoveEventDialog(RecordDialog):
    """Mark an event entered in error, with a reason."""

    save_text = "&Remove"

    def __init__(self, clinic, ops, *, entry: TimelineEntry, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "Entered in error", parent)
        self.entry = entry
        resize_to_fit(self, 520, 300)
        layout = QVBoxLayout(self.body)
        text = QLabel(
            f"Remove the {kind_label(entry.kind).lower()} of {entry.event_date.isoformat()} "
            f"(“{entry.summary}”) as entered in error? It leaves the timeline but stays in "
            "its history."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        form = form_layout()
        self.reason = NotesField("Why was this entered in error?", lines=2)
        self.add_row(form, "reason", self.reason, "Reason (required)")
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def validate(self) -> dict[str, str]:
        if not self.reason.value().strip():
            return {"reason": "is required: say why the event is being removed"}
        return {}

    def perform(self) -> Callable[[], Any]:
        timeline, event_id, reason = self.clinic.timeline, self.entry.id, self.reason.value()
        return lambda: timeline.remove(event_id, reason)


class EpisodeDialog(RecordDialog):
    """Open a new episode of care (side, onset, title)."""

    def __init__(self, clinic, ops, *, patient, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "New episode of care", parent)
        self.patient = patient
        resize_to_fit(self, 560, 380)
        layout = QVBoxLayout(self.body)
        form = form_layout()
        side = ChoiceRadios(
            [
                ("right", "Right"),
                ("left", "Left"),
                ("bilateral", "Both sides"),
                ("unknown", "Not known yet"),
            ],
            accessible="Side",
        )
        self.add_row(form, "side", side, "Side of the SIJ complaint")
        self.add_row(
            form,
            "onset_date",
            OptionalDateField("Known:", clinic.today()),
            "Onset of symptoms",
            hint="The pathway reads the duration of symptoms from this date.",
        )
        self.add_row(
            form, "title", TextField("e.g. Right buttock pain after a fall"), "Title (optional)"
        )
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def validate(self) -> dict[str, str]:
        if self.fields["side"].value() is None:
            return {"side": "is required: choose the side (or Not known yet)"}
        onset = self.fields["onset_date"].value()
        if onset is not None and onset > self.clinic.today():
            return {"onset_date": f"cannot be in the future (today is {self.clinic.today()})"}
        return {}

    def perform(self) -> Callable[[], Any]:
        data = self.data()
        episodes, patient_id = self.clinic.episodes, self.patient.id
        return lambda: episodes.create(patient_id, data)


class CloseEpisodeDialog(RecordDialog):
    save_text = "&Close episode"

    def __init__(self, clinic, ops, *, episode, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "Close episode", parent)
        self.episode = episode
        resize_to_fit(self, 540, 340)
        layout = QVBoxLayout(self.body)
        text = QLabel(f"Close the episode “{episode.label}”? It can be reopened later.")
        text.setWordWrap(True)
        layout.addWidget(text)
        form = form_layout()
        self.add_row(form, "closed_on", DateField(clinic.today()), "Closed on")
        self.add_row(
            form,
            "reason",
            NotesField("e.g. Discharged: goals met", lines=2),
            "Reason (required)",
        )
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def validate(self) -> dict[str, str]:
        errors = {}
        if not self.fields["reason"].value().strip():
            errors["reason"] = "is required: say why the episode is closed"
        if self.fields["closed_on"].value() > self.clinic.today():
            errors["closed_on"] = f"cannot be in the future (today is {self.clinic.today()})"
        return errors

    def perform(self) -> Callable[[], Any]:
        episodes, episode_id = self.clinic.episodes, self.episode.id
        reason, closed_on = self.fields["reason"].value(), self.fields["closed_on"].value()
        return lambda: episodes.close(episode_id, reason, closed_on=closed_on)


class OnsetDialog(RecordDialog):
    """Set or correct the onset date of an existing episode (audited by the service)."""

    def __init__(self, clinic, ops, *, episode, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "Onset of symptoms", parent)
        self.episode = episode
        resize_to_fit(self, 520, 300)
        layout = QVBoxLayout(self.body)
        text = QLabel(
            f"When did the symptoms of “{episode.label}” begin? The pathway reads the "
            "duration of symptoms from this date."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        form = form_layout()
        onset = OptionalDateField("Known:", episode.onset_date or clinic.today())
        onset.set_value(episode.onset_date or clinic.today())
        self.add_row(form, "onset_date", onset, "Onset of symptoms")
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def validate(self) -> dict[str, str]:
        try:
            self.clinic.episodes.validate(
                {"onset_date": self.fields["onset_date"].value()}, partial=True
            )
        except ValidationError as exc:
            return dict(exc.errors)
        return {}

    def perform(self) -> Callable[[], Any]:
        episodes, episode_id = self.clinic.episodes, self.episode.id
        onset = self.fields["onset_date"].value()
        return lambda: episodes.update(episode_id, {"onset_date": onset})


def buttons_of(widget: QWidget) -> list[QAbstractButton]:
    return widget.findChildren(QAbstractButton)


def expanding(widget: QWidget) -> QWidget:
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return widget
