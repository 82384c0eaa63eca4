"""The administrator's users window, the File menu's password and sign-out."""

from __future__ import annotations

import argparse

from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from sijdesk.models import AuditEvent
from sijdesk.services import AccountService
from sijdesk.ui import app as app_module
from sijdesk.ui.main_window import MainWindow
from sijdesk.ui.users_window import (
    NewUserDialog,
    ResetPasswordDialog,
    RolesDialog,
    UsersModel,
    UsersWindow,
)
from tests.signin import TEST_PASSWORD, add_user, new_clinic


def _type(qtbot, field, text):
    field.clear()
    qtbot.keyClicks(field, text)


def test_users_model_passes_the_model_tester(qtmodeltester, clinic):
    add_user(clinic, "recep", "Front Desk", "reception")
    model = UsersModel()
    model.set_rows(clinic.users.all_users())
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(1, 2).data() == "reception"
    assert model.index(1, 4).data() == "never"


def test_new_user_with_two_roles_signs_in_and_must_choose_a_password(qtbot, clinic):
    window = UsersWindow(clinic)
    qtbot.addWidget(window)
    dialog = NewUserDialog(clinic, window)
    qtbot.addWidget(dialog)
    _type(qtbot, dialog.display_name, "Sam Ortiz")
    _type(qtbot, dialog.username, "sam.ortiz")
    dialog.roles_box.boxes["reception"].setChecked(True)
    dialog.roles_box.boxes["clinician"].setChecked(True)
    _type(qtbot, dialog.password, "temporary-pass-1")
    _type(qtbot, dialog.repeat, "temporary-pass-1")
    dialog.try_create()
    assert dialog.result() == NewUserDialog.DialogCode.Accepted
    signed = AccountService(clinic.db).sign_in("sam.ortiz", "temporary-pass-1")
    assert signed.actor.roles == {"clinician", "reception"}
    assert signed.must_change_password
    window.refresh(dialog.made.id)
    assert window.selected().username == "sam.ortiz"
    assert window.model.index(window.table.currentIndex().row(), 3).data() == (
        "active, must choose a new password"
    )


def test_new_user_problems_show_beside_the_fields(qtbot, clinic):
    dialog = NewUserDialog(clinic)
    qtbot.addWidget(dialog)
    _type(qtbot, dialog.username, "x")
    _type(qtbot, dialog.password, "temporary-pass-1")
    _type(qtbot, dialog.repeat, "temporary-pass-1")
    dialog.try_create()
    assert dialog.result() != NewUserDialog.DialogCode.Accepted
    assert dialog.errors["display_name"].text() == "Is required"
    assert "2 to 64 characters" in dialog.errors["username"].text()
    assert dialog.errors["roles"].text() == "Choose at least one role"
    assert len(clinic.users.all_users()) == 1


def test_reset_roles_and_disable_are_refused_or_done_plainly(qtbot, clinic, messages):
    add_user(clinic, "recep", "Front Desk", "reception")
    window = UsersWindow(clinic)
    qtbot.addWidget(window)
    (recep,) = [u for u in clinic.users.all_users() if u.username == "recep"]
    reset = ResetPasswordDialog(clinic, recep, window)
    qtbot.addWidget(reset)
    _type(qtbot, reset.password, "fresh-temporary-2")
    _type(qtbot, reset.repeat, "fresh-temporary-2")
    reset.try_reset()
    assert reset.result() == ResetPasswordDialog.DialogCode.Accepted
    assert AccountService(clinic.db).sign_in("recep", "fresh-temporary-2").must_change_password

    (me,) = [u for u in clinic.users.all_users() if u.username == "admin"]
    roles = RolesDialog(clinic, me, window)
    qtbot.addWidget(roles)
    roles.roles_box.boxes["admin"].setChecked(False)
    roles.roles_box.boxes["clinician"].setChecked(True)
    roles.try_save()
    assert roles.result() != RolesDialog.DialogCode.Accepted
    assert "at least one active administrator" in roles.general_error.text()

    window.refresh(recep.id)
    messages.answers.append(True)
    window.toggle_active()
    assert [u.active for u in clinic.users.all_users() if u.username == "recep"] == [False]
    assert window.toggle_button.text() == "Enable"
    window.toggle_active()
    assert [u.active for u in clinic.users.all_users() if u.username == "recep"] == [True]
    with clinic.db.read() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == recep.id)
        ).all()
    assert {"user.password_reset", "user.disable", "user.enable"} <= set(actions)


def test_only_administrators_see_the_users_menu(qtbot, clinic, settings):
    recep = add_user(clinic, "recep", "Front Desk", "reception")
    admin_window = MainWindow(clinic, settings)
    qtbot.addWidget(admin_window)
    recep_window = MainWindow(recep, settings)
    qtbot.addWidget(recep_window)
    assert admin_window.act_users.isVisible()
    assert not recep_window.act_users.isVisible()
    assert recep_window.user_label.text() == "Front Desk (reception)"


def test_sign_out_returns_to_the_sign_in_dialog(tmp_path, sijdesk_home, monkeypatch, messages):
    path = tmp_path / "c.sqlite3"
    new_clinic(path).close()
    asked = []

    def sign_in(opening, *, username=""):
        asked.append(username)
        if len(asked) == 1:
            return AccountService(opening.result().database).sign_in("admin", TEST_PASSWORD)
        return None

    def exec_application(app):
        (window,) = [
            w
            for w in QApplication.topLevelWidgets()
            if w.objectName() == "mainWindow" and w.isVisible()
        ]
        window.act_sign_out.trigger()
        return 0

    monkeypatch.setattr(app_module.Door, "sign_in", staticmethod(sign_in))
    monkeypatch.setattr(app_module, "exec_application", exec_application)
    status = app_module.run(argparse.Namespace(db=str(path), user="admin"))
    assert status == 0
    assert asked == ["admin", ""]
    from sijdesk.db.migrate import open_database

    opened = open_database(str(path))
    try:
        with opened.read() as session:
            actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    finally:
        opened.dispose()
    # The closing backup (the clinic changed since the last one), then the sign-out.
    # (The patient list's first read is audited too, when it ended before the sign-out.)
    assert [a for a in actions if a != "patient.search"][-3:] == ["signin", "backup", "signout"]


def test_the_idle_lock_time_is_set_in_the_users_window(qtbot, clinic):
    window = UsersWindow(clinic)
    qtbot.addWidget(window)
    assert window.idle_minutes.value() == 10
    window.idle_minutes.setValue(25)
    window.save_idle_button.click()
    assert clinic.settings.get().idle_lock_minutes == 25
    assert "25 minutes" in window.idle_note.text()
    with clinic.db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.update")
        ).one()
    assert event.details == {
        "before": {"idle_lock_minutes": 10},
        "after": {"idle_lock_minutes": 25},
    }
