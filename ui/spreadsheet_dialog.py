"""Patient > Import from a spreadsheet… and Export to a spreadsheet…
(administrators).

The import is two steps: Check reads the file and lists every problem by line
and column (nothing is written); Import, offered once the check is clean,
registers every row in one transaction with a progress bar, or none. Both run
on the worker thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError, ValidationError
from sijdesk.services.patient_csv import counted
from sijdesk.services.patients import ImportReport
from sijdesk.ui.errors import Messages
from sijdesk.ui.workers import Operations


class _Progress(QObject):
    """Carries the worker's progress to the GUI thread (a queued signal)."""

    moved = Signal(int, int)


class ImportPatientsDialog(QDialog):
    """Check a spreadsheet, then import it; ``imported`` holds the record numbers."""

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.setObjectName("importPatientsDialog")
        self.setWindowTitle("Import patients from a spreadsheet — SIJ Desk")
        self.setMinimumWidth(640)
        self.ops = Operations(self)
        self.imported: tuple[str, ...] = ()
        self.checked_path: str | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "A CSV file with a row per patient: family name, given names and date of birth, "
            "and if you have them sex, phone, e-mail and address. Headers such as Surname, "
            "First name and DOB are understood. Check the file first: every problem is listed "
            "by line and column, and nothing is imported until there are none."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName("Spreadsheet file")
        self.path.setPlaceholderText("patients.csv")
        self.path.textChanged.connect(lambda _t: self._forget_check())
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_file)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.findings = QPlainTextEdit()
        self.findings.setObjectName("importResult")
        self.findings.setAccessibleName("What the check found")
        self.findings.setReadOnly(True)
        layout.addWidget(self.findings, 1)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.check_button = QPushButton("Check")
        self.import_button = QPushButton("Import")
        self.import_button.setEnabled(False)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.start_import)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._progress = _Progress(self)
        self._progress.moved.connect(self._moved)

    def ask_path(self) -> str:
        """Tests monkeypatch this."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Import patients", "", "Spreadsheets (*.csv *.txt)"
        )
        return path

    def choose_file(self) -> None:
        path = self.ask_path()
        if path:
            self.path.setText(path)

    def _forget_check(self) -> None:
        self.checked_path = None
        self.import_button.setEnabled(False)

    def check(self) -> None:
        path = self.path.text().strip()
        if not path:
            self.findings.setPlainText("Choose the spreadsheet file first.")
            return
        patients = self.clinic.patients
        self._busy(True)
        self.findings.setPlainText("Checking…")
        self.ops.run(
            lambda: patients.import_csv(path, dry_run=True),
            on_success=lambda report: self._checked(path, report),
            on_failure=self._failed,
            context=self,
            label="check a spreadsheet",
        )

    def _checked(self, path: str, report: ImportReport) -> None:
        self._busy(False)
        lines = [str(problem) for problem in report.problems]
        if report.ignored_columns:
            lines.append("Columns not read: " + ", ".join(report.ignored_columns))
        if report.problems:
            lines.insert(
                0, f"{counted(len(report.problems), 'problem')} in {counted(report.rows, 'row')}:"
            )
            lines.append("Correct them in the spreadsheet, save it, and check again.")
        else:
            lines.insert(0, f"{counted(report.rows, 'row')} can be imported.")
            self.checked_path = path
        self.findings.setPlainText("\n".join(lines))
        self.import_button.setEnabled(self.checked_path is not None)

    def start_import(self) -> None:
        path = self.checked_path
        if path is None:
            return
        patients, moved = self.clinic.patients, self._progress.moved
        self._busy(True)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.ops.run(
            lambda: patients.import_csv(path, progress=moved.emit),
            on_success=self._imported,
            on_failure=self._failed,
            context=self,
            label="import a spreadsheet",
        )

    def _moved(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _imported(self, report: ImportReport) -> None:
        self._busy(False)
        self.import_button.setEnabled(False)
        if report.problems:  # another desk registered one of them meanwhile
            self.findings.setPlainText(
                "Nothing was imported:\n" + "\n".join(str(p) for p in report.problems)
            )
            return
        self.imported = report.imported
        self.checked_path = None
        self.findings.setPlainText(
            f"Imported {counted(len(report.imported), 'patient')}: records "
            f"{report.imported[0]} to {report.imported[-1]}."
            if report.imported
            else "The file has no rows to import."
        )

    def _failed(self, exc: BaseException) -> bool:
        self._busy(False)
        if isinstance(exc, ValidationError):
            self.findings.setPlainText("\n".join(exc.errors.values()).capitalize())
            return True
        if isinstance(exc, UserError):
            self.findings.setPlainText(str(exc))
            return True
        return False

    def _busy(self, busy: bool) -> None:
        self.check_button.setEnabled(not busy)
        if busy:
            self.import_button.setEnabled(False)


def ask_export_path(parent: QWidget | None) -> str:
    """Tests monkeypatch this."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export patients", "patients.csv", "CSV files (*.csv)"
    )
    return path


def export_patients(clinic, parent: QWidget | None) -> int | None:
    """Every patient to a CSV file the administrator chooses; how many, or None."""
    path = ask_export_path(parent)
    if not path:
        return None
    if not path.lower().endswith(".csv"):
        path += ".csv"
    try:
        count = clinic.patients.export_csv(path)
    except UserError as exc:
        Messages.warning(parent, "Export patients", str(exc))
        return None
    Messages.info(parent, "Export patients", f"Written to {path}: {counted(count, 'patient')}.")
    return count
