"""The administrator's audit window: the chain's state, filtered events, CSV export.

Filters: user, patient (record number), action family ("signin" also finds
"signin.failed"), and an inclusive date range. The newest events are shown
first, at most ``PAGE`` at a time; the export writes every matching event.
Checking the chain reads every event, so it runs on the background worker
while the window stays usable. Viewing, checking and exporting are audited
by :class:`~sijdesk.services.audit.AuditService`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError
from sijdesk.services.audit import AuditFilter, AuditRow
from sijdesk.ui.errors import Messages
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.table_models import RowsTableModel
from sijdesk.ui.workers import Operations

COLUMNS = ("When", "User", "Action", "Patient", "What", "Details")
PAGE = 500
ANY = "(any)"


class AuditModel(RowsTableModel):
    """Audit events, newest first."""

    COLUMNS = COLUMNS

    def cell(self, row: AuditRow, column: int) -> Any:
        if column == 0:
            return row.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if column == 1:
            return row.username
        if column == 2:
            return row.action
        if column == 3:
            return row.record_number
        if column == 4:
            return row.summary
        return json.dumps(row.details, ensure_ascii=False, sort_keys=True) if row.details else ""


def _optional_date(which: str) -> tuple[QCheckBox, QDateEdit]:
    check = QCheckBox()
    check.setAccessibleName(f"Filter: {which.lower()} a date")
    edit = QDateEdit(QDate.currentDate())
    edit.setAccessibleName(f"{which} date")
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setEnabled(False)
    check.toggled.connect(edit.setEnabled)
    return check, edit


class AuditWindow(QDialog):
    """Administrators only; the service refuses anyone else."""

    def __init__(self, clinic, *, ops: Operations | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.service = clinic.audit
        self.ops = ops if ops is not None else Operations(self)
        self.setObjectName("auditWindow")
        self.setWindowTitle("Audit trail — SIJ Desk")
        resize_to_fit(self, 1100, 640)

        self.chain_label = QLabel("Audit chain: not checked yet")
        self.chain_label.setObjectName("chainState")
        self.chain_label.setWordWrap(True)
        self.check_button = QPushButton("Check the chain")
        self.check_button.clicked.connect(self.check_chain)
        chain_row = QHBoxLayout()
        chain_row.addWidget(self.chain_label, 1)
        chain_row.addWidget(self.check_button)

        self.user = QComboBox()
        self.user.setObjectName("filterUser")
        self.user.setAccessibleName("Filter by user")
        self.patient = QLineEdit()
        self.patient.setObjectName("filterPatient")
        self.patient.setAccessibleName("Filter by patient record number")
        self.patient.setPlaceholderText("record number")
        self.patient.setMaxLength(20)
        self.action = QComboBox()
        self.action.setObjectName("filterAction")
        self.action.setAccessibleName("Filter by action")
        self.since_check, self.since = _optional_date("From")
        self.until_check, self.until = _optional_date("To")
        self.show_button = QPushButton("Show")
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.refresh)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.clicked.connect(self.export_csv)
        self.patient.returnPressed.connect(self.refresh)

        filters = QGridLayout()
        filters.addWidget(QLabel("User"), 0, 0)
        filters.addWidget(self.user, 0, 1)
        filters.addWidget(QLabel("Patient"), 0, 2)
        filters.addWidget(self.patient, 0, 3)
        filters.addWidget(QLabel("Action"), 0, 4)
        filters.addWidget(self.action, 0, 5)
        filters.addWidget(QLabel("From"), 1, 0)
        since_box = QHBoxLayout()
        since_box.addWidget(self.since_check)
        since_box.addWidget(self.since, 1)
        filters.addLayout(since_box, 1, 1)
        filters.addWidget(QLabel("To"), 1, 2)
        until_box = QHBoxLayout()
        until_box.addWidget(self.until_check)
        until_box.addWidget(self.until, 1)
        filters.addLayout(until_box, 1, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.export_button)
        filters.addLayout(buttons, 1, 5)

        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Audit events")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.count_label = QLabel("")
        self.count_label.setObjectName("auditCount")
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(chain_row)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self._fill_choices()
        self.refresh()

    def _fill_choices(self) -> None:
        try:
            users = [u.username for u in self.clinic.users.all_users()]
            actions = self.service.actions()
        except UserError as exc:
            self.error.setText(str(exc))
            users, actions = [], []
        self.user.addItems([ANY, *users])
        families = sorted({a.split(".")[0] for a in actions} | set(actions))
        self.action.addItems([ANY, *families])

    def filters(self) -> AuditFilter:
        def chosen(combo: QComboBox) -> str | None:
            text = combo.currentText()
            return None if text == ANY else text

        def day(check: QCheckBox, edit: QDateEdit) -> date | None:
            return edit.date().toPython() if check.isChecked() else None  # type: ignore[return-value]

        return AuditFilter(
            username=chosen(self.user),
            patient_record_number=self.patient.text().strip() or None,
            action=chosen(self.action),
            since=day(self.since_check, self.since),
            until=day(self.until_check, self.until),
        )

    def refresh(self) -> None:
        self.error.setText("")
        try:
            filters = self.filters()
            # Counted first: showing the events is itself recorded as an event.
            total = self.service.count(filters)
            rows = self.service.events(filters, limit=PAGE)
        except UserError as exc:
            self.error.setText(str(exc).replace("until: ", "To: "))
            return
        self.model.set_rows(rows)
        shown = len(rows)
        self.count_label.setText(
            f"{total} matching events"
            + (f"; the newest {shown} are shown" if total > shown else "")
        )

    def check_chain(self) -> None:
        self.check_button.setEnabled(False)
        self.chain_label.setText("Audit chain: checking every event…")
        service = self.service
        self.ops.run(
            service.verify,
            on_success=self._show_chain,
            on_failure=self._chain_failed,
            context=self,
            label="check audit chain",
        )

    def _show_chain(self, report) -> None:
        self.check_button.setEnabled(True)
        if report.ok:
            self.chain_label.setStyleSheet("color: #1b5e20;")
            self.chain_label.setText(
                f"Audit chain intact: {report.events_checked} events, each sealed to the one "
                "before under the key kept outside the database."
            )
        else:
            self.chain_label.setStyleSheet("color: #b00020; font-weight: bold;")
            self.chain_label.setText(
                f"Audit chain BROKEN at event {report.first_broken_event}: "
                + "; ".join(report.problems)
            )

    def _chain_failed(self, exc: BaseException) -> bool:
        self.check_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.chain_label.setText(f"Audit chain: could not be checked ({exc})")
            return True
        return False

    def ask_export_path(self) -> str:
        """Tests monkeypatch this."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the audit trail", "audit-trail.csv", "CSV files (*.csv)"
        )
        return path

    def export_csv(self) -> int | None:
        path = self.ask_export_path()
        if not path:
            return None
        if not path.lower().endswith(".csv"):
            path += ".csv"
        try:
            count = self.service.export_csv(path, self.filters())
        except UserError as exc:
            Messages.warning(self, "Export the audit trail", str(exc))
            return None
        self.count_label.setText(f"Exported {count} events to {path}.")
        return count
