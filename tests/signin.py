"""How tests get a signed-in clinic: a new database set up with its first
administrator, or an existing one opened with a password, as the window and
the command line do. Nothing here bypasses sign-in except ``Clinic.as_user``,
which the fixtures use to act as a second user of the same database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

# Every account the tests create has this password (demo clinics use theirs).
TEST_PASSWORD = "test-password-1"


def new_clinic(location, *, clock: Callable[[], date] = date.today, username: str = "admin"):
    """A new clinic database signed in as its first administrator."""
    from sijdesk.services import Clinic

    return Clinic.create(
        str(location),
        username=username,
        password=TEST_PASSWORD,
        display_name="Clinic administrator",
        clock=clock,
    )


def reopen_clinic(
    location,
    *,
    username: str = "admin",
    password: str = TEST_PASSWORD,
    clock: Callable[[], date] = date.today,
):
    from sijdesk.services import Clinic

    return Clinic.sign_in(str(location), username=username, password=password, clock=clock)


def add_user(clinic, username: str, display_name: str, *roles: str, credentials: str = ""):
    """Create an account through the admin's user service; returns a Clinic acting as it."""
    clinic.users.create(
        username=username,
        display_name=display_name,
        roles=roles,
        password=TEST_PASSWORD,
        credentials=credentials,
        must_change_password=False,
    )
    return clinic.as_user(username)


def copy_clinic(source, target) -> None:
    """Copy a closed clinic database with its audit key file (kept beside it)."""
    import shutil
    from pathlib import Path

    from sijdesk.audit_chain import KEY_SUFFIX

    source, target = Path(source), Path(target)
    shutil.copyfile(source, target)
    shutil.copyfile(
        source.with_name(source.name + KEY_SUFFIX), target.with_name(target.name + KEY_SUFFIX)
    )


def server_copy(server, template_url: str, key) -> str:
    """A new database on the test server copied from ``template_url``, with the template's
    audit key put where this test's data folder keeps a server clinic's key."""
    import shutil

    from sijdesk.paths import data_dir

    url = server.new_database(template=template_url)
    (data_dir() / "audit-keys").mkdir(exist_ok=True)
    shutil.copy2(key, data_dir() / "audit-keys" / key.name)
    return url


def finish_window_work() -> None:
    """Let every window's worker job end before the clinic it reads closes: a job still
    reading when the engine is disposed would leave a server connection open."""
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    from sijdesk.ui.workers import Operations

    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        for operations in widget.findChildren(Operations):
            operations.shutdown()


def location_of(clinic) -> str:
    """Where ``clinic`` lives, as Clinic.sign_in takes it: its file or its server address."""
    return str(clinic.db.path) if clinic.db.path is not None else clinic.db.url


def run_sql(clinic, statement: str) -> None:
    """Change the database behind the services' back, as someone with access to the
    file or the server could (SQLite or PostgreSQL alike)."""
    from sqlalchemy import text

    with clinic.db.engine.begin() as connection:
        connection.execute(text(statement))


def downgrade_to(clinic, revision: str) -> None:
    """Undo the migrations after ``revision`` (Alembic's downgrade), so a test can
    make a database as an older release left it."""
    from alembic import command

    from sijdesk.db.migrate import alembic_config

    with clinic.db.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def database_option(clinic) -> tuple[str, str]:
    """The command line's option naming where ``clinic`` lives: --db FILE or --db-url URL."""
    path = clinic.db.path
    return ("--db", str(path)) if path is not None else ("--db-url", clinic.db.url)


def run_sijdesk(*args: str, user: str = "admin", password: str = TEST_PASSWORD):
    """The ``sijdesk`` command in a subprocess, signed in; a traceback fails the test."""
    import os
    import subprocess
    import sys

    result = subprocess.run(  # noqa: PLW1510 - callers assert the exit status
        [sys.executable, "-m", "sijdesk", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SIJDESK_USER": user, "SIJDESK_PASSWORD": password},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def door_signing_in(username: str = "admin", password: str = TEST_PASSWORD):
    """A stand-in for the window's sign-in dialog (``ui.app.Door.sign_in``) that signs
    ``username`` in once the database it is given has opened; like the dialog, it
    stops (OPENING_STOPPED) when the opening failed or found no accounts."""
    from sijdesk.services import AccountService
    from sijdesk.ui.app import OPENING_STOPPED

    def sign_in(opening, **_kwargs):
        try:
            opened = opening.result()
        except Exception:  # noqa: BLE001 - the caller reports it, as after the dialog
            return OPENING_STOPPED
        if opened.setup_needed:
            return OPENING_STOPPED
        return AccountService(opened.database).sign_in(username, password)

    return sign_in
