"""Backups in the window: status, back up now, settings, the closing backup, restore."""

from __future__ import annotations

import argparse

from PySide6.QtWidgets import QApplication

from sijdesk import backup
from sijdesk.ui import app as app_module
from sijdesk.ui.backups_ui import BackupSettingsDialog
from sijdesk.ui.main_window import MainWindow
from tests.signin import door_signing_in, new_clinic
from tests.window_fixtures import register


def _window(qtbot, clinic, settings):
    window = MainWindow(clinic, settings)
    qtbot.addWidget(window)
    return window


def test_the_status_bar_warns_until_a_verified_backup_exists(
    qtbot, clinic, settings, messages, tmp_path
):
    clinic.settings.update({"backup_folder": str(tmp_path / "b")})
    window = _window(qtbot, clinic, settings)
    window.backups.refresh_status()
    assert window.backups.label.text() == "No verified backup yet"
    assert "b00020" in window.backups.label.styleSheet()
    info = window.backups.back_up_now()
    assert info.path.parent == tmp_path / "b"
    assert window.backups.label.text() == "Last verified backup just now"
    assert window.backups.label.styleSheet() == ""
    assert "made and verified" in messages.texts_of("info")[-1]
    window.ops.shutdown()


def test_only_administrators_see_the_backup_actions(qtbot, clinic, settings):
    from tests.signin import add_user

    recep = add_user(clinic, "recep", "Front Desk", "reception")
    window = _window(qtbot, recep, settings)
    assert not window.act_backup_now.isVisible()
    assert not window.act_restore.isVisible()
    assert not window.act_backup_settings.isVisible()
    admin = _window(qtbot, clinic, settings)
    assert admin.act_backup_now.isVisible()


def test_the_interval_backup_runs_only_after_changes(qtbot, clinic, settings, tmp_path):
    clinic.settings.update({"backup_folder": str(tmp_path / "b")})
    window = _window(qtbot, clinic, settings)
    window.backups.backup_if_changed()
    qtbot.waitUntil(lambda: not window.backups._running, timeout=10_000)
    assert len(backup.list_backups(tmp_path / "b")) == 1
    window.backups.backup_if_changed()  # nothing changed since: no new backup
    qtbot.waitUntil(lambda: not window.backups._running, timeout=10_000)
    assert len(backup.list_backups(tmp_path / "b")) == 1
    (first,) = backup.list_backups(tmp_path / "b")
    register(clinic, "Ann", "Later", "1970-01-01")
    window.backups.backup_if_changed()
    qtbot.waitUntil(lambda: not window.backups._running, timeout=10_000)
    # A newer backup; the same day's older automatic one is pruned (newest per day kept).
    (second,) = backup.list_backups(tmp_path / "b")
    assert second[0] > first[0]
    window.ops.shutdown()


def test_backup_settings_save_and_encrypt(qtbot, clinic, tmp_path):
    dialog = BackupSettingsDialog(clinic)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path / "elsewhere"))
    dialog.interval.setValue(45)
    dialog.encrypted.setChecked(True)
    dialog.try_save()
    assert dialog.passphrase_error.text() == "Choose a passphrase to encrypt backups."
    dialog.passphrase.setText("a good passphrase")
    dialog.repeat.setText("a different one")
    dialog.try_save()
    assert dialog.passphrase_error.text() == "The two passphrases differ."
    dialog.passphrase.setText("short")
    dialog.repeat.setText("short")
    dialog.try_save()
    assert "at least 12 characters" in dialog.passphrase_error.text()
    dialog.passphrase.setText("a good passphrase")
    dialog.repeat.setText("a good passphrase")
    dialog.try_save()
    assert dialog.result() == BackupSettingsDialog.DialogCode.Accepted
    saved = clinic.settings.get()
    assert saved.backup_folder == str(tmp_path / "elsewhere")
    assert saved.backup_interval_minutes == 45
    assert saved.backups_encrypted
    assert clinic.backups.back_up().encrypted


def test_closing_makes_a_backup_and_restore_brings_it_back(
    tmp_path, sijdesk_home, monkeypatch, messages
):
    path = tmp_path / "c.sqlite3"
    clinic = new_clinic(path)
    clinic.settings.update({"backup_folder": str(tmp_path / "b")})
    register(clinic, "Ann", "Before", "1970-01-01")
    clinic.close()
    rounds = []

    def visible_window():
        (window,) = [
            w
            for w in QApplication.topLevelWidgets()
            if w.objectName() == "mainWindow" and w.isVisible()
        ]
        return window

    def exec_application(app):
        window = visible_window()
        rounds.append(sorted(p.family_name for p in window.clinic.patients.search()))
        if len(rounds) == 1:
            window.sign_out()  # the closing backup holds "Before"
        elif len(rounds) == 2:
            register(window.clinic, "Bob", "After", "1971-01-01")
            (first,) = backup.list_backups(tmp_path / "b")
            window.backups.ask_backup_file = lambda: str(first[2])
            messages.answers.append(True)
            assert window.backups.restore_from_backup() is not None
        else:
            window.close()
        return 0

    signs = []

    def sign_in(opening, *, username=""):
        signs.append(1)
        return door_signing_in("admin")(opening) if len(signs) <= 3 else None

    monkeypatch.setattr(app_module.Door, "sign_in", staticmethod(sign_in))
    monkeypatch.setattr(app_module, "exec_application", exec_application)
    assert app_module.run(argparse.Namespace(db=str(path), user=None)) == 0
    assert rounds == [["Before"], ["Before"], ["Before"]]
    assert "restored from the auto backup" in messages.texts_of("info")[-1]
    kinds = sorted(kind for _m, kind, _p in backup.list_backups(tmp_path / "b"))
    assert kinds == ["auto", "pre-restore"]


def test_a_damaged_database_at_start_offers_the_newest_good_backup(
    tmp_path, sijdesk_home, monkeypatch, messages
):
    import os

    from sijdesk.paths import backup_dir

    path = tmp_path / "c.sqlite3"
    clinic = new_clinic(path)
    register(clinic, "Ann", "Saved", "1970-01-01")
    clinic.backups.back_up()
    clinic.close()
    data = bytearray(path.read_bytes())
    data[100:8192] = os.urandom(8092)
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    offered = []
    monkeypatch.setattr(
        app_module.Door,
        "recover",
        staticmethod(lambda problem, candidate: offered.append(problem) or True),
    )
    monkeypatch.setattr(
        app_module.Door,
        "sign_in",
        staticmethod(door_signing_in("admin")),
    )
    opened = app_module.open_clinic(argparse.Namespace(db=str(path), user=None))
    try:
        assert [p.family_name for p in opened.patients.search()] == ["Saved"]
    finally:
        opened.close()
    assert "is damaged" in offered[0]
    assert "restored from the backup" in messages.texts_of("info")[-1]
    assert any(p.name.startswith("damaged-") for p in backup_dir().iterdir())


def test_a_damaged_database_without_backups_says_so_and_opens_nothing(
    tmp_path, sijdesk_home, messages
):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"\0" * 10 + b"garbage" * 500)
    assert app_module.open_clinic(argparse.Namespace(db=str(path), user=None)) is None
    (text,) = messages.texts_of("warning")
    assert "is damaged" in text and "No backup was found" in text
    assert path.read_bytes() == b"\0" * 10 + b"garbage" * 500
