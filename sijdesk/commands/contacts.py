"""``sijdesk contacts``: the clinic's address book, and a patient's GP and referrer.

sijdesk contacts list [--role ROLE] [--json]
sijdesk contacts add --name NAME --role ROLE [--practice P] [--address A]
                     [--phone T] [--email E]
sijdesk contacts link --patient RECORD_NUMBER [--gp ID] [--referrer ID]
"""

from __future__ import annotations

import argparse
import json
import sys

from sijdesk.commands._common import find_patient, open_clinic

ROLES_HELP = "gp, spine_surgeon, injection_clinic, rheumatologist, physiotherapist or other"


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "contacts", parents=[common], help="the address book letters are sent to"
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)

    listing = actions.add_parser("list", parents=[common], help="one contact per line")
    listing.add_argument("--role", default=None, help=ROLES_HELP)
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)

    add = actions.add_parser("add", parents=[common], help="add a contact")
    add.add_argument("--name", required=True, help='e.g. "Dr Harriet Mensah"')
    add.add_argument("--role", required=True, help=ROLES_HELP)
    add.add_argument("--practice", default="", help="practice, hospital or service")
    add.add_argument("--address", default="", help="postal address (lines separated by \\n)")
    add.add_argument("--phone", default="")
    add.add_argument("--email", default="", help="secure e-mail")
    add.set_defaults(func=run_add)

    link = actions.add_parser(
        "link", parents=[common], help="set a patient's GP and referring clinician"
    )
    link.add_argument("--patient", required=True, metavar="RECORD_NUMBER")
    link.add_argument("--gp", type=int, metavar="ID", help="contact id of the family doctor")
    link.add_argument("--referrer", type=int, metavar="ID", help="contact id of the referrer")
    link.set_defaults(func=run_link)


def run_list(args: argparse.Namespace) -> int:
    with open_clinic(args) as clinic:
        contacts = clinic.contacts.all_contacts(role=args.role)
    if args.json:
        rows = [
            {
                "id": c.id,
                "name": c.name,
                "role": c.role,
                "practice": c.practice,
                "address": c.address,
                "phone": c.phone,
                "secure_email": c.secure_email,
            }
            for c in contacts
        ]
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    for c in contacts:
        print(f"{c.id}\t{c.role}\t{c.display}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    data = {
        "name": args.name,
        "role": args.role,
        "practice": args.practice,
        "address": args.address.replace("\\n", "\n"),
        "phone": args.phone,
        "secure_email": args.email,
    }
    with open_clinic(args) as clinic:
        made = clinic.contacts.create(data)
    print(f"{made.id}\t{made.role}\t{made.display}")
    return 0


def run_link(args: argparse.Namespace) -> int:
    changes = {}
    if args.gp is not None:
        changes["gp_contact_id"] = args.gp
    if args.referrer is not None:
        changes["referrer_contact_id"] = args.referrer
    with open_clinic(args) as clinic:
        patient = find_patient(clinic, args.patient)
        if changes:
            patient = clinic.patients.update(patient.id, changes)
        gp = clinic.contacts.get(patient.gp_contact_id) if patient.gp_contact_id else None
        referrer = (
            clinic.contacts.get(patient.referrer_contact_id)
            if patient.referrer_contact_id
            else None
        )
    print(f"{patient.record_number}\tGP\t{gp.display if gp else 'not recorded'}")
    print(f"{patient.record_number}\treferrer\t{referrer.display if referrer else 'not recorded'}")
    return 0
