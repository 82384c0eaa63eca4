"""Field widgets shared by every form: each has value(), set_value() and connect_changed()."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from sijdesk.ui.describe import ODI_SECTIONS, field_label, odi_text, word

ERROR_STYLE = "color: #b00020;"
# Messages that read as the end of a sentence about the field ("is required").
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


class _LineField(QLineEdit):
    """One line of typed text; subclasses say what its value is."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setPlaceholderText(placeholder)

    def set_value(self, value: Any) -> None:
        self.setText(number_text(value) if not isinstance(value, str) else value)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.textChanged.connect(lambda _t: slot())


class TextField(_LineField):
    def value(self) -> str:
        return self.text()


class NumberField(_LineField):
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


def escape_html(text: str) -> str:
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


def buttons_of(widget: QWidget) -> list[QAbstractButton]:
    return widget.findChildren(QAbstractButton)


def expanding(widget: QWidget) -> QWidget:
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return widget
