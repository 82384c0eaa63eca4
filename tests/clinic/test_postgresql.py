"""The same clinic on a real PostgreSQL server: migrations, services, the
command line, `sijdesk check`, and plain words when the server cannot be used."""

from __future__ import annotations

import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from sijdesk.db.engine import Database, create_app_engine, safe_url
from sijdesk.db.migrate import alembic_config, head_revision, open_database, upgrade
from sijdesk.errors import EnvironmentProblem
from sijdesk.models import Base
from tests.conftest import TODAY
from tests.signin import TEST_PASSWORD, door_signing_in, new_clinic, reopen_clinic, run_sijdesk
from tests.window_fixtures import register

UNREACHABLE = (
    "The database server cannot be reached: it may be switched off or the network may be "
    "down. Nothing was changed; try again when it is back."
)


def test_a_new_clinic_is_created_at_the_newest_schema(pg_url):
    db = open_database(pg_url)
    try:
        with db.read() as session:
            version = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
            tables = set(inspect(session.connection()).get_table_names())
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        db.dispose()
    assert db.engine.dialect.name == "postgresql"
    assert version == head_revision()
    assert set(Base.metadata.tables) <= tables
    assert differences == []  # the migrations build exactly the models here too


def test_every_migration_upgrades_one_step_at_a_time(pg_url):
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    db = Database(url=pg_url, engine=create_app_engine(pg_url))
    try:
        for revision in revisions:
            upgrade(db, revision)
            with db.read() as session:
                at = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert at == revision
    finally:
        db.dispose()
    assert revisions[-1] == head_revision()


def test_the_services_keep_a_clinic_on_the_server(pg_url):
    clinic = new_clinic(pg_url, clock=lambda: TODAY)
    try:
        patient = register(clinic, "Zoë", "Łukasiewicz", "1972-03-14", phone="+44 7700 900123")
        second = register(clinic, "Ahmed", "Al-Sayed", "1966-02-17")
        assert (patient.record_number, second.record_number) == ("000001", "000002")
        assert [p.id for p in clinic.patients.search("łuk")] == [patient.id]
        assert [p.id for p in clinic.patients.search("LUKAS")] == [patient.id]
        episode = clinic.episodes.create(patient.id, {"side": "left", "onset_date": "2026-09-01"})
        first = clinic.timeline.add(episode.id, "outcome", {"date": "2026-11-20", "nrs": 6})
        clinic.timeline.amend(first.id, {"date": "2026-11-20", "nrs": 5}, reason="misheard")
        assert [e.record.nrs for e in clinic.timeline.entries(episode.id)] == [5]
        assert clinic.audit.verify().ok
    finally:
        clinic.close()
    again = reopen_clinic(pg_url, clock=lambda: TODAY)
    try:
        assert again.patients.get(patient.id).given_names == "Zoë"
    finally:
        again.close()


def test_the_demo_clinic_builds_and_checks_on_the_server(pg_url):
    from sijdesk.demo import create_demo_clinic, new_demo_clinic

    clinic = new_demo_clinic(pg_url, clock=lambda: TODAY)
    try:
        create_demo_clinic(clinic, patients=20)
        assert clinic.patients.count() == 20
    finally:
        clinic.close()
    result = run_sijdesk("check", "--db-url", pg_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "audit chain: ok" in result.stdout
    assert TEST_PASSWORD not in result.stdout


def test_check_names_an_event_changed_on_the_server(pg_url, postgres_server):
    clinic = new_clinic(pg_url)
    register(clinic, "Zoë", "Łukasiewicz", "1972-03-14")
    clinic.close()
    db = Database(url=pg_url, engine=create_app_engine(pg_url))
    with db.write() as session:
        target = session.execute(text("SELECT max(id) FROM audit_event")).scalar()
        session.execute(
            text("UPDATE audit_event SET summary = 'nothing happened' WHERE id = :id"),
            {"id": target},
        )
    db.dispose()
    result = run_sijdesk("check", "--db-url", pg_url)
    assert result.returncode == 4
    assert f"event {target}" in result.stdout
    assert postgres_server.password not in result.stdout  # the address is shown without it


@pytest.mark.parametrize("problem", ["wrong password", "unknown database", "server down"])
def test_a_server_that_cannot_be_used_is_one_plain_sentence_and_exit_status_3(
    problem, pg_url, postgres_server
):
    database = pg_url.split("/")[-1].split("?")[0]
    url, expected = {
        "wrong password": (
            postgres_server.url(database, password="not-the-password"),
            "refused the user name or password",
        ),
        "unknown database": (
            postgres_server.url("no_such_clinic"),
            "does not exist on the server",
        ),
        "server down": (
            pg_url.replace(f"port={postgres_server.port}", f"port={postgres_server.port + 1}"),
            UNREACHABLE,
        ),
    }[problem]
    result = run_sijdesk("patients", "list", "--db-url", url)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert postgres_server.password not in result.stderr


def test_sijdesk_connections_price_lookups_for_a_database_held_in_memory(pg_url):
    # At the server's default price (4, for spinning disks) the planner read every
    # patient for a search of 1,800 matches in one ANALYZE in two (engine.py says why).
    engine = create_app_engine(pg_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW random_page_cost")).scalar_one() == "1.1"
            assert connection.execute(text("SHOW application_name")).scalar_one() == "sijdesk"
    finally:
        engine.dispose()


def test_a_server_database_is_named_as_people_say_it():
    from sijdesk.db.engine import server_label

    assert server_label("postgresql+psycopg://u:secret@db.clinic.local/sijdesk") == (
        "sijdesk on db.clinic.local"
    )
    assert (
        server_label("postgresql+psycopg://u:p@10.0.0.5:5433/clinic") == "clinic on 10.0.0.5:5433"
    )
    assert server_label("postgresql+psycopg://u:p@/clinic?host=/run/postgresql") == (
        "clinic on this computer"
    )


def test_addresses_that_cannot_work_are_explained(monkeypatch):
    cases = {
        "mysql://clinic@server/records": "a SQLite file or a PostgreSQL server, not mysql",
        "postgresql+pg8000://clinic@server/records": "Name the psycopg driver",
        "not a url at all://": "not valid",
    }
    for url, words in cases.items():
        with pytest.raises(EnvironmentProblem, match=words):
            create_app_engine(url)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    with pytest.raises(EnvironmentProblem, match=r"pip install 'sijdesk\[postgresql\]'"):
        create_app_engine("postgresql+psycopg://clinic@server/records")


def test_the_password_never_leaves_in_an_address():
    shown = safe_url("postgresql+psycopg://clinic:s3cret@server/records")
    assert "s3cret" not in shown and "server/records" in shown


def test_db_and_db_url_together_are_refused(tmp_path):
    result = run_sijdesk(
        "patients",
        "list",
        "--db",
        str(tmp_path / "a.sqlite3"),
        "--db-url",
        "postgresql+psycopg://x@y/z",
    )
    assert result.returncode == 3
    assert "either --db" in result.stderr


def _sign_in_as_admin(monkeypatch):
    from sijdesk.ui import app as app_module

    monkeypatch.setattr(
        app_module.Door,
        "sign_in",
        staticmethod(door_signing_in("admin")),
    )
    return app_module


def test_the_window_offers_to_try_again_until_the_server_answers(
    pg_url, postgres_server, monkeypatch, messages
):
    import argparse

    app_module = _sign_in_as_admin(monkeypatch)
    new_clinic(pg_url).close()
    down = pg_url.replace(f"port={postgres_server.port}", f"port={postgres_server.port + 1}")
    monkeypatch.setenv("SIJDESK_DATABASE_URL", down)
    asked = []

    def choose(parent, title, text, options):
        asked.append((text, options))
        if len(asked) == 2:  # the server is back before the second "Try again"
            monkeypatch.setenv("SIJDESK_DATABASE_URL", pg_url)
        return 0

    monkeypatch.setattr(app_module.Messages, "choose", staticmethod(choose))
    clinic = app_module.open_clinic(argparse.Namespace(db=None, db_url=None, user=None))
    try:
        assert clinic.actor.username == "admin"
        assert clinic.db.engine.dialect.name == "postgresql"
    finally:
        clinic.close()
    assert len(asked) == 2 and all(text == UNREACHABLE for text, _ in asked)
    assert asked[0][1] == ["Try again", "Change the database…", "Quit"]
    # Quitting gives up quietly (the window's exit status 3), with nothing else shown.
    monkeypatch.setenv("SIJDESK_DATABASE_URL", down)
    monkeypatch.undo()  # the recording Messages.choose of the messages fixture is gone too
    monkeypatch.setenv("SIJDESK_DATABASE_URL", down)
    quit_choice = []
    monkeypatch.setattr(
        app_module.Messages, "choose", staticmethod(lambda *a: quit_choice.append(a) or 2)
    )
    assert app_module.open_clinic(argparse.Namespace(db=None, db_url=None, user=None)) is None
    assert len(quit_choice) == 1
    assert messages.shown == []


def test_a_workstation_whose_server_moved_is_pointed_at_it_from_the_prompt(
    qapp, pg_url, postgres_server, monkeypatch, messages
):
    import argparse

    from sijdesk import workstation
    from sijdesk.ui import database_dialog

    app_module = _sign_in_as_admin(monkeypatch)
    new_clinic(pg_url).close()
    workstation.save_url(
        pg_url.replace(f"port={postgres_server.port}", f"port={postgres_server.port + 1}")
    )

    def exec_dialog(self):  # the administrator types the server's new address and saves
        workstation.save_url(pg_url)
        return database_dialog.DatabaseDialog.DialogCode.Accepted

    monkeypatch.setattr(database_dialog.DatabaseDialog, "exec", exec_dialog)
    messages.choices.append(1)  # "Change the database…"
    clinic = app_module.open_clinic(argparse.Namespace(db=None, db_url=None, user=None))
    try:
        assert clinic.db.engine.dialect.name == "postgresql"
    finally:
        clinic.close()
