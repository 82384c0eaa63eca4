"""The door of the window: first-run set-up, sign-in, a required password change."""

from __future__ import annotations

import argparse
import threading

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from sijdesk.db.migrate import open_database
from sijdesk.db.opening import DatabaseOpening
from sijdesk.demo import DEMO_PASSWORD, new_demo_clinic
from sijdesk.models import AuditEvent, User
from sijdesk.services import AccountService
from sijdesk.ui import app as app_module
from sijdesk.ui.signin import ChangePasswordDialog, FirstRunDialog, SignInDialog
from tests.signin import TEST_PASSWORD, add_user, door_signing_in, new_clinic


@pytest.fixture
def new_db(tmp_path, sijdesk_home):
    db = open_database(str(tmp_path / "new.sqlite3"))
    yield db
    db.dispose()


def _type(qtbot, field, text):
    field.clear()
    qtbot.keyClicks(field, text)


def _fill_first_run(qtbot, dialog, *, password="a-good-secret-1", repeat=None):
    _type(qtbot, dialog.clinic_name, "Hill Street Clinic")
    _type(qtbot, dialog.display_name, "Dr Maria Kowalska")
    _type(qtbot, dialog.username, "M.Kowalska")
    _type(qtbot, dialog.password, password)
    _type(qtbot, dialog.repeat, password if repeat is None else repeat)


def test_first_run_creates_the_administrator_and_names_the_clinic(qtbot, new_db):
    dialog = FirstRunDialog(new_db)
    qtbot.addWidget(dialog)
    _fill_first_run(qtbot, dialog)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    assert dialog.signed.actor.username == "m.kowalska"
    assert dialog.signed.actor.roles == {"admin", "clinician"}
    assert not AccountService(new_db).setup_needed()
    with new_db.read() as session:
        user = session.scalar(select(User))
        assert user.password_hash.startswith("$argon2id$")
        assert "a-good-secret-1" not in user.password_hash
        assert session.scalar(select(AuditEvent.action)) == "setup"


def test_first_run_shows_problems_beside_the_fields_and_creates_nothing(qtbot, new_db):
    dialog = FirstRunDialog(new_db)
    qtbot.addWidget(dialog)
    _fill_first_run(qtbot, dialog, repeat="something-else")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["repeat"].isHidden() is False
    assert dialog.errors["repeat"].text() == "Does not match the password"
    _fill_first_run(qtbot, dialog, password="short")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.errors["password"].isHidden() is False
    assert dialog.errors["password"].text() == "Must be at least 10 characters"
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted
    assert dialog.display_name.text() == "Dr Maria Kowalska"  # input kept
    assert AccountService(new_db).setup_needed()


def test_sign_in_refuses_a_wrong_password_plainly_then_accepts_the_right_one(qtbot, new_db):
    signed = AccountService(new_db).initialise(
        username="admin", password=TEST_PASSWORD, display_name="Admin"
    )
    dialog = SignInDialog(new_db)
    qtbot.addWidget(dialog)
    _type(qtbot, dialog.username, "admin")
    _type(qtbot, dialog.password, "not-the-password")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != SignInDialog.DialogCode.Accepted
    assert dialog.general_error.text() == "The username or password is not right."
    assert dialog.password.text() == ""
    assert dialog.signed is None
    _type(qtbot, dialog.password, TEST_PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == SignInDialog.DialogCode.Accepted
    assert dialog.signed.actor.id == signed.actor.id
    with new_db.read() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["setup", "signin.failed", "signin"]


def test_demo_clinic_sign_in_states_the_demo_passwords(qtbot, tmp_path, sijdesk_home):
    clinic = new_demo_clinic(str(tmp_path / "demo.sqlite3"))
    try:
        dialog = SignInDialog(clinic.db, is_demo=AccountService(clinic.db).is_demo())
        qtbot.addWidget(dialog)
        (note,) = [w for w in dialog.children() if w.objectName() == "demoNote"]
        assert "sijdesk-demo" in note.text()
        assert "reception.haddad" in note.text()
    finally:
        clinic.close()


def test_a_reset_password_must_be_changed_before_the_window_opens(
    qtbot, tmp_path, sijdesk_home, monkeypatch, messages
):
    from tests.signin import new_clinic

    path = tmp_path / "c.sqlite3"
    admin = new_clinic(path)
    add_user(admin, "recep", "Front Desk", "reception")
    (recep,) = [u for u in admin.users.all_users() if u.username == "recep"]
    admin.users.reset_password(recep.id, "temporary-pass-7")
    admin.close()

    asked = []

    sign_in = door_signing_in("recep", "temporary-pass-7")

    def change(clinic):
        asked.append(clinic.actor.username)
        dialog = ChangePasswordDialog(clinic, required=True)
        qtbot.addWidget(dialog)
        _type(qtbot, dialog.current, "temporary-pass-7")
        _type(qtbot, dialog.new, "my-own-secret-42")
        _type(qtbot, dialog.repeat, "my-own-secret-42")
        dialog.try_change()
        return dialog.result() == ChangePasswordDialog.DialogCode.Accepted

    monkeypatch.setattr(app_module.Door, "sign_in", staticmethod(sign_in))
    monkeypatch.setattr(app_module.Door, "change_password", staticmethod(change))
    clinic = app_module.open_clinic(argparse.Namespace(db=str(path), user=None))
    try:
        assert asked == ["recep"]
        assert not clinic.must_change_password
    finally:
        clinic.close()
    db = open_database(str(path))
    try:
        assert AccountService(db).sign_in("recep", "my-own-secret-42").actor.username == "recep"
    finally:
        db.dispose()


def test_cancelling_the_sign_in_opens_no_window(tmp_path, sijdesk_home, monkeypatch, messages):
    path = tmp_path / "c.sqlite3"
    new_demo_clinic(str(path)).close()
    monkeypatch.setattr(app_module.Door, "sign_in", staticmethod(lambda db, **k: None))
    shown = []
    monkeypatch.setattr(app_module, "exec_application", lambda app: shown.append(app) or 0)
    assert app_module.run(argparse.Namespace(db=str(path), user=None)) == 0
    assert shown == []
    assert DEMO_PASSWORD  # the demo clinic really has accounts: sign-in was asked


@pytest.fixture
def hold_opening(monkeypatch):
    """From when it is called, opening a database waits until the test lets it go (as
    a big clinic's damage check keeps it); returns the event that lets it go."""
    from sijdesk.db import migrate

    gate = threading.Event()
    real = migrate.open_database

    def slow_open_database(*args, **kwargs):
        assert gate.wait(timeout=30), "the test never let the opening finish"
        return real(*args, **kwargs)

    def hold() -> threading.Event:
        monkeypatch.setattr(migrate, "open_database", slow_open_database)
        return gate

    yield hold
    gate.set()


def test_the_door_is_usable_while_the_database_opens_and_signs_in_once_it_is_open(
    qtbot, tmp_path, sijdesk_home, hold_opening
):
    path = tmp_path / "c.sqlite3"
    new_clinic(path).close()
    held_opening = hold_opening()
    opening = DatabaseOpening(str(path))
    dialog = SignInDialog(opening)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.opening_status.isVisible()
    _type(qtbot, dialog.username, "admin")
    _type(qtbot, dialog.password, TEST_PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    # Not signed in yet, and not refused: it waits for the database, fields kept.
    assert dialog.result() != SignInDialog.DialogCode.Accepted
    assert not dialog.sign_in_button.isEnabled()
    assert "signed in as soon as it is ready" in dialog.opening_status.text()
    assert dialog.password.text() == TEST_PASSWORD
    assert dialog.general_error.isHidden()
    held_opening.set()
    qtbot.waitUntil(lambda: dialog.result() == SignInDialog.DialogCode.Accepted, timeout=10_000)
    try:
        assert dialog.signed.actor.username == "admin"
        assert dialog.opening_status.isHidden()
    finally:
        opening.result().database.dispose()


def test_a_clinic_file_without_accounts_goes_from_the_door_to_the_first_run(
    tmp_path, sijdesk_home, monkeypatch, messages
):
    path = tmp_path / "c.sqlite3"
    open_database(str(path)).dispose()  # a clinic database with no one in it yet
    asked = []
    monkeypatch.setattr(
        app_module.Door, "first_run", staticmethod(lambda db: asked.append(db.url) or None)
    )
    # The real sign-in dialog is shown first (the file exists) and closes by itself.
    assert app_module.open_clinic(argparse.Namespace(db=str(path), user=None)) == "cancelled"
    assert asked == [f"sqlite:///{path}"]


def test_a_demo_clinic_opened_behind_the_door_shows_its_passwords_when_known(
    qtbot, tmp_path, sijdesk_home, hold_opening
):
    path = tmp_path / "demo.sqlite3"
    new_demo_clinic(str(path)).close()
    held_opening = hold_opening()
    opening = DatabaseOpening(str(path))
    dialog = SignInDialog(opening)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.demo_note.isHidden()  # not known before the database is open
    held_opening.set()
    qtbot.waitUntil(dialog.demo_note.isVisible, timeout=10_000)
    opening.result().database.dispose()


def test_leaving_at_the_door_waits_for_the_opening_to_end(
    tmp_path, sijdesk_home, monkeypatch, hold_opening
):
    """A migration (and the backup before it) that the opening began must not be cut off
    by the program ending when the user closes the sign-in dialog."""
    path = tmp_path / "c.sqlite3"
    new_clinic(path).close()
    gate = hold_opening()
    openings = []

    def leave(opening, **_kwargs):  # the user closes the dialog: None
        openings.append(opening)
        threading.Timer(0.3, gate.set).start()

    monkeypatch.setattr(app_module.Door, "sign_in", staticmethod(leave))
    assert app_module.open_clinic(argparse.Namespace(db=str(path), user=None)) == "cancelled"
    assert gate.is_set()
    assert openings[0].done() and not openings[0].failed()


def test_an_opening_that_failed_before_the_dialog_was_shown_still_closes_it(
    qtbot, tmp_path, sijdesk_home
):
    from PySide6.QtCore import QTimer

    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"\0" * 10 + b"garbage" * 500)
    opening = DatabaseOpening(str(path))
    qtbot.waitUntil(opening.done, timeout=20_000)  # failed before the dialog exists
    assert opening.failed()
    dialog = SignInDialog(opening, username="admin")
    qtbot.addWidget(dialog)
    QTimer.singleShot(5000, dialog.reject)  # a hang becomes a wrong answer, not a stuck run
    assert dialog.exec() == SignInDialog.OPENING_STOPPED
