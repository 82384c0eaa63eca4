"""``sijdesk patients list``: find patients from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from sijdesk.commands._common import open_clinic


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("patients", parents=[common], help="find registered patients")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list",
        parents=[common],
        help="list patients, one per line: record number, name, date of birth",
    )
    listing.add_argument(
        "--search",
        metavar="TEXT",
        default="",
        help="name parts, record number, date of birth or phone (accents and case ignored)",
    )
    listing.add_argument(
        "--limit", metavar="N", type=_positive_int, default=None, help="at most N patients"
    )
    listing.add_argument("--archived", action="store_true", help="include archived patients")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(func=run_list)
    export = actions.add_parser(
        "export",
        parents=[common],
        help="every patient's demographics to a CSV file (administrators)",
        description="Write every patient (archived ones too) to a CSV file that spreadsheets "
        "open: record_number, family_name, given_names, date_of_birth, sex, phone, email, "
        "address. UTF-8 with a BOM, comma separated.",
    )
    export.add_argument("--csv", action="store_true", required=True, help="as CSV")
    export.add_argument("-o", "--output", metavar="FILE", required=True)
    export.set_defaults(func=run_export)
    importing = actions.add_parser(
        "import",
        parents=[common],
        help="register the patients of a spreadsheet (CSV; administrators)",
        description="Register every row of a CSV file in one go, or none: any row with a "
        "problem (a missing name, a date that is not one, a patient already registered) "
        "stops the whole import, and every problem is listed by line and column. Columns "
        "named as the export writes them, or as spreadsheets often do (First name, Surname, "
        "DOB, Phone, E-mail, Address, Sex); UTF-8 with or without BOM, comma, semicolon or "
        "tab separated.",
    )
    importing.add_argument("file", metavar="FILE.csv")
    importing.add_argument(
        "--dry-run", action="store_true", help="only check the file; write nothing"
    )
    importing.set_defaults(func=run_import)


def run_export(args: argparse.Namespace) -> int:
    from sijdesk.services.patient_csv import counted

    with open_clinic(args) as clinic:
        count = clinic.patients.export_csv(args.output)
    print(f"{args.output}: {counted(count, 'patient')}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from sijdesk.commands.migrate_db import ProgressLine
    from sijdesk.services.patient_csv import counted

    bar = ProgressLine("importing")
    with open_clinic(args) as clinic:
        report = clinic.patients.import_csv(
            args.file, dry_run=args.dry_run, progress=lambda done, total: bar(done, total, "")
        )
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.ignored_columns:
        print("columns not read: " + ", ".join(report.ignored_columns), file=sys.stderr)
    if report.problems:
        print(
            f"{counted(len(report.problems), 'problem')} in {counted(report.rows, 'row')}; "
            "nothing was imported",
            file=sys.stderr,
        )
        return 2
    if report.dry_run:
        print(f"{counted(report.rows, 'row')} can be imported (dry run: nothing was written)")
        return 0
    print(
        f"imported {counted(len(report.imported), 'patient')}: records {', '.join(report.imported)}"
    )
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def run_list(args: argparse.Namespace) -> int:
    with open_clinic(args) as clinic:
        patients = clinic.patients.search(
            args.search, include_archived=args.archived, limit=args.limit
        )
    if args.json:
        rows = [
            {
                "record_number": p.record_number,
                "family_name": p.family_name,
                "given_names": p.given_names,
                "date_of_birth": p.date_of_birth.isoformat(),
                "sex": p.sex,
                "archived": p.archived,
            }
            for p in patients
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    for p in patients:
        flag = "  (archived)" if p.archived else ""
        print(f"{p.record_number}\t{p.display_name}\t{p.date_of_birth.isoformat()}{flag}")
    return 0
