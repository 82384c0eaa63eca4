"""Patient > Import from a spreadsheet… and Export to a spreadsheet…
(administrators). The import is the two-step ``ImportDialog``: Check lists
every problem by line and column; Import registers every row or none.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QWidget

from sijdesk.errors import UserError
from sijdesk.services.patient_csv import counted
from sijdesk.services.patients import ImportReport
from sijdesk.ui.errors import Messages
from sijdesk.ui.import_dialog import ImportDialog


class ImportPatientsDialog(ImportDialog):
    object_name = "importPatientsDialog"
    title = "Import patients from a spreadsheet"
    intro = (
        "A CSV file with a row per patient: family name, given names and date of birth, "
        "and if you have them sex, phone, e-mail and address. Headers such as Surname, "
        "First name and DOB are understood. Check the file first: every problem is listed "
        "by line and column, and nothing is imported until there are none."
    )
    file_label = "Spreadsheet file"
    placeholder = "patients.csv"
    file_filter = "Spreadsheets (*.csv *.txt)"
    what = "the spreadsheet file"

    def dry_run(self, path: str) -> ImportReport:
        return self.clinic.patients.import_csv(path, dry_run=True)

    def run_import(self, path: str, progress: Callable[[int, int], None]) -> ImportReport:
        return self.clinic.patients.import_csv(path, progress=progress)

    def check_lines(self, report: ImportReport) -> tuple[list[str], bool]:
        lines = [str(problem) for problem in report.problems]
        if report.ignored_columns:
            lines.append("Columns not read: " + ", ".join(report.ignored_columns))
        if report.problems:
            lines.insert(
                0, f"{counted(len(report.problems), 'problem')} in {counted(report.rows, 'row')}:"
            )
            lines.append("Correct them in the spreadsheet, save it, and check again.")
            return lines, False
        lines.insert(0, f"{counted(report.rows, 'row')} can be imported.")
        return lines, True

    def done_text(self, report: ImportReport) -> str:
        if not report.imported:
            return "The file has no rows to import."
        return (
            f"Imported {counted(len(report.imported), 'patient')}: records "
            f"{report.imported[0]} to {report.imported[-1]}."
        )


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
