"""``sijdesk check``: is this clinic database whole, current and untampered?"""

from __future__ import annotations

import argparse
import sys

# The database failed a check (0: all hold; 2 and 3 as for every command).
EXIT_CHECK_FAILED = 4


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "check",
        parents=[common],
        help="check the database: SQLite integrity, references, schema version, audit chain",
        description="Check a clinic database without changing it: SQLite's integrity_check "
        "and foreign_key_check, the schema version, and every event of the audit chain "
        "(which needs the audit key file beside the database). Prints what was checked and "
        "names the first broken audit event. Exit status 0 only when every check holds, "
        f"{EXIT_CHECK_FAILED} when one fails. Needs no sign-in: it shows no clinical data.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from sijdesk.check import check_database
    from sijdesk.db.engine import resolve_database_url
    from sijdesk.errors import UserError

    url = make_url(resolve_database_url(getattr(args, "db", None)))
    if url.get_backend_name() != "sqlite" or not url.database:
        raise UserError("sijdesk check checks SQLite database files; give one with --db PATH.")
    report = check_database(url.database)
    for line in report.lines():
        print(line)
    sys.stdout.flush()
    return 0 if report.ok else EXIT_CHECK_FAILED
