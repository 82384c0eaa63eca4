"""Migrations: a fresh file, an upgrade with a backup first, a newer schema refused."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from sijdesk.db.engine import Database, create_app_engine
from sijdesk.db.migrate import alembic_config, head_revision, open_database, upgrade
from sijdesk.errors import EnvironmentProblem, SchemaTooNew
from sijdesk.models import Base


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_database_is_created_at_the_newest_schema(db_path):
    db = open_database(str(db_path))
    with db.read() as session:
        version = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        tables = set(inspect(session.connection()).get_table_names())
        users = session.execute(text("SELECT COUNT(*) FROM app_user")).scalar()
    db.dispose()
    assert version == head_revision()
    assert set(Base.metadata.tables) <= tables
    # No account exists without a password: the first administrator is made at set-up.
    assert users == 0


def test_migrations_build_exactly_the_models(db_path):
    """No drift: what the migrations create is what the models describe."""
    db = open_database(str(db_path))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    db.dispose()
    assert differences == []


def _database_at(path, revision):
    engine = create_app_engine(f"sqlite:///{path}")
    db = Database(url=f"sqlite:///{path}", engine=engine)
    upgrade(db, revision)
    return db


def test_older_database_is_backed_up_then_upgraded_keeping_its_records(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = _database_at(path, "0001")
    with old.write() as session:
        session.execute(
            text(
                "INSERT INTO app_user (id, username, display_name, role, active, created_at) "
                "VALUES (7, 'early', 'Early User', 'clinician', 1, '2026-01-01 00:00:00')"
            )
        )
        session.execute(
            text(
                "INSERT INTO patient (record_number, given_names, family_name, date_of_birth, "
                "sex, phone, email, address, referring_practitioner, archived, family_key, "
                "given_key, phone_digits, created_at, created_by_id) VALUES ('000001', 'Ann', "
                "'Early', '1970-01-01', 'female', '', '', '', '', 0, 'early', 'ann', '', "
                "'2026-01-01 00:00:00', 7)"
            )
        )
    old.dispose()
    backups = tmp_path / "backups"

    db = open_database(str(path), backup_folder=backups)
    with db.read() as session:
        assert (
            session.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == head_revision()
        )
        assert session.execute(text("SELECT family_name FROM patient")).scalar() == "Early"
        # 0002 continues record numbers after the existing patient.
        assert session.execute(text("SELECT next_record_number FROM clinic_settings")).scalar() == 2
    db.dispose()

    (backup,) = backups.iterdir()
    assert "0001" in backup.name
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert copy.execute("SELECT family_name FROM patient").fetchone() == ("Early",)
    copy.close()


def test_database_from_a_newer_release_is_refused_and_left_untouched(db_path):
    open_database(str(db_path)).dispose()
    connection = sqlite3.connect(db_path)
    connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.commit()
    connection.close()
    before = _sha(db_path)
    with pytest.raises(SchemaTooNew, match="newer version of SIJ Desk"):
        open_database(str(db_path))
    assert _sha(db_path) == before


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY)")
    connection.commit()
    connection.close()
    with pytest.raises(EnvironmentProblem, match="not an SIJ Desk database"):
        open_database(str(path))


def test_failed_upgrade_is_rolled_back_completely(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite3"
    _database_at(path, "0001").dispose()

    def broken_upgrade(config, revision, **kwargs):
        connection = config.attributes["connection"]
        connection.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0002'")
        raise RuntimeError("migration failed half-way")

    monkeypatch.setattr(command, "upgrade", broken_upgrade)
    with pytest.raises(RuntimeError):
        open_database(str(path), backup_folder=tmp_path / "b")
    connection = sqlite3.connect(path)
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    connection.close()
    assert "half_done" not in tables
    assert version == ("0001",)


def test_alembic_configuration_points_at_the_packaged_scripts():
    location = alembic_config().get_main_option("script_location")
    assert location.endswith("migrations")


def test_events_written_before_the_chain_are_sealed_at_the_next_open(tmp_path):
    from sijdesk.check import check_database

    path = tmp_path / "old.sqlite3"
    old = _database_at(path, "0004")
    with old.write() as session:
        session.execute(
            text(
                "INSERT INTO app_user (id, username, display_name, active, created_at, "
                "failed_signins, must_change_password) VALUES "
                "(3, 'early', 'Early User', 1, '2026-01-01 00:00:00', 0, 0)"
            )
        )
        for number in (1, 2, 3):
            session.execute(
                text(
                    "INSERT INTO audit_event (id, at, user_id, action, entity, summary, details) "
                    f"VALUES ({number}, '2026-01-0{number} 09:00:00.000000', 3, 'register', "
                    "'patient', '', '{}')"
                )
            )
    old.dispose()
    open_database(str(path), backup_folder=tmp_path / "backups").dispose()
    report = check_database(path)
    assert report.ok, report.lines()
    assert "3 events" in report.lines()[-2]


def test_odi_scores_of_older_records_are_filled_in_by_the_upgrade(tmp_path):
    from datetime import date

    from sijdesk.db.migrate import alembic_config
    from tests.signin import new_clinic

    path = tmp_path / "clinic.sqlite3"
    clinic = new_clinic(path)
    patient = clinic.patients.register(
        {"given_names": "A", "family_name": "Older", "date_of_birth": "1970-01-01"}
    )
    episode = clinic.episodes.create(patient.id, {"side": "left", "onset_date": "2026-06-01"})
    for items in ([3, 2, 2, 2, 2, 2, 2, 2, 2, None], [1, None, None, 1, 1, 1, 1, 1, 1, 1], None):
        clinic.timeline.add(
            episode.id, "outcome", {"date": date(2026, 7, 1), "nrs": 5, "odi_items": items}
        )
    clinic.close()
    engine = create_app_engine(f"sqlite:///{path}")
    with engine.connect() as connection, connection.begin():
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0014")  # as the records were before 0015
    engine.dispose()

    db = open_database(str(path), backup_folder=tmp_path / "backups")
    with db.read() as session:
        tenths = session.execute(text("SELECT odi_tenths FROM outcome_measure ORDER BY id"))
        assert [row[0] for row in tenths] == [422, None, None]  # 19/45 = 42.2 %
        assert session.execute(text("SELECT report_min_cell FROM clinic_settings")).scalar() == 5
    db.dispose()
