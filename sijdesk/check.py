"""Check a clinic database without changing it: SQLite's own checks (for a
file), the schema version and the audit chain. Reveals no clinical data, so it needs no
sign-in; ``sijdesk check`` prints the report and the backup code runs it on
every backup it makes.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


@dataclass
class CheckItem:
    name: str
    ok: bool
    detail: str


@dataclass
class CheckReport:
    path: Path | str  # a SQLite file, or a server's address without its password
    items: list[CheckItem] = field(default_factory=list)
    # The first audit event that does not hold, when the chain is broken.
    first_broken_event: int | None = None

    @property
    def ok(self) -> bool:
        return bool(self.items) and all(item.ok for item in self.items)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.items.append(CheckItem(name, ok, detail))
        return ok

    def lines(self) -> list[str]:
        out = [f"database: {self.path}"]
        out += [
            f"{item.name}: {'ok' if item.ok else 'FAILED'} - {item.detail}" for item in self.items
        ]
        out.append("all checks passed" if self.ok else "the database FAILED its checks")
        return out


def _sqlite_checks(report: CheckReport, path: Path) -> bool:
    try:
        # Opened for reading and writing only so that SQLite may finish a
        # write-ahead log left by a killed process; nothing is written here.
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=10)
    except sqlite3.Error as exc:
        return report.add("open", False, f"SQLite cannot open the file ({exc})")
    try:
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        except sqlite3.DatabaseError as exc:
            return report.add("integrity_check", False, f"not a readable SQLite database ({exc})")
        messages = [row[0] for row in rows]
        if messages != ["ok"]:
            shown = "; ".join(messages[:5]) + (" …" if len(messages) > 5 else "")
            return report.add("integrity_check", False, shown)
        report.add("integrity_check", True, "every page and index is consistent")
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            first = problems[0]
            report.add(
                "foreign_key_check",
                False,
                f"{len(problems)} rows point at missing rows (first: {first[0]} row {first[1]} "
                f"-> {first[2]})",
            )
        else:
            report.add("foreign_key_check", True, "every reference points at an existing row")
        return True
    finally:
        connection.close()


def _schema_check(report: CheckReport, session: Session) -> bool:
    from sqlalchemy import text

    from sijdesk.db.migrate import head_revision

    try:
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return report.add("schema", False, "no schema version: not an SIJ Desk database")
    head = head_revision()
    if version == head:
        return report.add("schema", True, f"version {version}, the newest this program knows")
    return report.add(
        "schema",
        False,
        f"version {version}; this program expects {head} "
        "(opening the database with SIJ Desk upgrades an older one)",
    )


def check_database(path: str | Path) -> CheckReport:
    """Run every check; never writes to the database and never creates a file."""
    from sijdesk import audit_chain

    target = Path(path).expanduser()
    report = CheckReport(target)
    if not target.exists():
        report.add("open", False, "there is no file at this path")
        return report
    if target.stat().st_size == 0:
        report.add("open", False, "the file is empty")
        return report
    if not _sqlite_checks(report, target):
        return report
    engine = create_engine(f"sqlite:///file:{quote(str(target))}?mode=ro&uri=true")
    try:
        with Session(engine) as session:
            if not _schema_check(report, session):
                return report
            chain = audit_chain.verify(session, target)
            report.add("audit chain", chain.ok, chain.summary().split(": ", 1)[-1])
            report.first_broken_event = chain.first_broken_event
    except SQLAlchemyError as exc:
        log.warning("check could not read the database: %s", type(exc).__name__)
        report.add("read", False, "the database could not be read to the end")
    finally:
        engine.dispose()
    return report


def check_server(url: str) -> CheckReport:
    """The same checks on a PostgreSQL server, in one read-only transaction.

    The server keeps its own pages and references whole (its constraints are
    always enforced), so what is left to check is the schema and the chain;
    the audit key is the one in this computer's data folder.
    """
    from sijdesk import audit_chain
    from sijdesk.db.engine import create_app_engine, describe_db_error, safe_url
    from sijdesk.errors import EnvironmentProblem

    report = CheckReport(safe_url(url))
    try:
        engine = create_app_engine(url)
    except EnvironmentProblem as exc:
        report.add("open", False, str(exc))
        return report
    try:
        with Session(engine) as session:
            session.execute(text("SET TRANSACTION READ ONLY"))
            report.add("open", True, "the server answered")
            if not _schema_check(report, session):
                return report
            chain = audit_chain.verify(session, None)
            report.add("audit chain", chain.ok, chain.summary().split(": ", 1)[-1])
            report.first_broken_event = chain.first_broken_event
    except DBAPIError as exc:
        log.warning("check could not read the server: %s", type(exc).__name__)
        report.add("open", False, describe_db_error(exc))
    except SQLAlchemyError as exc:
        log.warning("check could not read the server: %s", type(exc).__name__)
        report.add("read", False, "the database could not be read to the end")
    finally:
        engine.dispose()
    return report
