"""``sijdesk allergies``: see and record a patient's allergies from the command line.

sijdesk allergies show --patient RECORD_NUMBER [--json]
sijdesk allergies add --patient RECORD_NUMBER --substance CODE [--name TEXT]
                      [--kind allergy|intolerance] [--reaction TEXT]
                      [--severity mild|moderate|severe] [--on YYYY-MM-DD]
sijdesk allergies none-known --patient RECORD_NUMBER [--on YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import json
import sys

from sijdesk.commands._common import find_patient, open_clinic
from sijdesk.errors import ValidationError
from sijdesk.validation import parse_date


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "allergies", parents=[common], help="see or record a patient's allergies"
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)

    show = actions.add_parser("show", parents=[common], help="the patient's allergy status")
    _patient_option(show)
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=run_show)

    add = actions.add_parser("add", parents=[common], help="record an allergy or intolerance")
    _patient_option(add)
    add.add_argument(
        "--substance",
        required=True,
        metavar="CODE",
        help="local_anaesthetic, iodinated_contrast, corticosteroid, nsaid, opioid, latex, "
        "chlorhexidine, iodine or other (then say --name)",
    )
    add.add_argument("--name", default="", help="the product or substance in words")
    add.add_argument("--kind", default="allergy", help="allergy (default) or intolerance")
    add.add_argument("--reaction", default="", help="what happened")
    add.add_argument("--severity", default="", help="mild, moderate or severe")
    add.add_argument("--on", metavar="YYYY-MM-DD", default="", help="when it was learned")
    add.set_defaults(func=run_add)

    none = actions.add_parser(
        "none-known", parents=[common], help="record that the patient knows of no allergies"
    )
    _patient_option(none)
    none.add_argument("--on", metavar="YYYY-MM-DD", default="", help="when the patient was asked")
    none.set_defaults(func=run_none_known)


def _patient_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--patient", required=True, metavar="RECORD_NUMBER")


def run_show(args: argparse.Namespace) -> int:
    with open_clinic(args) as clinic:
        patient = find_patient(clinic, args.patient)
        status = clinic.allergies.status(patient.id)
    if args.json:
        rows = {
            "record_number": patient.record_number,
            "state": status.state,
            "none_known_on": status.none_known.recorded_on.isoformat()
            if status.none_known
            else None,
            "allergies": [
                {
                    "substance": a.substance,
                    "name": a.name,
                    "kind": a.kind,
                    "severity": a.severity,
                    "reaction": a.reaction,
                    "recorded_on": a.recorded_on.isoformat(),
                }
                for a in status.allergies
            ],
        }
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    print(f"{patient.record_number}\t{status.line}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    data = {
        "substance": args.substance,
        "substance_text": args.name,
        "kind": args.kind,
        "reaction": args.reaction,
        "severity": args.severity,
        "recorded_on": args.on,
    }
    with open_clinic(args) as clinic:
        patient = find_patient(clinic, args.patient)
        entry = clinic.allergies.record(patient.id, data)
    print(f"{patient.record_number}\trecorded\t{entry.description}")
    return 0


def run_none_known(args: argparse.Namespace) -> int:
    with open_clinic(args) as clinic:
        patient = find_patient(clinic, args.patient)
        on = parse_date(args.on) if args.on else None
        if args.on and on is None:
            raise ValidationError({"on": "must be a date written as YYYY-MM-DD"})
        entry = clinic.allergies.record_none_known(patient.id, on)
    print(f"{patient.record_number}\tno known allergies\trecorded {entry.recorded_on.isoformat()}")
    return 0
