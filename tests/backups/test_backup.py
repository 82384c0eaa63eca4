"""Backups and restore: verified before anything is pruned, refused plainly when
the file is not a good backup or the passphrase is wrong, never half-restored."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from sijdesk import backup
from sijdesk.backup import BackupRefused
from sijdesk.check import check_database
from sijdesk.errors import EnvironmentProblem, PermissionDenied
from sijdesk.models import AuditEvent
from sijdesk.services.audit import AuditFilter
from sijdesk.services.backups import restore_clinic
from tests.signin import TEST_PASSWORD, reopen_clinic

ANN = {"given_names": "Ann", "family_name": "Backup", "date_of_birth": "1970-01-01"}
BOB = {"given_names": "Bob", "family_name": "After", "date_of_birth": "1971-02-02"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _names(clinic):
    return sorted(p.family_name for p in clinic.patients.search(include_archived=True))


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "backups"


@pytest.fixture
def admin(clinic, folder):
    clinic.settings.update({"backup_folder": str(folder)})
    clinic.patients.register(ANN)
    return clinic


def test_a_backup_is_verified_recorded_and_shown_in_the_status(admin, folder):
    assert admin.backups.status().last_verified_at is None
    info = admin.backups.back_up()
    assert info.path.parent == folder
    assert info.kind == "manual" and not info.encrypted
    assert info.audit_events > 0
    assert [p.name for p in folder.iterdir()] == [info.path.name]  # nothing temporary left
    status = admin.backups.status()
    assert status.last_file == info.path.name
    assert not status.is_stale()
    assert status.text().startswith("Last verified backup")
    assert status.is_stale(datetime.now(UTC) + timedelta(days=2))


def test_restore_brings_back_the_backup_and_keeps_the_current_database(admin, folder, db_path):
    info = admin.backups.back_up()
    admin.patients.register(BOB)
    assert _names(admin) == ["After", "Backup"]
    admin.close()
    restore_clinic(db_path, info.path, restored_by="admin", pre_restore_folder=folder)
    report = check_database(db_path)
    assert report.ok, report.lines()
    again = reopen_clinic(db_path)
    try:
        assert _names(again) == ["Backup"]
        (event,) = again.audit.events(AuditFilter(action="restore"))
        assert event.username == "admin"
        assert event.details["file"] == info.path.name
    finally:
        again.close()
    kinds = sorted(kind for _m, kind, _p in backup.list_backups(folder))
    assert kinds == ["manual", "pre-restore"]
    # The pre-restore backup holds the state just before: Bob is in it.
    (pre,) = [p for _m, kind, p in backup.list_backups(folder) if kind == "pre-restore"]
    target = folder.parent / "check.sqlite3"
    backup.restore_backup(pre, target)
    assert check_database(target).ok


def test_encrypted_backups_need_the_passphrase_and_refuse_a_wrong_one(admin, folder, db_path):
    admin.backups.set_passphrase("correct horse battery")
    info = admin.backups.back_up(kind="auto")
    assert info.encrypted
    data = info.path.read_bytes()
    assert b"SQLite format 3" not in data
    assert b"Backup" not in data  # the patient's name is not readable in the file
    admin.patients.register(BOB)
    admin.close()
    before = _sha(db_path)
    with pytest.raises(BackupRefused, match="encrypted: give its passphrase"):
        restore_clinic(db_path, info.path)
    with pytest.raises(BackupRefused, match="passphrase does not open this backup"):
        restore_clinic(db_path, info.path, passphrase="wrong horse battery")
    assert _sha(db_path) == before
    restore_clinic(
        db_path, info.path, passphrase="correct horse battery", pre_restore_folder=folder
    )
    again = reopen_clinic(db_path)
    try:
        assert _names(again) == ["Backup"]
    finally:
        again.close()


def test_the_passphrase_key_derivation_is_memory_hard_by_default():
    from sijdesk import backup as module

    # The suite makes it cheap (conftest); the shipped values are the module's source.
    source = Path(module.__file__).read_text(encoding="utf-8")
    assert 'KDF_PARAMS = {"iterations": 3, "lanes": 4, "memory_cost": 64 * 1024}' in source


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not an SIJ Desk backup"),
        (os.urandom(4096), "not an SIJ Desk backup"),
        (b"SQLite format 3\x00" + b"\x00" * 100, "not an SIJ Desk backup"),
    ],
)
def test_files_that_are_not_backups_are_refused_and_nothing_changes(
    admin, db_path, tmp_path, content, message
):
    admin.close()
    before = _sha(db_path)
    bad = tmp_path / "bad.sijbak"
    bad.write_bytes(content)
    with pytest.raises(BackupRefused, match=message):
        restore_clinic(db_path, bad)
    assert _sha(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir() if "restor" in p.name) == []


def test_a_truncated_or_altered_backup_is_refused(admin, db_path, tmp_path):
    info = admin.backups.back_up()
    admin.close()
    data = info.path.read_bytes()
    cut = tmp_path / "cut.sijbak"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(BackupRefused, match="incomplete or damaged"):
        restore_clinic(db_path, cut)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    altered = tmp_path / "altered.sijbak"
    altered.write_bytes(bytes(flipped))
    with pytest.raises(BackupRefused, match="incomplete or damaged"):
        restore_clinic(db_path, altered)


def test_a_restore_killed_after_its_journal_is_finished_at_the_next_open(
    admin, folder, db_path, monkeypatch
):
    info = admin.backups.back_up()
    admin.patients.register(BOB)
    admin.close()
    # The process "dies" right after the journal is durable, before any rename.
    monkeypatch.setattr(backup, "finish_interrupted_restore", lambda database: False)
    backup.restore_backup(info.path, db_path, pre_restore_folder=folder)
    assert db_path.with_name(db_path.name + backup.JOURNAL_SUFFIX).exists()
    monkeypatch.undo()
    again = reopen_clinic(db_path)  # opening finishes the swap first
    try:
        assert _names(again) == ["Backup"]
    finally:
        again.close()
    assert not db_path.with_name(db_path.name + backup.JOURNAL_SUFFIX).exists()
    assert check_database(db_path).ok


def test_a_backup_that_fails_its_check_is_not_kept_and_prunes_nothing(admin, folder, monkeypatch):
    first = admin.backups.back_up(kind="auto")

    def broken(copy):
        raise BackupRefused("The backup copy failed its integrity_check check: page 3.")

    monkeypatch.setattr(backup, "_test_restore", broken)
    with pytest.raises(BackupRefused, match="integrity_check"):
        admin.backups.back_up(kind="auto")
    assert [p.name for p in folder.iterdir()] == [first.path.name]
    with admin.db.read() as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "backup.failed"))
        assert "integrity_check" in failed.one().details["reason"]


def test_an_unwritable_backup_folder_is_a_plain_error(admin, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    admin.settings.update({"backup_folder": str(blocker / "backups")})
    with pytest.raises(EnvironmentProblem, match="backup"):
        admin.backups.back_up()


def test_only_administrators_make_manual_backups_but_anyone_triggers_the_automatic_one(users):
    users["admin"].settings.update(
        {"backup_folder": str(Path(users["admin"].db.path).parent / "b")}
    )
    with pytest.raises(PermissionDenied):
        users["reception"].backups.back_up()
    assert users["reception"].backups.back_up(kind="auto").kind == "auto"


def test_changes_since_the_last_backup(admin):
    assert admin.backups.changes_since_last_backup()
    admin.backups.back_up(kind="auto")
    admin.patients.search("ann")  # a read is not a change
    assert not admin.backups.changes_since_last_backup()
    admin.patients.register(BOB)
    assert admin.backups.changes_since_last_backup()


def test_retention_keeps_the_newest_of_each_day_week_and_month():
    start = datetime(2026, 1, 1, 20, 0, tzinfo=UTC)
    backups = []
    for day in range(400):
        for hour in (9, 17):
            moment = start + timedelta(days=day, hours=hour - 20)
            backups.append((moment, Path(f"{day}-{hour}")))
    doomed = set(backup.to_prune(backups, daily=12, weekly=10, monthly=9))
    kept = [(m, p) for m, p in backups if p not in doomed]
    newest = max(backups)[0]
    assert max(kept)[0] == newest
    # 12 days + older weeks + older months: at most 12 + 10 + 9, at least 12 + 8.
    assert 20 <= len(kept) <= 31
    assert all(p.name.endswith("-17") for _m, p in kept)  # the newest of each day
    # Nine months are represented, the oldest about eight months back.
    assert len({(m.year, m.month) for m, _p in kept}) == 9
    assert newest - min(kept)[0] > timedelta(days=210)


def test_automatic_backups_prune_only_automatic_ones(admin, folder):
    old = datetime(2025, 1, 1, tzinfo=UTC)
    folder.mkdir(exist_ok=True)
    for days in range(30):
        (folder / backup.backup_name(old + timedelta(days=days), "auto")).write_bytes(b"x")
    (folder / backup.backup_name(old, "manual")).write_bytes(b"x")
    admin.backups.back_up(kind="auto")
    kinds = [kind for _m, kind, _p in backup.list_backups(folder)]
    assert kinds.count("manual") == 1
    assert kinds.count("auto") < 31


def test_signing_in_again_after_a_restore_uses_the_restored_accounts(admin, folder, db_path):
    info = admin.backups.back_up()
    admin.users.create(
        username="later", display_name="Later", roles=["clinician"], password="later-secret-1"
    )
    admin.close()
    restore_clinic(db_path, info.path, pre_restore_folder=folder)
    from sijdesk.services import SignInFailed

    with pytest.raises(SignInFailed):
        reopen_clinic(db_path, username="later", password="later-secret-1")
    reopen_clinic(db_path, password=TEST_PASSWORD).close()


def test_a_restore_killed_at_random_moments_leaves_the_old_or_the_new_database(tmp_path):
    """SIGKILL during real restores: afterwards the database opens as either the
    one before or the backup, never a mix, and passes every check."""
    import random
    import signal
    import subprocess
    import sys
    import time

    from sijdesk.demo import create_demo_clinic
    from tests.signin import copy_clinic, new_clinic

    original = tmp_path / "original.sqlite3"
    clinic = new_clinic(original)
    create_demo_clinic(clinic, patients=400)
    made = clinic.backups.back_up(target=tmp_path / "restore-me.sijbak")
    clinic.patients.register({**ANN, "family_name": "OldMarker"})
    clinic.close()
    rng = random.Random(3)
    outcomes = []
    path = tmp_path / "clinic.sqlite3"
    for _trial in range(12):
        for leftover in tmp_path.glob("clinic.sqlite3*"):
            leftover.unlink()
        copy_clinic(original, path)
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from sijdesk.backup import "
                "restore_backup; restore_backup(Path(sys.argv[1]), Path(sys.argv[2]))",
                str(made.path),
                str(path),
            ]
        )
        time.sleep(rng.uniform(0.2, 0.9))
        process.send_signal(signal.SIGKILL)
        process.wait()
        reopened = reopen_clinic(path)
        try:
            names = {p.family_name for p in reopened.patients.search("oldmarker")}
        finally:
            reopened.close()
        outcomes.append("old" if names == {"OldMarker"} else "new")
        report = check_database(path)
        assert report.ok, report.lines()
    assert set(outcomes) <= {"old", "new"}
    assert len(outcomes) == 12
