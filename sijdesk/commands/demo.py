"""``sijdesk demo``: fill a database with a deterministic demonstration clinic."""

from __future__ import annotations

import argparse
import sys
import time

from sijdesk.commands._common import existing_database
from sijdesk.errors import UserError


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "demo",
        parents=[common],
        help="create a demonstration clinic (fictional patients) in the database",
        description="Create a deterministic demonstration clinic. The first patients each show "
        "one pathway situation; the rest are generated. Refuses a database that already "
        "holds patients unless --append is given. A new demo clinic needs no sign-in: its users "
        "(admin, dr.okafor, physio.lindqvist, reception.haddad) share the published password "
        "'sijdesk-demo'. A real clinic's database is refused.",
    )
    parser.add_argument("--patients", metavar="N", type=int, default=200, help="default 200")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default fixed)")
    parser.add_argument(
        "--append", action="store_true", help="add to a database that already has patients"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sijdesk.demo import DEFAULT_SEED, create_demo_clinic, new_demo_clinic

    if args.patients < 1:
        raise UserError("--patients must be 1 or more")
    clinic = new_demo_clinic(existing_database(args, create=True))
    try:
        if not args.append and clinic.patients.count(include_archived=True) > 0:
            raise UserError(
                "This database already holds patients; demo data goes into a new database "
                "(use --db NEW_FILE) or pass --append."
            )
        started = time.monotonic()
        interactive = sys.stderr.isatty()

        def progress(done: int, total: int) -> bool:
            if interactive:
                print(f"\r{done}/{total} patients", end="", file=sys.stderr, flush=True)
            return True

        made = create_demo_clinic(
            clinic,
            patients=args.patients,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            progress=progress,
        )
        if interactive:
            print(file=sys.stderr)
        where = clinic.db.path or clinic.db.url
    finally:
        clinic.close()
    print(f"created {made} demo patients in {where} ({time.monotonic() - started:.1f} s)")
    return 0
