"""Environment problems are plain messages; bugs go to the crash dialog and the log."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys

import pytest

from sijdesk.errors import EnvironmentProblem, SchemaTooNew
from sijdesk.ui import app as app_module
from sijdesk.ui import errors as ui_errors

BUSY = (
    "The clinic database is busy: another SIJ Desk window or workstation is saving. "
    "Nothing was lost; try again in a moment."
)


@pytest.fixture
def opened(ui, patient_with_episode):
    ui.open_patient(patient_with_episode[0].id)
    return patient_with_episode


def test_a_locked_database_while_saving_is_a_plain_message_and_the_form_stays(
    ui, opened, messages, monkeypatch
):
    def locked(*args, **kwargs):
        raise EnvironmentProblem(BUSY)

    monkeypatch.setattr(ui.window.clinic.timeline, "add", locked)
    dialog = ui.view.record("note")
    dialog.fields["text"].setPlainText("Discussed the plan")
    assert ui.save(dialog) is None
    assert messages.texts_of("warning") == [BUSY]
    assert messages.crashes == []
    assert dialog.isVisible()  # the typed input is kept
    assert dialog.fields["text"].value() == "Discussed the plan"
    assert dialog.save_button.isEnabled()


def test_a_bug_while_saving_reaches_the_crash_dialog_and_the_log(
    ui, opened, messages, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("timeline exploded")

    monkeypatch.setattr(ui.window.clinic.timeline, "add", broken)
    dialog = ui.view.record("note")
    dialog.fields["text"].setPlainText("Discussed the plan")
    with caplog.at_level(logging.ERROR, logger="sijdesk.ui.errors"):
        ui.save(dialog)
    crashes = messages.take_crashes()
    assert len(crashes) == 1
    summary, details = crashes[0]
    assert summary == "RuntimeError: timeline exploded"
    assert "Traceback" in details
    assert any("unexpected error" in r.message for r in caplog.records)
    assert dialog.isVisible()


def test_a_failure_while_loading_is_a_message_not_a_traceback(ui, opened, messages, monkeypatch):
    monkeypatch.setattr(
        ui.window.clinic.patients,
        "search_counted",
        lambda *a, **k: (_ for _ in ()).throw(EnvironmentProblem(BUSY)),
    )
    ui.window.list_pane.model.refresh()
    ui.wait(lambda: bool(messages.texts_of("warning")))
    assert messages.texts_of("warning") == [BUSY]
    assert messages.crashes == []


def test_excepthook_logs_and_shows_the_crash_dialog(qapp, messages, caplog):
    try:
        raise ValueError("unexpected")
    except ValueError:
        exc_type, exc, tb = sys.exc_info()
    with caplog.at_level(logging.ERROR):
        ui_errors.excepthook(exc_type, exc, tb)
    crashes = messages.take_crashes()
    assert crashes and crashes[0][0] == "ValueError: unexpected"
    assert any(r.exc_info for r in caplog.records)


def test_excepthook_shows_user_errors_plainly(qapp, messages):
    ui_errors.excepthook(EnvironmentProblem, EnvironmentProblem("The disk is full."), None)
    assert messages.texts_of("warning") == ["The disk is full."]
    assert messages.crashes == []


def test_crash_dialog_offers_the_details(qtbot):
    dialog = ui_errors.CrashDialog(None, "RuntimeError: boom", "Traceback …")
    qtbot.addWidget(dialog)
    assert not dialog.details.isVisible()
    assert "log file" in dialog.findChildren(ui_errors.QLabel)[0].text()


@pytest.fixture
def no_event_loop(monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    shown = []
    monkeypatch.setattr(app_module, "exec_application", lambda app: shown.append(app) or 0)
    return shown


def test_run_shows_a_newer_database_as_a_plain_message(
    sijdesk_home, messages, monkeypatch, no_event_loop
):
    from sijdesk.db import migrate

    def too_new(*args, **kwargs):
        raise SchemaTooNew("This clinic database was written by a newer SIJ Desk (schema 9).")

    monkeypatch.setattr(migrate, "open_database", too_new)
    status = app_module.run(argparse.Namespace(db=None, user=None))
    assert status == 3
    assert messages.texts_of("warning") == [
        "This clinic database was written by a newer SIJ Desk (schema 9)."
    ]
    assert no_event_loop == []


def test_run_offers_a_demo_clinic_for_a_new_database(
    tmp_path, sijdesk_home, messages, monkeypatch, no_event_loop
):
    made = []
    monkeypatch.setattr(app_module.Door, "first_run", staticmethod(lambda db: ("demo", None)))
    monkeypatch.setattr(app_module, "DEMO_PATIENTS", 12)
    real = app_module.create_demo_data

    def demo(clinic, **kwargs):
        made.append(real(clinic, patients=12))
        return made[-1]

    monkeypatch.setattr(app_module, "create_demo_data", demo)
    status = app_module.run(argparse.Namespace(db=str(tmp_path / "new.sqlite3"), user=None))
    assert status == 0
    assert made == [12]
    assert len(no_event_loop) == 1
    windows = [
        w
        for w in app_module.QApplication.topLevelWidgets()
        if w.objectName() == "mainWindow" and w.isVisible()
    ]
    assert windows and "DEMO CLINIC" in windows[-1].windowTitle()
    for widget in windows:
        widget.close()
        widget.deleteLater()


def test_demo_creation_can_be_cancelled(clinic, qtbot, monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    original = QProgressDialog.setValue

    def cancel_soon(self, value):
        original(self, value)
        if value:
            self.canceled.emit()  # what the Cancel button does

    monkeypatch.setattr(app_module.QProgressDialog, "setValue", cancel_soon)
    made = app_module.create_demo_data(clinic, patients=3000)
    assert made is not None and made < 3000


def test_no_screen_is_said_in_a_sentence_before_qt_would_abort():
    from sijdesk.ui.app import display_problem

    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux needs a display server")
    assert "needs a screen" in display_problem({})
    assert "needs a screen" in display_problem({"QT_QPA_PLATFORM": "xcb"})
    assert display_problem({"DISPLAY": ":0"}) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def test_the_window_command_without_a_screen_exits_with_the_sentence(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux needs a display server")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [sys.executable, "-m", "sijdesk", "--db", str(tmp_path / "c.sqlite3")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 3, result.stderr
    assert "needs a screen" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "c.sqlite3").exists()  # nothing was opened or made
