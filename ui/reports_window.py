"""The clinic's outcome report in a window (clinicians and administrators).

A period and, if wanted, one clinician's episodes; Show counts on the worker
thread (a second or two at 100,000 patients) while a busy bar runs and the
window stays usable. The charts and tables are the service's own figures and
text, small numbers already hidden; Save PDF… and Save CSV… write the report shown (each audited
by the service with its output).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError, ValidationError
from sijdesk.services.outcomes import DEFAULT_MINIMUM_CELL
from sijdesk.services.settings import LIMITS
from sijdesk.ui.errors import Messages
from sijdesk.ui.report_chart import ReportChartView
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.table_models import RowsTableModel, rows_table
from sijdesk.ui.workers import Operations

WHOLE_CLINIC = "The whole clinic"


class TextTableModel(RowsTableModel):
    """One of the report's tables: its header and rows of text."""

    def __init__(self, header: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.header = header

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.header)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.header[section]
        return None

    def cell(self, row: tuple[str, ...], column: int) -> Any:
        return row[column]


def _date_edit(name: str, day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setAccessibleName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


class ReportsWindow(QDialog):
    """The outcome report; the service refuses reception."""

    def __init__(self, clinic, *, ops: Operations | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.service = clinic.outcomes
        self.ops = ops if ops is not None else Operations(self)
        self.report = None
        self.models: list[TextTableModel] = []
        self.charts: list[ReportChartView] = []
        self.setObjectName("reportsWindow")
        self.setWindowTitle("Outcome report — SIJ Desk")
        resize_to_fit(self, 1100, 720)

        today = clinic.today()
        self.start = _date_edit("From", today - timedelta(days=364))
        self.end = _date_edit("To", today)
        self.clinician = QComboBox()
        self.clinician.setObjectName("reportClinician")
        self.clinician.setAccessibleName("Episodes of")
        self.show_button = QPushButton("&Show")
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.refresh)
        self.pdf_button = QPushButton("Save &PDF…")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.csv_button = QPushButton("Save &CSV…")
        self.csv_button.clicked.connect(self.save_csv)
        for button in (self.pdf_button, self.csv_button):
            button.setEnabled(False)
        self.small_button = QPushButton("Small &numbers…")
        self.small_button.setToolTip("The smallest count the report shows (administrators)")
        self.small_button.clicked.connect(self.edit_minimum_cell)
        self.small_button.setVisible("admin" in clinic.actor.roles)

        filters = QHBoxLayout()
        for text, widget in (
            ("&From", self.start),
            ("&To", self.end),
            ("&Episodes of", self.clinician),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget, 1 if widget is self.clinician else 0)
            filters.addSpacing(8)
        for button in (self.show_button, self.pdf_button, self.csv_button, self.small_button):
            filters.addWidget(button)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # counting: no steps to show, only that it is working
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        self.busy.setAccessibleName("Counting")
        self.busy.hide()
        self.status = QLabel("")
        self.status.setObjectName("reportStatus")
        self.status.setWordWrap(True)
        self.error = QLabel("")
        self.error.setObjectName("reportError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)

        self.content = QWidget()
        self.content_layout = QVBoxLayout(self.content)
        self.content_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.content)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        self._fill_clinicians()
        self.refresh()

    def _fill_clinicians(self) -> None:
        self.clinician.addItem(WHOLE_CLINIC, None)
        try:
            people = self.service.clinicians()
        except UserError as exc:
            self.error.setText(str(exc))
            return
        for username, name in people:
            self.clinician.addItem(f"{name} ({username})", username)

    # -- counting -----------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        return self.busy.isVisible()

    def refresh(self) -> None:
        """Count the report for the chosen period on the worker thread."""
        self.error.setText("")
        start = self.start.date().toPython()
        end = self.end.date().toPython()
        clinician = self.clinician.currentData()
        self.show_button.setEnabled(False)
        self.busy.show()
        self.status.setText("Counting the episodes of the period…")
        service = self.service
        self.ops.run(
            lambda: service.report(start, end, clinician=clinician),
            on_success=self._show,
            on_failure=self._failed,
            context=self,
            label="outcome report",
        )

    def _done(self) -> None:
        self.busy.hide()
        self.show_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> bool:
        self._done()
        self.status.setText("")
        if isinstance(exc, ValidationError):
            fields = {
                "start": "From",
                "clinician": "Episodes of",
                "report_min_cell": "Smallest count shown",
            }
            self.error.setText("; ".join(f"{fields.get(k, k)}: {v}" for k, v in exc.errors.items()))
            return True
        if isinstance(exc, UserError):
            self.error.setText(str(exc))
            return True
        return False

    def _show(self, report) -> None:
        self._done()
        self.report = report
        self.status.setText(
            f"{report.title()} · {report.about()} · {report.period()}. "
            f"Counts from 1 to {report.minimum_cell - 1} show as "
            f'"fewer than {report.minimum_cell}".'
        )
        while self.content_layout.count():
            item = self.content_layout.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.deleteLater()
        summary = QGridLayout()
        for row, (label, value) in enumerate(report.summary()):
            summary.addWidget(QLabel(label), row, 0)
            shown = QLabel(f"<b>{value}</b>")
            shown.setTextFormat(Qt.TextFormat.RichText)
            summary.addWidget(shown, row, 1)
        summary.setColumnStretch(2, 1)
        holder = QWidget()
        holder.setLayout(summary)
        self.content_layout.addWidget(holder)
        self.charts = [ReportChartView(chart, self.content) for chart in report.charts()]
        for chart in self.charts:
            self.content_layout.addWidget(chart)
        self.models = []
        for table in report.tables():
            heading = QLabel(f"<b>{table.heading}</b>")
            heading.setTextFormat(Qt.TextFormat.RichText)
            self.content_layout.addWidget(heading)
            model = TextTableModel(table.header, self)
            model.set_rows(list(table.rows))
            self.models.append(model)
            view = rows_table(model, table.heading)
            view.setObjectName("reportTable")
            # As tall as its rows: the window scrolls, not each table.
            view.setFixedHeight(
                view.horizontalHeader().sizeHint().height()
                + view.verticalHeader().length()
                + 2 * view.frameWidth()
                + 2
            )
            self.content_layout.addWidget(view)
        for note in report.notes():
            text = QLabel(note)
            text.setWordWrap(True)
            text.setStyleSheet("color: palette(placeholder-text);")
            self.content_layout.addWidget(text)
        self.content_layout.addStretch(1)
        for button in (self.pdf_button, self.csv_button):
            button.setEnabled(True)

    # -- the small-numbers setting --------------------------------------------------------

    def ask_minimum_cell(self, current: int) -> int | None:
        """The new smallest count shown, or None when cancelled. Tests monkeypatch this."""
        low, high, _unit = LIMITS["report_min_cell"]
        value, ok = QInputDialog.getInt(
            self,
            "Small numbers — SIJ Desk",
            "To protect patients, counts from 1 up to one less than this are shown as\n"
            '"fewer than N", and no share or median is given for fewer episodes.\n\n'
            "Smallest count shown:",
            current,
            low,
            high,
        )
        return value if ok else None

    def edit_minimum_cell(self) -> None:
        current = self.report.minimum_cell if self.report else DEFAULT_MINIMUM_CELL
        value = self.ask_minimum_cell(current)
        if value is None or value == current:
            return
        settings = self.clinic.settings
        self.ops.run(
            lambda: settings.update({"report_min_cell": value}),
            on_success=lambda _r: self.refresh(),
            on_failure=self._failed,
            context=self,
            label="small numbers",
        )

    # -- saving -------------------------------------------------------------------------

    def ask_save_path(self, title: str, suggested: str, kind: str) -> str:
        """Tests monkeypatch this."""
        path, _ = QFileDialog.getSaveFileName(self, title, suggested, kind)
        return path

    def _save(self, output: str, suffix: str, kind: str) -> str | None:
        """Ask where, then count and write on the worker thread; the path, or None."""
        if self.report is None:
            return None
        report = self.report
        name = f"outcome-report-{report.start.isoformat()}-{report.end.isoformat()}{suffix}"
        path = self.ask_save_path(f"Save the outcome report as {output.upper()}", name, kind)
        if not path:
            return None
        if not path.lower().endswith(suffix):
            path += suffix
        service = self.service

        def write() -> None:
            from pathlib import Path

            from sijdesk.durable import write_export

            # Made again for the file, so the audit trail says where it went.
            again = service.report(
                report.start, report.end, clinician=report.clinician, output=output
            )
            data = service.pdf(again) if output == "pdf" else again.csv_bytes()
            write_export(Path(path), data)

        def failed(exc: BaseException) -> bool:
            self._done()
            if isinstance(exc, UserError):
                Messages.warning(self, "Save the outcome report", str(exc))
                return True
            return False

        def saved(_result: object) -> None:
            self._done()
            self.status.setText(f"Saved the outcome report to {path}.")

        self.show_button.setEnabled(False)
        self.busy.show()
        self.status.setText(f"Writing {path}…")
        self.ops.run(write, on_success=saved, on_failure=failed, context=self, label="save report")
        return path

    def save_pdf(self) -> str | None:
        return self._save("pdf", ".pdf", "PDF files (*.pdf)")

    def save_csv(self) -> str | None:
        return self._save("csv", ".csv", "CSV files (*.csv)")
