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
