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
        "(which needs the audit key file beside the database). On a PostgreSQL server "
        "(--db-url) the schema version and the audit chain, with the key from this "
        "computer's data folder. Prints what was checked and "
        "names the first broken audit event. Exit status 0 only when every check holds, "
        f"{EXIT_CHECK_FAILED} when one fails. Needs no sign-in: it shows no clinical data.",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from sijdesk.check import check_database, check_server
    from sijdesk.commands._common import database_location
    from sijdesk.db.engine import resolve_database_url
    from sijdesk.errors import UserError

    address = resolve_database_url(database_location(args))
    url = make_url(address)
    if url.get_backend_name() == "sqlite" and url.database:
        report = check_database(url.database)
    elif url.get_backend_name() == "sqlite":
        raise UserError("sijdesk check checks a database file or server; name one with --db.")
    else:
        report = check_server(address)
    for line in report.lines():
        print(line)
    sys.stdout.flush()
    return 0 if report.ok else EXIT_CHECK_FAILED
