"""``sijdesk backup`` and ``sijdesk restore`` (administrators)."""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path

from sijdesk.commands._common import (
    _interactive,
    database_location,
    existing_database,
    open_clinic,
)
from sijdesk.errors import EnvironmentProblem, PermissionDenied, UserError

PASSPHRASE_VARIABLE = "SIJDESK_BACKUP_PASSPHRASE"


def register(subparsers, common: argparse.ArgumentParser) -> None:
    make = subparsers.add_parser(
        "backup",
        parents=[common],
        help="make a verified backup of the clinic database (administrators)",
        description="Copy the clinic database and its audit key into one backup file, "
        "encrypted when the clinic set a backup passphrase, then read it back and "
        "test-restore it. Without -o the file goes to the clinic's backup folder.",
    )
    make.add_argument("-o", "--output", metavar="FILE", default=None, help="where to write it")
    make.set_defaults(func=run_backup)

    restore = subparsers.add_parser(
        "restore",
        parents=[common],
        help="replace the clinic database with a backup (administrators)",
        description="Check the backup, keep the current database as a pre-restore backup, "
        "then put the backup in its place; an interrupted restore is finished the next time "
        "the database is opened. Signs in as an administrator of the current database; "
        "when it cannot be opened at all (damaged or missing) no sign-in is possible and "
        f"none is asked. An encrypted backup's passphrase comes from {PASSPHRASE_VARIABLE} "
        "or a prompt.",
    )
    restore.add_argument("file", metavar="FILE", help="the backup file (.sijbak)")
    restore.set_defaults(func=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    with open_clinic(args) as clinic:
        target = Path(args.output).expanduser().resolve() if args.output else None
        info = clinic.backups.back_up(kind="manual", target=target)
    encrypted = "encrypted, " if info.encrypted else ""
    print(f"{info.path} ({encrypted}{info.size} bytes, {info.audit_events} audit events; verified)")
    return 0


def _passphrase() -> str:
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given is not None:
        return given
    if _interactive():
        return getpass.getpass("Backup passphrase: ")
    raise UserError(
        f"This backup is encrypted: set {PASSPHRASE_VARIABLE} or run the command in a terminal."
    )


def run_restore(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from sijdesk import backup
    from sijdesk.db.engine import resolve_database_url
    from sijdesk.services.backups import restore_clinic

    source = Path(args.file).expanduser()
    info = backup.read_header(source)  # refuses a file that is not a whole backup, first
    url = make_url(resolve_database_url(database_location(args)))
    if url.get_backend_name() != "sqlite" or not url.database:
        raise UserError("sijdesk restore restores SQLite database files; give one with --db.")
    database = Path(url.database)
    keys: tuple = (None, None)
    folder = None
    restored_by = None
    if database.exists():
        try:
            with open_clinic(args) as clinic:
                if "admin" not in clinic.actor.roles:
                    raise PermissionDenied("Only an administrator may restore a backup.")
                keys = clinic.backups.encryption_keys()
                folder = clinic.backups.folder()
                restored_by = clinic.actor.username
        except EnvironmentProblem as exc:
            # Damaged or unreadable: nobody can sign in to it, and it is kept as it is.
            print(f"sijdesk: the current database cannot be opened ({exc}); restoring anyway")
    passphrase = _passphrase() if info.encrypted else None
    existing_database(args, create=True)
    restore_clinic(
        database,
        source,
        passphrase=passphrase,
        restored_by=restored_by,
        pre_restore_keys=keys,
        pre_restore_folder=folder,
    )
    print(
        f"restored {database} from {source.name} (a {info.kind} backup of "
        f"{info.created_at:%Y-%m-%d %H:%M} UTC); the database as it was is kept in the "
        "backup folder"
    )
    return 0
