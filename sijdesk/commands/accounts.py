"""``sijdesk init`` (the first administrator) and ``sijdesk password`` (change your own)."""

from __future__ import annotations

import argparse
import os

from sijdesk.commands._common import (
    PASSWORD_VARIABLE,
    _interactive,
    existing_database,
    password_from,
    username_from,
)
from sijdesk.errors import UserError, ValidationError


def register(subparsers, common: argparse.ArgumentParser) -> None:
    init = subparsers.add_parser(
        "init",
        parents=[common],
        help="set up a new clinic database and its first administrator",
        description="Create the clinic database (if needed) and its first administrator. "
        f"The password comes from {PASSWORD_VARIABLE} or is asked twice at a prompt. "
        "Refused when the database already has an account.",
    )
    init.add_argument("--admin", metavar="USERNAME", required=True, help="the administrator")
    init.add_argument("--name", metavar="TEXT", default=None, help="the administrator's full name")
    init.add_argument(
        "--clinician",
        action="store_true",
        help="the administrator also does clinical work (both roles)",
    )
    init.add_argument("--clinic-name", metavar="TEXT", default=None, help="for the letterhead")
    init.set_defaults(func=run_init)

    password = subparsers.add_parser(
        "password",
        parents=[common],
        help="change your own password",
        description="Change the password of --user. The current password comes from "
        f"{PASSWORD_VARIABLE} or a prompt; the new one from SIJDESK_NEW_PASSWORD or a prompt.",
    )
    password.set_defaults(func=run_password)


def _new_password(variable: str) -> str:
    given = os.environ.get(variable)
    if given is not None:
        return given
    if not _interactive():
        raise UserError(f"A new password is needed: set {variable} or use a terminal.")
    import getpass

    first = getpass.getpass("New password: ")
    if getpass.getpass("New password again: ") != first:
        raise ValidationError({"password": "the two entries differ"})
    return first


def run_init(args: argparse.Namespace) -> int:
    from sijdesk.services import Clinic

    path = existing_database(args, create=True)
    clinic_details = {"clinic_name": args.clinic_name} if args.clinic_name else None
    clinic = Clinic.create(
        path,
        username=args.admin,
        password=_new_password(PASSWORD_VARIABLE),
        display_name=args.name or args.admin,
        also_clinician=args.clinician,
        clinic=clinic_details,
    )
    try:
        where = clinic.db.path or clinic.db.url
        roles = clinic.actor.role_label
    finally:
        clinic.close()
    print(f"clinic database {where} is ready; administrator {args.admin.strip().lower()} ({roles})")
    return 0


def run_password(args: argparse.Namespace) -> int:
    from sijdesk.services import Clinic

    path = existing_database(args)
    current = password_from("Current password: ")
    clinic = Clinic.sign_in(path, username=username_from(args), password=current)
    try:
        clinic.session.change_password(current, _new_password("SIJDESK_NEW_PASSWORD"))
        print(f"password of {clinic.actor.username} changed")
    finally:
        clinic.close()
    return 0
