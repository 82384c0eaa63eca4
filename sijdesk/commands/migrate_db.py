"""``sijdesk migrate-db --to URL``: copy the whole clinic to another, empty database."""

from __future__ import annotations

import argparse
import sys


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "migrate-db",
        parents=[common],
        help="copy the whole clinic to an empty database (SQLite file to PostgreSQL, or back)",
        description="Copy every record, user and audit event of the clinic named by --db or "
        "--db-url (default: the clinic database in your user data folder) into the empty "
        "database at --to, with the same schema. The source is only read. Before the copy "
        "is kept, its row counts are compared with the source and its audit chain is "
        "verified; on any problem nothing is kept. Refused when the target is not empty. "
        "The audit key goes with it (for a server: into this computer's data folder).",
    )
    parser.add_argument(
        "--to",
        required=True,
        metavar="URL_OR_PATH",
        help="the empty target: postgresql+psycopg://USER:PASSWORD@SERVER/DATABASE or a new "
        "SQLite file path",
    )
    parser.set_defaults(func=run)


class ProgressLine:
    """A progress bar on a terminal; a line per tenth elsewhere (logs, scripts)."""

    def __init__(self, word: str = "copying", stream=None):
        self.word = word
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int, table: str) -> None:
        share = done / total if total else 1.0
        if self.tty:
            bar = "#" * int(share * 30)
            self.stream.write(f"\r{self.word.capitalize()} {share:5.0%} [{bar:<30}] {table:<24}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
            return
        tenth = int(share * 10)
        if tenth != self.last_tenth:
            self.last_tenth = tenth
            print(f"{self.word}: {share:.0%} ({done} of {total} rows)", file=self.stream)


def run(args: argparse.Namespace) -> int:
    from sijdesk.commands._common import database_location
    from sijdesk.copy_db import copy_clinic

    report = copy_clinic(database_location(args), args.to, ProgressLine())
    print(f"copied {report.rows} rows of {len(report.counts)} tables")
    print(f"audit trail: {report.audit_events} events, chain verified on the copy")
    print(f"from: {report.source} (unchanged)")
    print(f"to: {report.target}")
    return 0
