"""Helpers shared by the subcommands that open the clinic database."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sijdesk.services import Clinic


@contextlib.contextmanager
def open_clinic(args: argparse.Namespace, *, create: bool = False) -> Iterator[Clinic]:
    """The clinic named by ``--db`` / SIJDESK_DATABASE_URL, acting as ``--user``.

    A ``--db`` file that does not exist is an error unless ``create`` is set,
    so a mistyped path is reported instead of silently making an empty clinic.
    """
    from sijdesk.errors import UserError
    from sijdesk.services import Clinic

    path = getattr(args, "db", None)
    if path and not create and not Path(path).expanduser().exists():
        raise UserError(f"There is no clinic database at {path}.")
    clinic = Clinic.open(path, username=getattr(args, "user", None))
    try:
        yield clinic
    finally:
        clinic.close()
