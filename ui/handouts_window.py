"""Reception's handout window: print handouts without opening any clinical record.

Pick a handout, optionally find a patient (demographics only: the patient
search every role may use), preview or print. A print for a patient records
which version went to whom and when; the history below shows it. A
patient's latest care plan (made by a clinician) can be printed from here
too. Nothing in this window reads clinical notes, so it works for the
reception role.

All service calls run on the background worker; the printing dialog is the
shared :class:`~sijdesk.ui.pdf_preview.PdfPrinter` (tests replace its
``ask_print_dialog``).

Signals:
    handoutPrinted(object): the recorded HandoutPrint.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import (
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sijdesk.ui.errors import Messages
from sijdesk.ui.pdf_preview import NO_PRINTER, PdfPrinter, show_preview
from sijdesk.ui.sizing import resize_to_fit, roomy_list_items
from sijdesk.ui.table_models import RowsTableModel
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

COLUMNS = ("Printed", "Handout", "Version", "Patient", "Printed by")


class HistoryModel(RowsTableModel):
    """Printed handouts, newest first."""

    COLUMNS = COLUMNS

    def cell(self, item: Any, column: int) -> Any:
        if column == 0:
            return item.at.astimezone().strftime("%Y-%m-%d %H:%M")
        if column == 1:
            return item.title + (" (large print)" if item.large_print else "")
        if column == 2:
            return item.version
        if column == 3:
            if item.patient_id is None:
                return "blank (no patient)"
            return f"{item.patient_name} · {item.record_number}"
        return item.printed_by


class HandoutsWindow(QDialog):
    """The handout library for reception (non-modal)."""

    handoutPrinted = Signal(object)

    def __init__(
        self,
        clinic,
        *,
        ops: Operations | None = None,
        printer: PdfPrinter | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.clinic = clinic
        self.ops = ops if ops is not None else Operations(self)
        self.service = clinic.documents
        self.printer = printer or PdfPrinter(self)
        self.patient = None
        self.previews: list[QDialog] = []
        self.setWindowTitle("Handouts")
        self.setObjectName("handoutsWindow")
        resize_to_fit(self, 980, 640)

        self.handout_list = QListWidget()
        roomy_list_items(self.handout_list)
        self.handout_list.setAccessibleName("Handouts")
        for handout in self.service.handouts():
            item = QListWidgetItem(f"{handout.title}  (version {handout.version})")
            item.setData(Qt.ItemDataRole.UserRole, handout.name)
            item.setToolTip(handout.summary)
            self.handout_list.addItem(item)
        self.handout_list.setCurrentRow(0)
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Name, record number or date of birth")
        self.search.setAccessibleName("Find a patient")
        self.results = QListWidget()
        roomy_list_items(self.results)
        self.results.setAccessibleName("Matching patients")
        self.blank = QCheckBox("Print &blank (no patient)")
        self.blank.setChecked(True)
        self.chosen = QLabel("No patient chosen: the handout prints with lines to fill in.")
        self.chosen.setWordWrap(True)
        self.large_print = QCheckBox("&Large print")
        self.preview_button = QPushButton("Pre&view…")
        self.print_button = QPushButton("&Print…")
        self.print_button.setDefault(True)
        self.care_plan_button = QPushButton("Print latest &care plan…")
        self.care_plan_button.setToolTip("The patient's latest care plan, made by their clinician")
        self.close_button = QPushButton("Close")
        self.status = QLabel()
        self.status.setStyleSheet("color: #555555;")
        self.history_model = HistoryModel(self)
        self.history = QTableView()
        self.history.setModel(self.history_model)
        self.history.setAccessibleName("Handouts given")
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.history.verticalHeader().setVisible(False)
        self.history_title = QLabel("Handouts given (all patients)")

        handouts_box = QGroupBox("1. Choose a handout")
        box_layout = QVBoxLayout(handouts_box)
        box_layout.addWidget(self.handout_list, 1)
        box_layout.addWidget(self.summary)
        patient_box = QGroupBox("2. For a patient (optional)")
        find_label = QLabel("&Find:")
        find_label.setBuddy(self.search)
        row = QHBoxLayout()
        row.addWidget(find_label)
        row.addWidget(self.search, 1)
        p_layout = QVBoxLayout(patient_box)
        p_layout.addLayout(row)
        p_layout.addWidget(self.results, 1)
        p_layout.addWidget(self.blank)
        p_layout.addWidget(self.chosen)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(handouts_box)
        top.addWidget(patient_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.large_print)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.care_plan_button)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(top, 3)
        layout.addLayout(buttons)
        layout.addWidget(self.history_title)
        layout.addWidget(self.history, 2)
        for first, second in (
            (self.handout_list, self.search),
            (self.search, self.results),
            (self.results, self.blank),
            (self.blank, self.large_print),
            (self.large_print, self.care_plan_button),
            (self.care_plan_button, self.preview_button),
            (self.preview_button, self.print_button),
            (self.print_button, self.close_button),
            (self.close_button, self.history),
        ):
            self.setTabOrder(first, second)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.run_search)
        self.search.textEdited.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.run_search)
        self.results.currentRowChanged.connect(self._on_result_chosen)
        self.blank.toggled.connect(self._on_blank_toggled)
        self.handout_list.currentRowChanged.connect(self._on_handout_chosen)
        self.preview_button.clicked.connect(self.preview)
        self.print_button.clicked.connect(self.print_handout)
        self.care_plan_button.clicked.connect(self.print_care_plan)
        self.close_button.clicked.connect(self.close)
        self._on_handout_chosen(self.handout_list.currentRow())
        self._update_buttons()
        self.refresh_history()

    # -- choosing ---------------------------------------------------------------------------------

    def handout_name(self) -> str | None:
        item = self.handout_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _on_handout_chosen(self, _row: int) -> None:
        item = self.handout_list.currentItem()
        self.summary.setText(item.toolTip() if item is not None else "")
        self._update_buttons()

    @Slot()
    def run_search(self) -> None:
        text = self.search.text().strip()
        if not text:
            self.results.clear()
            return
        patients = self.clinic.patients
        self.ops.run(
            lambda: patients.search(text, limit=30),
            on_success=self._on_results,
            context=self,
            label="handout patient search",
        )

    def _on_results(self, found: list) -> None:
        self.results.clear()
        for patient in found:
            item = QListWidgetItem(
                f"{patient.display_name} · DOB {patient.date_of_birth.isoformat()} · "
                f"Record {patient.record_number}"
            )
            item.setData(Qt.ItemDataRole.UserRole, patient)
            self.results.addItem(item)
        if not found:
            self.status.setText("No patient matches.")
        else:
            self.status.clear()

    def _on_result_chosen(self, row: int) -> None:
        item = self.results.item(row) if row >= 0 else None
        if item is None:
            return
        self.set_patient(item.data(Qt.ItemDataRole.UserRole))

    def set_patient(self, patient) -> None:
        """Choose the patient the handout is for (None prints it blank)."""
        self.patient = patient
        self.blank.blockSignals(True)
        self.blank.setChecked(patient is None)
        self.blank.blockSignals(False)
        if patient is None:
            self.chosen.setText("No patient chosen: the handout prints with lines to fill in.")
            self.history_title.setText("Handouts given (all patients)")
        else:
            self.chosen.setText(
                f"For: {patient.display_name} · DOB {patient.date_of_birth.isoformat()} · "
                f"Record {patient.record_number}"
            )
            self.history_title.setText(f"Handouts given to {patient.display_name}")
        self._update_buttons()
        self.refresh_history()

    def _on_blank_toggled(self, checked: bool) -> None:
        if checked:
            self.results.clearSelection()
            self.set_patient(None)
        elif self.patient is None:
            self.blank.blockSignals(True)
            self.blank.setChecked(True)
            self.blank.blockSignals(False)
            self.status.setText("Find and choose a patient first.")

    def _update_buttons(self) -> None:
        has_handout = self.handout_name() is not None
        self.preview_button.setEnabled(has_handout)
        self.print_button.setEnabled(has_handout)
        self.care_plan_button.setEnabled(self.patient is not None)

    # -- history ----------------------------------------------------------------------------------

    @Slot()
    def refresh_history(self) -> None:
        service = self.service
        patient_id = self.patient.id if self.patient is not None else None
        self.ops.run(
            lambda: service.handout_history(patient_id),
            on_success=self.history_model.set_rows,
            context=self,
            label="handout history",
        )

    # -- printing ----------------------------------------------------------------------------------

    def _render(self, then) -> None:
        name = self.handout_name()
        if name is None:
            return
        service = self.service
        patient_id = self.patient.id if self.patient is not None else None
        large = self.large_print.isChecked()
        self.status.setText("Preparing the handout…")
        self.ops.run(
            lambda: (
                name,
                patient_id,
                large,
                service.render_handout(name, patient_id, large_print=large),
            ),
            on_success=lambda result: self._rendered(result, then),
            context=self,
            label="render handout",
        )

    def _rendered(self, result: tuple, then) -> None:
        self.status.clear()
        then(*result)

    @Slot()
    def preview(self) -> None:
        def show(name, patient_id, large, made):
            preview = show_preview(
                made.pdf,
                f"{made.title}" + (f" — {self.patient.display_name}" if self.patient else ""),
                file_name=made.file_name,
                parent=self,
                on_printed=lambda _printer: self._record(name, patient_id, large, made),
                on_saved=lambda path: self.ops.run(
                    lambda: self.service.record_save(made, path), label="record save"
                ),
            )
            self.previews.append(preview)

        self._render(show)

    @Slot()
    def print_handout(self) -> None:
        """Print the chosen handout; the print is recorded once it was sent."""
        if not self.printer.printers_available():
            Messages.info(self, "No printer", NO_PRINTER)
            return

        def send(name, patient_id, large, made):
            if self.printer.print_pdf(made.pdf, made.title) is None:
                self.status.setText("Not printed.")
                return
            self._record(name, patient_id, large, made)

        self._render(send)

    def _record(self, name, patient_id, large, made) -> None:
        service = self.service
        self.ops.run(
            lambda: service.record_handout(name, patient_id, made, large_print=large),
            on_success=self._on_recorded,
            context=self,
            label="record handout",
        )

    def _on_recorded(self, printed) -> None:
        who = printed.patient_name or "no patient (blank)"
        self.status.setText(f"Printed {printed.title}, version {printed.version}, for {who}.")
        self.handoutPrinted.emit(printed)
        self.refresh_history()

    @Slot()
    def print_care_plan(self) -> None:
        """Open the patient's latest care plan (made by a clinician) to print it."""
        if self.patient is None:
            return
        service, patient_id = self.service, self.patient.id

        def show(made) -> None:
            preview = show_preview(
                made.pdf,
                f"{made.title} — {self.patient.display_name}",
                file_name=made.file_name,
                parent=self,
                on_printed=lambda _p: self.ops.run(
                    lambda: service.record_print(made.info.event_id), label="record print"
                ),
                on_saved=lambda path: self.ops.run(
                    lambda: service.record_save(made, path), label="record save"
                ),
            )
            self.previews.append(preview)

        self.ops.run(
            lambda: service.latest_care_plan(patient_id),
            on_success=show,
            context=self,
            label="latest care plan",
        )
