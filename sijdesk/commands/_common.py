"""Helpers shared by the subcommands that open the clinic database."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sijdesk.errors import UserError

if TYPE_CHECKING:
    from sijdesk.services import Clinic

PASSWORD_VARIABLE = "SIJDESK_PASSWORD"
USER_VARIABLE = "SIJDESK_USER"


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def username_from(args: argparse.Namespace) -> str:
    """``--user``, else SIJDESK_USER, else a prompt on a terminal."""
    name = getattr(args, "user", None) or os.environ.get(USER_VARIABLE)
    if name:
        return name
    if _interactive():
        return input("Username: ").strip()
    raise UserError(f"Say who is acting with --user NAME (or {USER_VARIABLE}).")


def password_from(prompt: str = "Password: ") -> str:
    """SIJDESK_PASSWORD, else a prompt on a terminal that does not echo."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is not None:
        return password
    if _interactive():
        return getpass.getpass(prompt)
    raise UserError(
        f"A password is needed: set {PASSWORD_VARIABLE} or run the command in a terminal."
    )


def existing_database(args: argparse.Namespace, *, create: bool = False) -> str | None:
    """The ``--db`` path (refused when it does not exist unless ``create`` is set,
    so a mistyped path is reported instead of silently making an empty clinic) or
    the ``--db-url``."""
    location = database_location(args)
    path = getattr(args, "db", None)
    if path and not create and not Path(path).expanduser().exists():
        raise UserError(f"There is no clinic database at {path}.")
    return location


def database_location(args: argparse.Namespace) -> str | None:
    """``--db PATH`` or ``--db-url URL`` (None: SIJDESK_DATABASE_URL or the default file)."""
    from sijdesk.db.engine import choose_location

    return choose_location(getattr(args, "db", None), getattr(args, "db_url", None))


@contextlib.contextmanager
def open_clinic(args: argparse.Namespace, *, create: bool = False) -> Iterator[Clinic]:
    """The clinic named by ``--db`` / SIJDESK_DATABASE_URL, signed in as ``--user``.

    A wrong username or password raises SignInFailed (exit status 3), audited.
    """
    from sijdesk.db import preflight

    # The damage check of a big file reads all of it: begun now, it overlaps with
    # loading the services' libraries and checking the password.
    preflight.start_early_check(getattr(args, "db", None), getattr(args, "db_url", None))
    from sijdesk.services import Clinic

    path = existing_database(args, create=create)
    username = username_from(args)
    clinic = Clinic.sign_in(path, username=username, password=password_from())
    try:
        yield clinic
    finally:
        clinic.close()


def find_patient(clinic: Clinic, record_number: str):
    """The patient with this record number ("5" finds 000005)."""
    from sijdesk.errors import NotFound

    text = (record_number or "").strip()
    try:
        return clinic.patients.get_by_record_number(text)
    except NotFound:
        if text.isdigit() and len(text) < 6:
            return clinic.patients.get_by_record_number(text.zfill(6))
        raise
