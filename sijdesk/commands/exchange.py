"""``sijdesk export --fhir`` and ``sijdesk import --fhir``: records as HL7 FHIR R4 bundles."""

from __future__ import annotations

import argparse
import sys

from sijdesk.commands._common import open_clinic


def register(subparsers, common: argparse.ArgumentParser) -> None:
    export = subparsers.add_parser(
        "export",
        parents=[common],
        help="patients' records to an HL7 FHIR R4 bundle (JSON)",
        description="Write one patient (--patient; clinicians) or every patient "
        "(administrators) with allergies, episodes of care, outcome measures, treatments, "
        "medicines, referrals, pathway decisions and documents as a FHIR R4 Bundle that "
        "hospital systems read, and that 'sijdesk import --fhir' reads back. Only the "
        "current version of each record goes out; its history stays in this clinic.",
    )
    export.add_argument("--fhir", action="store_true", required=True, help="as FHIR R4 JSON")
    export.add_argument("--patient", metavar="RECORD_NUMBER", help="only this patient")
    export.add_argument("-o", "--output", metavar="FILE", required=True)
    export.set_defaults(func=run_export)
    importing = subparsers.add_parser(
        "import",
        parents=[common],
        help="register the patients of an HL7 FHIR R4 bundle (administrators)",
        description="Register every patient of a FHIR R4 Bundle with their allergies, "
        "episodes and events, all in one go or none: a bundle that is not valid FHIR, a value "
        "SIJ Desk would not accept from a form, or a patient already registered here (same "
        "names and date of birth) stops the whole import and is named. Record numbers are "
        "kept where they are free here.",
    )
    importing.add_argument("--fhir", action="store_true", required=True, help="FHIR R4 JSON")
    importing.add_argument("file", metavar="FILE")
    importing.add_argument(
        "--dry-run", action="store_true", help="only check the bundle; write nothing"
    )
    importing.set_defaults(func=run_import)


def _counted(number: int, noun: str) -> str:
    from sijdesk.services.patient_csv import counted

    return counted(number, noun)


def run_export(args: argparse.Namespace) -> int:
    with open_clinic(args) as clinic:
        count = clinic.exchange.export_fhir(args.output, record_number=args.patient)
    print(f"{args.output}: {_counted(count, 'patient')} (FHIR R4 bundle)")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from sijdesk.commands.migrate_db import ProgressLine

    bar = ProgressLine("importing")
    with open_clinic(args) as clinic:
        report = clinic.exchange.import_fhir(
            args.file, dry_run=args.dry_run, progress=lambda done, total: bar(done, total, "")
        )
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.not_read:
        kinds = ", ".join(f"{n} {name}" for name, n in sorted(report.not_read.items()))
        print(f"not read (nothing SIJ Desk keeps): {kinds}", file=sys.stderr)
    found = (
        f"{_counted(report.patients, 'patient')}, {_counted(report.episodes, 'episode')}, "
        f"{_counted(report.events, 'event')}"
    )
    if report.problems:
        print(
            f"{_counted(len(report.problems), 'problem')} in {found}; nothing was imported",
            file=sys.stderr,
        )
        return 2
    if report.dry_run:
        print(f"{found} can be imported (dry run: nothing was written)")
        return 0
    print(f"imported {found}: records {', '.join(report.imported)}")
    for brought, given in report.renumbered.items():
        print(f"record {brought} of the bundle is {given} here (its number was taken)")
    return 0
