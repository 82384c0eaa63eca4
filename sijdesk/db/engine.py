"""Engines and sessions for the embedded SQLite file or a PostgreSQL server.

SQLite is opened so that a record confirmed saved survives a power cut and
two workstations' programs do not trip over each other:

- ``foreign_keys=ON``, ``journal_mode=WAL``, ``synchronous=FULL`` and a
  busy timeout on every connection;
- the pysqlite driver's own transaction handling is switched off and
  SQLAlchemy emits ``BEGIN`` itself, so a transaction really starts at its
  first statement (reads included) instead of at the first write, as the
  SQLAlchemy SQLite dialect documentation describes. Write transactions use
  ``BEGIN IMMEDIATE`` to take the write lock up front rather than failing
  half-way when another writer got there first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from sijdesk.errors import EditConflict, EnvironmentProblem

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# Session.info key: change-counter values a write transaction produced.
OWN_CHANGES = "sijdesk_own_changes"
DATABASE_URL_ENV = "SIJDESK_DATABASE_URL"


def choose_location(db_path: str | None, db_url: str | None) -> str | None:
    """What ``--db PATH`` and ``--db-url URL`` name together (at most one may be given)."""
    if db_path and db_url:
        raise EnvironmentProblem("Give either --db (a SQLite file) or --db-url, not both.")
    return db_url or db_path


def is_server_address(location: str | None) -> bool:
    """True when ``location`` (or else SIJDESK_DATABASE_URL) names a database server."""
    try:
        return make_url(resolve_database_url(location)).get_backend_name() != "sqlite"
    except ArgumentError:
        return False


def resolve_database_url(db_path: str | os.PathLike[str] | None = None) -> str:
    """``--db PATH`` (or ``--db-url URL``) wins, then ``SIJDESK_DATABASE_URL``, then this
    computer's choice (File > Clinic database…), then the per-user default file."""
    if db_path and "://" in str(db_path):
        return str(db_path)
    if db_path:
        return f"sqlite:///{Path(db_path).expanduser().resolve()}"
    env = os.environ.get(DATABASE_URL_ENV)
    if env:
        return env
    from sijdesk.paths import default_database_path
    from sijdesk.workstation import saved_url

    chosen = saved_url()
    if chosen:
        return chosen

    return f"sqlite:///{default_database_path()}"


# Each connection's page cache. SQLite's default (2 MiB) could not hold the pages a
# name search reads at 100,000 patients (the index range and some 1,800 patients'
# rows), so each search read them again from the operating system: the ranked page
# of "mac" took 3.6 ms, 2.0 with 16 MiB (the whole search 9.3 -> 6.8 ms). The cache
# fills only as pages are read, one per connection.
SQLITE_CACHE_KIB = 16 * 1024


def _install_sqlite_behaviour(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


SUPPORTED_BACKENDS = ("sqlite", "postgresql")
POSTGRESQL_DRIVER = "psycopg"
CONNECT_TIMEOUT_S = 10
# The planner's price of reading a page out of order, for SIJ Desk's own connections.
# The server's default (4) is for spinning disks; a clinic's database is small enough
# to stay in the server's memory, where a lookup by index costs about what reading in
# order does. At 4, a search of 1,800 matches at 100,000 patients read every patient
# (hash join, 22 ms) in one ANALYZE in two, rather than looking up each match (8 ms).
RANDOM_PAGE_COST = 1.1


def create_app_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise EnvironmentProblem(
            "The database address is not valid. It looks like "
            "postgresql+psycopg://user:password@server/database, or give a SQLite file."
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise EnvironmentProblem(
            f"SIJ Desk works with a SQLite file or a PostgreSQL server, not {backend}."
        )
    if backend == "postgresql":
        return _postgresql_engine(parsed)
    if backend == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            parent = Path(database).parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise EnvironmentProblem(
                    f"Cannot create the folder for the clinic database ({parent}): {exc.strerror}."
                ) from exc
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_behaviour(engine)
        return engine
    raise AssertionError(backend)  # pragma: no cover - SUPPORTED_BACKENDS has two


def _postgresql_engine(url: URL) -> Engine:
    if url.get_driver_name() != POSTGRESQL_DRIVER:
        raise EnvironmentProblem(
            "Name the psycopg driver in the database address: postgresql+psycopg://…"
        )
    try:
        import psycopg  # noqa: F401 - an optional extra; say so plainly when it is missing
    except ImportError as exc:
        raise EnvironmentProblem(
            "PostgreSQL support is not installed on this computer. Install SIJ Desk with "
            "it: pip install 'sijdesk[postgresql]'."
        ) from exc
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "sijdesk",
            "options": f"-c random_page_cost={RANDOM_PAGE_COST}",
        },
    )


def server_label(url: str | URL) -> str:
    """A server database as a person says it: "sijdesk on db.clinic.local"."""
    parsed = make_url(url) if isinstance(url, str) else url
    host = parsed.host or str(parsed.query.get("host") or "")
    if not host or host.startswith("/"):
        host = "this computer"  # a local socket
    elif parsed.port and parsed.port != 5432:
        host = f"{host}:{parsed.port}"
    return f"{parsed.database or 'the default database'} on {host}"


def safe_url(url: str) -> str:
    """The database address without its password, for logs and messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database address)"


# Patterns in PostgreSQL's (libpq's) errors, and the sentence a clinic can act on.
_SERVER_PROBLEMS = (
    (
        ("password authentication failed", "no password supplied", r'role ".*" does not exist'),
        "The database server refused the user name or password in the database address. "
        "Check them with whoever looks after the server.",
    ),
    (
        (r'database ".*" does not exist',),
        "The database named in the database address does not exist on the server. "
        "Check its name with whoever looks after the server.",
    ),
    (
        ("resolve host", "translate host name", "name or service not known"),
        "The database server's name cannot be found on the network. Check the server name "
        "in the database address.",
    ),
    (
        (
            "connection refused",
            "is the server running",
            "timeout expired",
            "server closed the connection",
            "could not connect",
            "connection is bad",
            "terminating connection",
        ),
        "The database server cannot be reached: it may be switched off or the network may "
        "be down. Nothing was changed; try again when it is back.",
    ),
)


def describe_db_error(exc: DBAPIError) -> str:
    """Turn a driver error about the environment into a sentence a clinic can act on."""
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    if exc.orig is not None and type(exc.orig).__module__.startswith("psycopg"):
        for words, sentence in _SERVER_PROBLEMS:
            if any(re.search(w, text) for w in words):
                return sentence
    if "locked" in text or "busy" in text:
        return (
            "The clinic database is busy: another SIJ Desk window or workstation is saving. "
            "Nothing was lost; try again in a moment."
        )
    if "disk is full" in text or "database or disk is full" in text:
        return "The disk is full, so nothing could be saved. Free some space and try again."
    if "readonly" in text or "read-only" in text:
        return (
            "The clinic database is read-only here. Ask the administrator for write access "
            "to the database file and its folder."
        )
    if "malformed" in text or "not a database" in text:
        return (
            "The clinic database file is damaged or is not an SIJ Desk database. Restore the "
            "latest backup or contact support; nothing was changed."
        )
    if "unable to open" in text:
        return "The clinic database file cannot be opened. Check that its folder exists."
    return f"The database reported a problem: {exc.orig or exc}"


def is_environment_error(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError)


@dataclass
class Database:
    """An opened, migrated clinic database with its session factories."""

    url: str
    engine: Engine
    # The audit trail's seal (sijdesk.audit_chain.AuditChain), attached by
    # open_database once the key is loaded; None only before that.
    audit_chain: Any = None
    # The change-counter values this process's own committed writes produced
    # (SettingsService.changes_elsewhere tells them from other workstations').
    own_changes: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        write_engine = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.engine.dialect.name == "sqlite"
            else self.engine
        )
        self._write = sessionmaker(bind=write_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        database = make_url(self.url).database
        return Path(database) if database and database != ":memory:" else None

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with self._translate_errors(), self._write.begin() as session:
            yield session
        # Committed: the changes it counted are ours (a rolled-back one is not).
        self.own_changes.update(session.info.pop(OWN_CHANGES, ()))

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """One read transaction: a consistent snapshot for all its queries."""
        with self._translate_errors(), self._read.begin() as session:
            yield session

    @contextlib.contextmanager
    def _translate_errors(self) -> Iterator[None]:
        try:
            yield
        except StaleDataError as exc:
            # Two saves of one row at the same moment: the row's version moved.
            log.info("a save lost a race with another workstation: %s", type(exc).__name__)
            raise EditConflict(
                "Someone else saved this record at the same moment, so your change was not "
                "saved. Open it again to see their change, then make yours."
            ) from exc
        except OperationalError as exc:
            # The driver's text, never the address: it may hold a password.
            log.warning("database problem: %s", exc.orig or exc)
            raise EnvironmentProblem(describe_db_error(exc)) from exc

    def dispose(self) -> None:
        if self.is_sqlite:
            # SQLite's advice for long-lived connections: refresh planner
            # statistics that are out of date when closing.
            try:
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA optimize")
            except OperationalError as exc:  # a busy or read-only file must not stop a close
                log.info("PRAGMA optimize skipped: %s", exc)
        self.engine.dispose()
