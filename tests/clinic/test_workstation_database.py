"""This computer's choice of clinic database (File > Clinic database…)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from sijdesk import workstation
from sijdesk.db.engine import resolve_database_url
from sijdesk.errors import EnvironmentProblem
from sijdesk.ui.database_dialog import DatabaseDialog
from tests.signin import new_clinic, run_sijdesk


def _address(server, database: str, password: str | None = None) -> workstation.ServerAddress:
    return workstation.ServerAddress(
        str(server.socket_dir),
        database,
        "sijdesk_test",
        server.password if password is None else password,
        server.port,
    )


def _name(url: str) -> str:
    return make_url(url).database or ""


def test_an_address_is_built_from_its_parts_with_any_password():
    address = workstation.ServerAddress("clinic-server", "clinic", "desk", "p@ss:w/rd 1", 5433)
    url = make_url(address.url())
    assert (url.host, url.port, url.database, url.username) == (
        "clinic-server",
        5433,
        "clinic",
        "desk",
    )
    assert url.password == "p@ss:w/rd 1"
    assert workstation.ServerAddress(" ", "", "x", port=70000).problems() == {
        "host": "is required",
        "database": "is required",
        "port": "must be from 1 to 65535",
    }


def test_the_choice_is_kept_for_this_computer_and_flags_and_the_variable_win(tmp_path, monkeypatch):
    assert workstation.saved_url() is None
    path = workstation.save_url("postgresql+psycopg://desk:secret@clinic-server/clinic")
    assert path.stat().st_mode & 0o077 == 0  # it holds a password
    assert resolve_database_url(None) == "postgresql+psycopg://desk:secret@clinic-server/clinic"
    assert resolve_database_url(str(tmp_path / "a.sqlite3")).startswith("sqlite:///")
    monkeypatch.setenv("SIJDESK_DATABASE_URL", "postgresql+psycopg://x@elsewhere/db")
    assert resolve_database_url(None) == "postgresql+psycopg://x@elsewhere/db"
    monkeypatch.delenv("SIJDESK_DATABASE_URL")
    workstation.save_url(None)
    assert resolve_database_url(None).endswith("clinic.sqlite3")


def test_trying_the_connection_says_what_is_there(pg_url, postgres_server):
    assert "empty" in workstation.try_connection(pg_url)
    new_clinic(pg_url).close()
    assert "holds an SIJ Desk clinic" in workstation.try_connection(pg_url)
    wrong = _address(postgres_server, _name(pg_url), password="wrong").url()
    with pytest.raises(EnvironmentProblem, match="refused the user name or password"):
        workstation.try_connection(wrong)


def test_the_dialog_tries_saves_and_the_commands_then_use_the_server(
    qtbot, pg_url, postgres_server
):
    new_clinic(pg_url).close()
    dialog = DatabaseDialog()
    qtbot.addWidget(dialog)
    assert dialog.local.isChecked() and not dialog.host.isEnabled()
    dialog.server.setChecked(True)
    dialog.port.setText("not a port")
    dialog.try_connection()
    assert dialog.errors["port"].text() == "Must be a number, such as 5432"
    assert dialog.errors["host"].text() == "Is required"
    address = _address(postgres_server, _name(pg_url))
    dialog.host.setText(address.host)
    dialog.port.setText(str(address.port))
    dialog.database.setText(address.database)
    dialog.user.setText(address.user)
    dialog.password.setText(address.password)
    dialog.try_connection()
    qtbot.waitUntil(lambda: "holds an SIJ Desk clinic" in dialog.answer.text(), timeout=10_000)
    dialog.try_save()
    assert dialog.result() == DatabaseDialog.DialogCode.Accepted
    assert make_url(workstation.saved_url()).database == _name(pg_url)
    assert postgres_server.password not in dialog.chosen
    listed = run_sijdesk("patients", "list")  # no --db: this computer's choice
    assert listed.returncode == 0, listed.stderr
    again = DatabaseDialog()
    qtbot.addWidget(again)
    assert again.server.isChecked() and again.database.text() == _name(pg_url)
    again.local.setChecked(True)
    again.try_save()
    assert workstation.saved_url() is None
