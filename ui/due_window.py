"""The follow-up ("Due") list in a window: whom to call back, longest due first.

Rows come a page at a time from the worker thread as the list is scrolled
(Qt's fetchMore), so a list of thousands opens as fast as one page. Reception
sees names, phone numbers and "Follow-up due"; clinicians see the reason.
A row is marked contacted or booked (with a note) or snoozed until a day;
the mark is saved on the worker and the row leaves the list. Open patient (or a
double-click) shows the row's patient in the main window; administrators set
the intervals that make a patient due (Intervals…). The call list
prints the rows as reception sees them, with room to write the outcome.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtCore import Signal as QtSignal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError, ValidationError
from sijdesk.services.due import PAGE, DueIntervals, DueRow
from sijdesk.services.settings import LIMITS
from sijdesk.ui.errors import Messages
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.workers import Operations

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Due since", "Record", "Name", "Phone", "Reason")


class DueListModel(QAbstractTableModel):
    """The list's rows, fetched a page at a time on the worker as the view asks."""

    loadingChanged = QtSignal(bool)
    totalChanged = QtSignal(int)

    def __init__(self, service, ops: Operations, parent=None):
        super().__init__(parent)
        self._service = service
        self._ops = ops
        self._rows: list[DueRow] = []
        self.total = 0
        self._generation = 0
        self.loading = False

    def refresh(self) -> None:
        """Read the list again from its first page (after a mark, or on opening)."""
        self._generation += 1
        generation = self._generation
        self._set_loading(True)
        service = self._service
        self._ops.run(
            lambda: service.page(offset=0, limit=PAGE),
            on_success=lambda page: self._first(generation, page),
            on_failure=self._failed,
            context=self,
            label="follow-up list",
        )

    def _set_loading(self, loading: bool) -> None:
        self.loading = loading
        self.loadingChanged.emit(loading)

    def _failed(self, _exc: BaseException) -> bool:
        self._set_loading(False)
        return False  # the window's default: a message, never a traceback

    def _first(self, generation: int, page) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._rows = list(page.rows)
        self.total = page.total
        self.endResetModel()
        self._set_loading(False)
        self.totalChanged.emit(self.total)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return not parent.isValid() and not self.loading and len(self._rows) < self.total

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008, N802
        if not self.canFetchMore(parent):
            return
        generation = self._generation
        offset = len(self._rows)
        self._set_loading(True)
        service = self._service
        self._ops.run(
            lambda: service.page(offset=offset, limit=PAGE),
            on_success=lambda page: self._more(generation, offset, page),
            on_failure=self._failed,
            context=self,
            label="follow-up list page",
        )

    def _more(self, generation: int, offset: int, page) -> None:
        if generation != self._generation or offset != len(self._rows):
            self._set_loading(False)
            return
        if page.rows:
            self.beginInsertRows(QModelIndex(), offset, offset + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self.total = page.total if page.rows else len(self._rows)
        self._set_loading(False)

    def row_at(self, row: int) -> DueRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row = self._rows[index.row()]
        return (
            row.since.isoformat(),
            row.record_number,
            row.name,
            row.phone,
            row.reason,
        )[index.column()]


class MarkDialog(QDialog):
    """Contacted or booked, with a note; or snoozed until a day."""

    def __init__(self, kind: str, row: DueRow, today, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        titles = {
            "contacted": "Mark as contacted",
            "booked": "Mark as booked",
            "snoozed": "Snooze until a day",
        }
        self.setWindowTitle(f"{titles[kind]} — SIJ Desk")
        form = QFormLayout(self)
        form.addRow("Patient", QLabel(f"{row.name} ({row.record_number})"))
        self.note = QLineEdit()
        self.note.setAccessibleName("Note")
        self.note.setMaxLength(2000)
        self.until = QDateEdit(QDate(today.year, today.month, today.day).addDays(7))
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("yyyy-MM-dd")
        self.until.setAccessibleName("Snooze until")
        if kind == "snoozed":
            form.addRow("&Until", self.until)
        form.addRow("&Note", self.note)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {"note": self.note.text()}
        if self.kind == "snoozed":
            values["until"] = self.until.date().toPython()
        return values


# (DueIntervals' name, the clinic setting's name, the label)
INTERVAL_FIELDS = (
    ("outcome_weeks", "due_outcome_weeks", "&No outcome measure for more than"),
    ("relief_weeks", "due_relief_weeks", "Injection &relief unrecorded after"),
    ("referral_weeks", "due_referral_weeks", "A referral &letter without its step after"),
)


class IntervalsDialog(QDialog):
    """The clinic's follow-up intervals, in weeks (administrators). Saved on the
    worker; a refused value is named beside its field and nothing is saved."""

    def __init__(self, clinic, ops: Operations, current: DueIntervals, parent=None):
        super().__init__(parent)
        self.clinic = clinic
        self.ops = ops
        self.setWindowTitle("Follow-up intervals — SIJ Desk")
        form = QFormLayout(self)
        form.addRow(QLabel("A patient with an open episode is due for follow-up when:"))
        self.fields: dict[str, QSpinBox] = {}
        self.errors: dict[str, QLabel] = {}
        for name, setting, text in INTERVAL_FIELDS:
            low, high, _unit = LIMITS[setting]
            box = QSpinBox()
            box.setRange(low, high)
            box.setSuffix(" weeks")
            box.setValue(getattr(current, name))
            box.setAccessibleName(text.replace("&", ""))
            error = QLabel("")
            error.setStyleSheet("color: #b00020;")
            error.hide()  # shown with a message only
            label = QLabel(text)
            label.setBuddy(box)
            form.addRow(label, box)
            form.addRow(error)
            self.fields[setting] = box
            self.errors[setting] = error
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def values(self) -> dict[str, int]:
        """The clinic settings to save, by their names."""
        return {setting: box.value() for setting, box in self.fields.items()}

    def save(self) -> None:
        for error in self.errors.values():
            error.setText("")
            error.hide()
        changes = self.values()
        settings = self.clinic.settings
        self.buttons.setEnabled(False)

        def failed(exc: BaseException) -> bool:
            self.buttons.setEnabled(True)
            if isinstance(exc, ValidationError):
                for name, message in exc.errors.items():
                    error = self.errors.get(name, self.errors["due_outcome_weeks"])
                    error.setText(message)
                    error.show()
                return True
            if isinstance(exc, UserError):
                Messages.warning(self, "Follow-up intervals", str(exc))
                return True
            return False

        self.ops.run(
            lambda: settings.update(changes),
            on_success=lambda _r: self.accept(),
            on_failure=failed,
            context=self,
            label="follow-up intervals",
        )


class DueWindow(QDialog):
    """Everyone may see the list; the service words it by role."""

    changed = QtSignal()  # a mark was saved: the toolbar's count is out of date
    openPatient = QtSignal(int)  # noqa: N815 - Qt's signal naming; the patient's id

    def __init__(self, clinic, *, ops: Operations | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.service = clinic.due
        self.ops = ops if ops is not None else Operations(self)
        self.setObjectName("dueWindow")
        self.setWindowTitle("Follow-up list — SIJ Desk")
        resize_to_fit(self, 980, 600)

        self.model = DueListModel(self.service, self.ops, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Patients due for follow-up")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.count_label = QLabel("Reading the list…")
        self.count_label.setObjectName("dueCount")

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for kind, text in (
            ("contacted", "&Contacted…"),
            ("booked", "&Booked…"),
            ("snoozed", "&Snooze…"),
        ):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, k=kind: self.mark_selected(k))
            button.setEnabled(False)
            self.buttons[kind] = button
            row.addWidget(button)
        self.open_button = QPushButton("&Open patient")
        self.open_button.setToolTip(
            "Open the patient's record in the main window (or double-click)"
        )
        self.open_button.clicked.connect(self.open_selected)
        self.open_button.setEnabled(False)
        row.addWidget(self.open_button)
        row.addStretch(1)
        self.intervals_button = QPushButton("&Intervals…")
        self.intervals_button.setToolTip("When a patient becomes due (administrators)")
        self.intervals_button.clicked.connect(self.edit_intervals)
        self.intervals_button.setVisible("admin" in clinic.actor.roles)
        row.addWidget(self.intervals_button)
        self.print_button = QPushButton("&Print call list…")
        self.print_button.clicked.connect(self.save_call_list)
        row.addWidget(self.print_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.model.totalChanged.connect(self._show_total)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.table.activated.connect(lambda _index: self.open_selected())
        self.model.refresh()

    @property
    def loading(self) -> bool:
        return self.model.loading or self.ops.busy

    def _show_total(self, total: int) -> None:
        self.count_label.setText(
            "Nobody is due for follow-up."
            if total == 0
            else f"{total} due for follow-up, longest due first."
        )

    def selected(self) -> DueRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selection_changed(self, *_args) -> None:
        for button in (*self.buttons.values(), self.open_button):
            button.setEnabled(self.selected() is not None)

    def open_selected(self) -> None:
        """Show the selected row's patient in the main window (this list stays open)."""
        row = self.selected()
        if row is not None:
            self.openPatient.emit(row.patient_id)

    def ask_intervals(self, dialog: IntervalsDialog) -> bool:
        """Show the intervals dialog; True when saved. Tests monkeypatch this."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def edit_intervals(self) -> None:
        due = self.service
        self.ops.run(
            due.intervals,
            on_success=self._ask_intervals,
            context=self,
            label="follow-up intervals",
        )

    def _ask_intervals(self, current: DueIntervals) -> None:
        if self.ask_intervals(IntervalsDialog(self.clinic, self.ops, current, self)):
            self.changed.emit()
            self.model.refresh()

    def ask_mark(self, kind: str, row: DueRow) -> dict[str, Any] | None:
        """The note (and day) for a mark; None when cancelled. Tests monkeypatch this."""
        dialog = MarkDialog(kind, row, self.clinic.today(), self)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def mark_selected(self, kind: str) -> None:
        row = self.selected()
        if row is None:
            return
        values = self.ask_mark(kind, row)
        if values is None:
            return
        service = self.service

        def marked(_result: object) -> None:
            self.changed.emit()
            self.model.refresh()

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError):
                Messages.warning(
                    self,
                    "Follow-up list",
                    "; ".join(f"{k.capitalize()}: {v}" for k, v in exc.errors.items()),
                )
                return True
            return False

        self.ops.run(
            lambda: service.mark(row, kind, **values),
            on_success=marked,
            on_failure=failed,
            context=self,
            label="mark follow-up",
        )

    def ask_save_path(self, suggested: str) -> str:
        """Tests monkeypatch this."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the call list", suggested, "PDF files (*.pdf)"
        )
        return path

    def save_call_list(self) -> str | None:
        today = self.clinic.today()
        path = self.ask_save_path(f"call-list-{today.isoformat()}.pdf")
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        service = self.service

        def write() -> None:
            from pathlib import Path

            from sijdesk.durable import write_export

            write_export(Path(path), service.call_list_pdf())

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, UserError):
                Messages.warning(self, "Save the call list", str(exc))
                return True
            return False

        self.ops.run(
            write,
            on_success=lambda _r: self.count_label.setText(f"Saved the call list to {path}."),
            on_failure=failed,
            context=self,
            label="call list",
        )
        return path
