"""The idle lock: patient data hidden, the same user resumes with their input
kept, or someone else signs in and the first user's open forms are discarded."""

from __future__ import annotations

import argparse

from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from sijdesk.models import AuditEvent
from sijdesk.ui import app as app_module
from sijdesk.ui.main_window import MainWindow
from tests.signin import TEST_PASSWORD, add_user, door_signing_in, new_clinic
from tests.window_fixtures import Ui, register


def _actions(clinic):
    with clinic.db.read() as session:
        return session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def _window(qtbot, clinic, settings):
    window = MainWindow(clinic, settings)
    qtbot.addWidget(window)
    window.show()
    # The list's first search is audited on the worker; let it land before the lock's events.
    Ui(qtbot, window).wait_idle()
    return window


def _unlock(qtbot, lock, username, password):
    lock.screen.username.setText(username)
    lock.screen.password.setText(password)
    lock.screen.unlock_button.click()


def test_idle_time_locks_the_window_and_hides_open_forms(qtbot, clinic, settings, messages):
    register(clinic, "Zoë", "Łukasiewicz", "1972-03-14")
    window = _window(qtbot, clinic, settings)
    dialog = window.new_patient()
    dialog.fields["given_names"].setText("Half typed")
    lock = window.start_idle_lock(10, interval_ms=50)
    qtbot.waitUntil(lambda: lock.is_locked, timeout=5000)
    assert lock.screen.isVisible()
    assert not window.centralWidget().isVisible()
    assert not window.menuBar().isVisible()
    assert not dialog.isVisible()
    assert window.windowTitle().startswith("Locked")
    # Shortcuts do nothing while locked.
    window.act_new_patient.trigger()
    assert window.last_dialog is dialog
    assert _actions(clinic)[-1] == "lock"


def test_the_same_user_unlocks_and_finds_the_form_as_it_was(qtbot, clinic, settings, messages):
    window = _window(qtbot, clinic, settings)
    dialog = window.new_patient()
    dialog.fields["given_names"].setText("Half typed")
    lock = window.start_idle_lock(10)
    lock.lock()
    _unlock(qtbot, lock, "admin", "wrong-password")
    assert lock.is_locked
    assert lock.screen.error.text() == "The username or password is not right."
    _unlock(qtbot, lock, "admin", TEST_PASSWORD)
    assert not lock.is_locked
    assert window.centralWidget().isVisible()
    assert dialog.isVisible()
    assert dialog.fields["given_names"].text() == "Half typed"
    assert _actions(clinic)[-3:] == ["lock", "unlock.failed", "unlock"]


def test_input_keeps_the_window_unlocked(qtbot, clinic, settings):
    window = _window(qtbot, clinic, settings)
    lock = window.start_idle_lock(10, interval_ms=300)
    for _ in range(5):
        qtbot.wait(120)
        qtbot.keyClick(window.list_pane, "a")
    assert not lock.is_locked


def test_another_user_takes_over_and_the_first_users_form_is_discarded(
    qtbot, clinic, settings, messages
):
    add_user(clinic, "clin", "Dr Test Clinician", "clinician")
    window = _window(qtbot, clinic, settings)
    dialog = window.new_patient()
    dialog.fields["given_names"].setText("Half typed")
    lock = window.start_idle_lock(10)
    lock.lock()
    _unlock(qtbot, lock, "clin", TEST_PASSWORD)
    assert window.switch_to is not None
    assert window.switch_to.actor.username == "clin"
    assert not window.isVisible()
    assert messages.shown == []  # no "discard changes?" question
    with clinic.db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "work.discarded")
        ).one()
    assert event.user_id == clinic.actor.id
    assert event.details["next_user"] == "clin"
    assert event.details["forms"]
    assert "Half typed" not in str(event.details)


def test_the_application_opens_the_window_for_whoever_took_over(
    tmp_path, sijdesk_home, monkeypatch, messages
):
    path = tmp_path / "c.sqlite3"
    admin = new_clinic(path)
    add_user(admin, "clin", "Dr Test Clinician", "clinician")
    admin.close()
    windows = []

    def exec_application(app):
        (window,) = [
            w
            for w in QApplication.topLevelWidgets()
            if w.objectName() == "mainWindow" and w.isVisible()
        ]
        windows.append(window.clinic.actor.username)
        if len(windows) == 1:
            window.idle_lock.lock()
            _unlock(None, window.idle_lock, "clin", TEST_PASSWORD)
        else:
            window.close()
        return 0

    monkeypatch.setattr(
        app_module.Door,
        "sign_in",
        staticmethod(door_signing_in("admin")),
    )
    monkeypatch.setattr(app_module, "exec_application", exec_application)
    assert app_module.run(argparse.Namespace(db=str(path), user=None)) == 0
    assert windows == ["admin", "clin"]
