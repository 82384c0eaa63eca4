"""``sijdesk report``: the clinic's reports from the command line.

sijdesk report outcomes [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--clinician USER]
                        (-o FILE.pdf | --csv FILE.csv)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sijdesk.commands._common import open_clinic
from sijdesk.errors import ValidationError
from sijdesk.validation import parse_date


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser("report", parents=[common], help="the clinic's reports")
    kinds = parser.add_subparsers(title="reports", metavar="REPORT", required=True)
    outcomes = kinds.add_parser(
        "outcomes",
        parents=[common],
        help="what became of the episodes of a period, step by step (clinicians, admins)",
    )
    outcomes.add_argument(
        "--from",
        dest="start",
        metavar="YYYY-MM-DD",
        default="",
        help="first day (default: a year ago)",
    )
    outcomes.add_argument(
        "--to", dest="end", metavar="YYYY-MM-DD", default="", help="last day (default: today)"
    )
    outcomes.add_argument(
        "--clinician", metavar="USER", default="", help="only the episodes this user opened"
    )
    output = outcomes.add_mutually_exclusive_group()
    output.add_argument("-o", "--output", metavar="FILE", help="write the report to this PDF")
    output.add_argument("--csv", metavar="FILE", help="write the tables to this CSV file")
    outcomes.set_defaults(func=run_outcomes)


def _date(text: str, field: str):
    if not text:
        return None
    value = parse_date(text)
    if value is None:
        raise ValidationError({field: f"{text!r} is not a date (YYYY-MM-DD)"})
    return value


def run_outcomes(args: argparse.Namespace) -> int:
    start, end = _date(args.start, "from"), _date(args.end, "to")
    output = "pdf" if args.output else "csv" if args.csv else "terminal"
    with open_clinic(args) as clinic:
        report = clinic.outcomes.report(start, end, clinician=args.clinician or None, output=output)
        pdf = clinic.outcomes.pdf(report) if args.output else None
    if pdf is not None:
        from sijdesk.durable import write_export

        target = Path(args.output)
        write_export(target, pdf)
        print(f"Wrote the outcome report to {target}.")
        return 0
    if args.csv:
        from sijdesk.durable import write_export

        target = Path(args.csv)
        write_export(target, report.csv_bytes())
        print(f"Wrote the outcome report to {target}.")
        return 0
    for row in report.rows():
        print(" | ".join(row))
    return 0
