"""Patient > Export record as FHIR… (the open patient, clinicians) and
Patient > Import from a FHIR bundle… (administrators): HL7 FHIR R4 bundles,
the form hospital systems exchange. The export runs on the worker thread
(letters carry their PDFs); the import is the two-step ``ImportDialog``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QWidget

from sijdesk.services.exchange import FhirImportReport
from sijdesk.services.patient_csv import counted
from sijdesk.services.patients import PatientDetails
from sijdesk.ui.errors import Messages
from sijdesk.ui.import_dialog import ImportDialog
from sijdesk.ui.workers import Operations


class ImportBundleDialog(ImportDialog):
    object_name = "importBundleDialog"
    title = "Import patients from a FHIR bundle"
    intro = (
        "A FHIR R4 bundle (JSON) from another SIJ Desk or a hospital system: its patients "
        "are registered with their allergies, episodes of care, outcome measures, "
        "treatments and documents. Check the file first: anything that is not valid FHIR, "
        "a value the forms would refuse, or a patient already registered here is named, "
        "and nothing is imported until there are none."
    )
    file_label = "FHIR bundle file"
    placeholder = "patients.fhir.json"
    file_filter = "FHIR bundles (*.json)"
    what = "the FHIR bundle file"

    def dry_run(self, path: str) -> FhirImportReport:
        return self.clinic.exchange.import_fhir(path, dry_run=True)

    def run_import(self, path: str, progress: Callable[[int, int], None]) -> FhirImportReport:
        return self.clinic.exchange.import_fhir(path, progress=progress)

    @staticmethod
    def _found(report: FhirImportReport) -> str:
        return (
            f"{counted(report.patients, 'patient')}, {counted(report.episodes, 'episode')} "
            f"and {counted(report.events, 'event')}"
        )

    def check_lines(self, report: FhirImportReport) -> tuple[list[str], bool]:
        lines = list(report.problems)
        if report.not_read:
            lines.append(
                "Not read (SIJ Desk does not keep these): "
                + ", ".join(f"{n} {name}" for name, n in sorted(report.not_read.items()))
            )
        if report.problems:
            lines.insert(0, f"{counted(len(report.problems), 'problem')} in {self._found(report)}:")
            lines.append("Nothing can be imported until the bundle is corrected.")
            return lines, False
        lines.insert(0, f"{self._found(report)} can be imported.")
        return lines, report.patients > 0

    def done_text(self, report: FhirImportReport) -> str:
        if not report.imported:
            return "The bundle has no patients to import."
        lines = [f"Imported {self._found(report)}: records {', '.join(report.imported)}."]
        lines += [
            f"Record {brought} of the bundle is {given} here (its number was taken)."
            for brought, given in report.renumbered.items()
        ]
        return "\n".join(lines)


def ask_bundle_path(parent: QWidget | None, suggested: str) -> str:
    """Tests monkeypatch this."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export record as FHIR", suggested, "FHIR bundles (*.json)"
    )
    return path


def export_patient_record(
    clinic, patient: PatientDetails, parent: QWidget, ops: Operations
) -> str | None:
    """The open patient's record to a FHIR bundle the user names, on the worker thread;
    the path chosen (the work goes on), or None."""
    path = ask_bundle_path(parent, f"{patient.record_number}.fhir.json")
    if not path:
        return None
    if not path.lower().endswith(".json"):
        path += ".json"
    exchange = clinic.exchange
    ops.run(
        lambda: exchange.export_fhir(path, record_number=patient.record_number),
        on_success=lambda _n: Messages.info(
            parent,
            "Export record as FHIR",
            f"The record of {patient.record_number} was written to {path}.",
        ),
        context=parent,
        label="export a record as FHIR",
    )
    return path
