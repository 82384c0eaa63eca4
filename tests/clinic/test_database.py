"""The SQLite file is opened safely: pragmas, real transactions, plain errors."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from sijdesk.db.engine import describe_db_error
from sijdesk.db.migrate import open_database
from sijdesk.errors import EnvironmentProblem


def test_connections_use_wal_full_sync_foreign_keys_and_busy_timeout(db_path):
    db = open_database(str(db_path))
    with db.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        # A page cache that holds what a search reads (negative: KiB, not pages).
        assert session.execute(text("PRAGMA cache_size")).scalar() == -16 * 1024
    db.dispose()


def test_read_transaction_sees_one_snapshot_even_when_another_writer_commits(db_path):
    """pysqlite alone would not BEGIN before a SELECT; we make it, so reads are consistent."""
    db = open_database(str(db_path))
    with db.read() as session:
        before = session.execute(text("SELECT COUNT(*) FROM app_user")).scalar()
        other = sqlite3.connect(db_path)
        other.execute(
            "INSERT INTO app_user (username, display_name, active, created_at) "
            "VALUES ('x', 'X', 1, '2026-01-01 00:00:00')"
        )
        other.commit()
        other.close()
        during = session.execute(text("SELECT COUNT(*) FROM app_user")).scalar()
    with db.read() as session:
        after = session.execute(text("SELECT COUNT(*) FROM app_user")).scalar()
    db.dispose()
    assert during == before
    assert after == before + 1


def test_failed_write_transaction_leaves_nothing_behind(db_path):
    db = open_database(str(db_path))
    with pytest.raises(RuntimeError), db.write() as session:
        session.execute(
            text(
                "INSERT INTO app_user (username, display_name, active, created_at) "
                "VALUES ('y', 'Y', 1, '2026-01-01 00:00:00')"
            )
        )
        raise RuntimeError("boom")
    with db.read() as session:
        assert (
            session.execute(text("SELECT COUNT(*) FROM app_user WHERE username='y'")).scalar() == 0
        )
    db.dispose()


def test_foreign_keys_are_enforced(db_path):
    db = open_database(str(db_path))
    with pytest.raises(Exception, match="FOREIGN KEY"), db.write() as session:
        session.execute(
            text(
                "INSERT INTO episode (patient_id, side, status, created_at, created_by_id, title) "
                "VALUES (999, 'left', 'open', '2026-01-01 00:00:00', 1, '')"
            )
        )
    db.dispose()


def test_locked_database_is_reported_as_a_plain_message(db_path):
    db = open_database(str(db_path))
    db.engine.dispose()
    blocker = sqlite3.connect(db_path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        from sijdesk.db import engine as engine_module

        fast = engine_module.create_app_engine(db.url)

        @__import__("sqlalchemy").event.listens_for(fast, "connect")
        def _short_timeout(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA busy_timeout = 50")

        quick = engine_module.Database(url=db.url, engine=fast)
        with pytest.raises(EnvironmentProblem, match="busy"), quick.write() as session:
            session.execute(text("SELECT 1"))
        quick.dispose()
    finally:
        blocker.rollback()
        blocker.close()


@pytest.mark.parametrize(
    ("driver_message", "expected"),
    [
        ("database or disk is full", "disk is full"),
        ("attempt to write a readonly database", "read-only"),
        ("file is not a database", "damaged"),
        ("database is locked", "busy"),
    ],
)
def test_environment_errors_become_sentences(driver_message, expected):
    from sqlalchemy.exc import OperationalError

    exc = OperationalError("stmt", {}, sqlite3.OperationalError(driver_message))
    assert expected in describe_db_error(exc)


def test_unwritable_location_is_a_plain_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(EnvironmentProblem):
        open_database(str(blocker / "sub" / "clinic.sqlite3"))
