"""Open a clinic database: check its schema version, back it up, migrate it.

- A database whose schema revision this release does not know was written
  by a newer SIJ Desk: it is refused with a plain message and not touched.
- An older one is first copied with SQLite's online backup API, then
  upgraded with Alembic inside one transaction, so a failed upgrade leaves
  the file exactly as it was.
- A new (empty) file is created at the newest schema.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from sijdesk.db.engine import (
    Database,
    create_app_engine,
    describe_db_error,
    resolve_database_url,
    safe_url,
)
from sijdesk.errors import EnvironmentProblem, SchemaTooNew

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# The newest migration. Opening an up-to-date database compares with this and
# never imports Alembic, which costs a command a third of a second; a test
# holds it equal to the newest file in migrations/versions.
HEAD_REVISION = "0016"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("sijdesk.db") / "migrations"))
    return config


def head_revision() -> str:
    return HEAD_REVISION


def script_head_revision() -> str:
    """The newest revision as Alembic finds it in migrations/versions."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def backup_sqlite(source: Path, destination: Path) -> Path:
    """Consistent copy of a live SQLite file (WAL included) with the backup API."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return destination


def upgrade(database: Database, revision: str = "head") -> None:
    """Upgrade in one transaction. On SQLite, foreign keys are switched off for
    the duration (batch mode rebuilds tables) and checked before commit."""
    engine = database.engine
    with engine.connect() as connection:
        if database.is_sqlite:
            # Must happen outside a transaction, where SQLite ignores it; the
            # DBAPI connection is in autocommit mode (see engine.py).
            raw = connection.connection.dbapi_connection
            assert raw is not None, "a live connection holds its DBAPI connection"
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            from alembic import command

            with connection.begin():
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if database.is_sqlite:
                    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise EnvironmentProblem(
                            "The database upgrade found broken links between records and was "
                            "undone; nothing was changed. Contact support with the log file."
                        )
        finally:
            if database.is_sqlite:
                # Never hand a connection with foreign keys off back to the pool.
                connection.invalidate()


def open_database(url_or_path: str | None = None, *, backup_folder: Path | None = None) -> Database:
    """Open (creating or upgrading as needed) and return the clinic database.

    ``url_or_path`` is a SQLAlchemy URL or a file path; None means
    ``SIJDESK_DATABASE_URL`` or the per-user default file.
    """
    if url_or_path and "://" in url_or_path:
        url = url_or_path
    else:
        url = resolve_database_url(url_or_path)
    _finish_interrupted_restore(url)
    engine = create_app_engine(url)
    database = Database(url=url, engine=engine)
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
            has_other_tables = bool(inspect(connection).get_table_names())
    except DBAPIError as exc:
        engine.dispose()
        raise EnvironmentProblem(describe_db_error(exc)) from exc

    if current is None and has_other_tables:
        engine.dispose()
        raise EnvironmentProblem(
            f"{database.path or safe_url(url)} is not an SIJ Desk database; it was left untouched."
        )
    if current == HEAD_REVISION:
        return _with_audit_chain(database)
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if current is not None and current not in {rev.revision for rev in script.walk_revisions()}:
        engine.dispose()
        raise SchemaTooNew(
            "This clinic database was saved by a newer version of SIJ Desk "
            f"(schema {current}). Install that version or newer to open it; "
            "the database was not changed."
        )
    if current is not None and database.path is not None:
        from sijdesk.paths import backup_dir

        folder = backup_folder or backup_dir()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = folder / f"{database.path.stem}-before-upgrade-{current}-{stamp}.sqlite3"
        try:
            backup_sqlite(database.path, target)
        except (sqlite3.Error, OSError) as exc:
            engine.dispose()
            raise EnvironmentProblem(
                f"Could not back up the database before upgrading it ({exc}); "
                "it was not changed. Free some disk space and try again."
            ) from exc
        log.info("backed up %s to %s before upgrading from %s", database.path, target, current)

    log.info("migrating database from %s to %s", current, head)
    try:
        upgrade(database)
    except DBAPIError as exc:
        engine.dispose()
        raise EnvironmentProblem(describe_db_error(exc)) from exc
    return _with_audit_chain(database)


def _finish_interrupted_restore(url: str) -> None:
    """Before anything opens a SQLite file: finish a restore killed midway (its
    journal is still there), then check the location and the file itself."""
    from sqlalchemy.engine import make_url

    from sijdesk.backup import finish_interrupted_restore
    from sijdesk.db import preflight

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return
    path = Path(parsed.database)
    preflight.check_location(path)
    try:
        finish_interrupted_restore(path)
    except OSError as exc:
        raise EnvironmentProblem(
            f"A restore that was interrupted could not be finished ({exc.strerror or exc})."
        ) from exc
    preflight.check_file(path)


def _with_audit_chain(database: Database) -> Database:
    """Attach the audit chain (sealing it the first time). Reads only when it exists."""
    from sijdesk.audit_chain import open_chain
    from sijdesk.models import AuditHead

    try:
        with database.read() as session:
            if session.get(AuditHead, 1) is not None:
                database.audit_chain = open_chain(session, database.path)
                return database
        with database.write() as session:
            database.audit_chain = open_chain(session, database.path)
    except BaseException:
        database.engine.dispose()
        raise
    return database
