"""The ``sijdesk`` command line.

With no subcommand it opens the window. Subcommands are for scripting and
reception workstations: list commands print one item per line with the
identifier first (``--json`` where offered), errors go to stderr with a
non-zero exit and never a traceback, and no command asks a question when
stdin is not a terminal.

Exit codes: 0 success, 1 an internal failure (logged), 2 bad usage or bad
input, 3 an environment problem or a refused operation the user can act on
(a wrong password included), 4 ``sijdesk check`` found a problem.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sijdesk import __version__
from sijdesk.errors import UserError, ValidationError

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_USER = 3


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted both before and after the subcommand.

    On subparsers the defaults are suppressed so that a value given before
    the subcommand is not overwritten by the subparser's default.
    """
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="SQLite file to use (default: the clinic database in your user data folder; "
        "SIJDESK_DATABASE_URL may name a database URL instead)",
    )
    parser.add_argument(
        "--db-url",
        metavar="URL",
        default=default,
        help="a PostgreSQL server instead of a SQLite file, for clinics with several "
        "workstations: postgresql+psycopg://USER:PASSWORD@SERVER/DATABASE",
    )
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        default=default,
        help="sign in as this user (default: SIJDESK_USER); the password comes from "
        "SIJDESK_PASSWORD or a prompt",
    )


def build_parser() -> argparse.ArgumentParser:
    from sijdesk.commands import (
        accounts,
        advise,
        allergies,
        audit_key,
        backups,
        check,
        contacts,
        demo,
        due,
        exchange,
        menu_entry,
        migrate_db,
        open_app,
        patients,
        reports,
        screenshots,
    )

    parser = argparse.ArgumentParser(
        prog="sijdesk",
        description="SIJ Desk: records, treatment pathway and documents for SIJ pain clinics. "
        "Run without a command to open the window.",
    )
    parser.add_argument("--version", action="store_true", help="show the version and exit")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="with --version: also the database schema, pathway, Python and Qt versions, "
        "and the data folder (what support asks for)",
    )
    _add_global_options(parser, suppress=False)
    parser.set_defaults(func=open_app.run)

    common = argparse.ArgumentParser(add_help=False)
    _add_global_options(common, suppress=True)
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in (
        accounts,
        patients,
        allergies,
        contacts,
        demo,
        advise,
        check,
        backups,
        audit_key,
        migrate_db,
        exchange,
        reports,
        due,
        screenshots,
        menu_entry,
    ):
        module.register(subparsers, common)
    _register_optional(subparsers, common)
    return parser


def _register_optional(subparsers, common) -> None:
    """Commands contributed by later packages (documents) register themselves here."""
    try:
        from sijdesk.commands import documents
    except ImportError:  # pragma: no cover - present from the documents issue on
        return
    documents.register(subparsers, common)


def main(argv: Sequence[str] | None = None) -> int:
    from sijdesk.logging_setup import configure_cli_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        if args.verbose:
            from sijdesk.build_info import build_text

            print(build_text())
        else:
            print(f"SIJ Desk {__version__}")
        return EXIT_OK
    configure_cli_logging()
    try:
        return int(args.func(args) or 0)
    except ValidationError as exc:
        for field, message in exc.errors.items():
            print(f"sijdesk: {field}: {message}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as exc:
        print(f"sijdesk: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("sijdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # noqa: BLE001 - the last guard: log it, never a traceback
        log.exception("internal failure")
        from sijdesk.paths import log_file

        print(
            f"sijdesk: internal error; details were written to {log_file()}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
