"""Faults of the environment: a full disk, a read-only database, a missing
folder, a network drive, and files that are empty, cut short or garbage.
Each is one plain sentence; nothing is overwritten; what was acknowledged
as saved stays saved and the database passes its checks afterwards."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from sijdesk.check import check_database
from sijdesk.commands._common import open_clinic
from sijdesk.db import preflight
from sijdesk.db.migrate import open_database
from sijdesk.errors import EnvironmentProblem
from sijdesk.services import Clinic
from tests.signin import TEST_PASSWORD, new_clinic, reopen_clinic, run_sijdesk


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def tiny_file_system(folder: Path, size: str):
    """A small tmpfs mounted at ``folder`` (needs root and mount; skipped otherwise)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mounted = subprocess.run(  # noqa: PLW1510 - checked below
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _register_until_refused(clinic: Clinic) -> tuple[list[str], EnvironmentProblem]:
    saved: list[str] = []
    for number in range(100_000):
        try:
            patient = clinic.patients.register(
                {
                    "given_names": "Filler " + "x" * 150,
                    "family_name": f"Patient{number:06d}",
                    "date_of_birth": "1970-01-01",
                    "address": "y" * 800,
                }
            )
        except EnvironmentProblem as exc:
            return saved, exc
        saved.append(patient.record_number)
    raise AssertionError("the disk never filled up")


def _assert_all_saved_and_whole(path: Path, saved: list[str]) -> None:
    report = check_database(path)
    assert report.ok, report.lines()
    clinic = reopen_clinic(path)
    try:
        found = {p.record_number for p in clinic.patients.search(include_archived=True)}
    finally:
        clinic.close()
    assert set(saved) <= found
    assert len(found) == len(saved)


def test_a_full_disk_refuses_the_write_plainly_and_keeps_everything_saved(tmp_path):
    with tiny_file_system(tmp_path / "small", "2m") as folder:
        path = folder / "clinic.sqlite3"
        clinic = new_clinic(path)
        ballast = folder / "ballast"
        ballast.write_bytes(b"\0" * 400_000)  # freed afterwards, as a clinic would
        saved, refused = _register_until_refused(clinic)
        clinic.close()
        assert str(refused) == (
            "The disk is full, so nothing could be saved. Free some space and try again."
        )
        assert len(saved) > 5
        assert check_database(path).ok  # whole even before any space is freed
        ballast.unlink()
        _assert_all_saved_and_whole(path, saved)


def test_a_full_disk_inside_sqlite_is_the_same_plain_refusal(db_path):
    """Where no small file system can be mounted: SQLite's own page limit gives the
    same SQLITE_FULL error a full disk gives."""
    clinic = new_clinic(db_path)

    @event.listens_for(clinic.db.engine, "connect")
    def _limit(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 40}")

    clinic.db.engine.dispose()
    saved, refused = _register_until_refused(clinic)
    clinic.close()
    assert "disk is full" in str(refused)
    _assert_all_saved_and_whole(db_path, saved)


def test_a_backup_onto_a_full_disk_leaves_no_partial_file(tmp_path):
    with tiny_file_system(tmp_path / "small", "96k") as folder:
        clinic = new_clinic(tmp_path / "clinic.sqlite3")
        clinic.settings.update({"backup_folder": str(folder)})
        with pytest.raises(EnvironmentProblem, match="disk is full|could not be copied"):
            clinic.backups.back_up()
        clinic.close()
        assert [p.name for p in folder.iterdir()] == []


def test_a_read_only_database_is_one_sentence_and_left_alone(tmp_path):
    with tiny_file_system(tmp_path / "ro", "4m") as folder:
        path = folder / "clinic.sqlite3"
        new_clinic(path).close()
        before = _sha(path)
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        with pytest.raises(EnvironmentProblem, match="read-only here"):
            open_database(str(path))
        assert _sha(path) == before


def test_a_missing_folder_is_one_sentence_and_nothing_is_made(tmp_path):
    path = tmp_path / "not-there" / "clinic.sqlite3"
    with pytest.raises(EnvironmentProblem, match="does not exist"):
        open_database(str(path))
    assert not path.parent.exists()


def test_a_database_on_a_network_drive_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(preflight, "file_system_type", lambda folder: "cifs")
    with pytest.raises(EnvironmentProblem, match=r"network drive \(cifs\)"):
        open_database(str(tmp_path / "clinic.sqlite3"))
    assert not (tmp_path / "clinic.sqlite3").exists()


def test_the_file_system_type_is_read_from_the_mount_table(tmp_path):
    assert preflight.file_system_type(tmp_path) != ""


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("empty", r"is empty \(0 bytes\)"),
        ("garbage", "is damaged"),
        ("truncated", "is damaged"),
        ("scribbled", "is damaged"),
    ],
)
def test_damaged_files_are_refused_and_not_overwritten(tmp_path, damage, message):
    path = tmp_path / "clinic.sqlite3"
    clinic = new_clinic(path)
    for number in range(30):
        clinic.patients.register(
            {"given_names": "A", "family_name": f"P{number}", "date_of_birth": "1970-01-01"}
        )
    clinic.close()
    data = path.read_bytes()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 3])
    else:
        scribbled = bytearray(data)
        scribbled[4096 * 2 : 4096 * 4] = os.urandom(4096 * 2)
        path.write_bytes(bytes(scribbled))
    before = _sha(path)
    with pytest.raises(EnvironmentProblem, match=message) as caught:
        open_database(str(path))
    assert isinstance(caught.value, preflight.DatabaseDamaged)
    assert "Restore the newest good backup" in str(caught.value)
    assert _sha(path) == before


def _closed_clinic(path):
    clinic = new_clinic(path)
    clinic.patients.register(
        {"given_names": "A", "family_name": "Early", "date_of_birth": "1970-01-01"}
    )
    clinic.close()


def test_the_check_begun_at_start_is_used_and_not_repeated(tmp_path, monkeypatch):
    path = tmp_path / "clinic.sqlite3"
    _closed_clinic(path)
    checked = []
    real = preflight._check_contents
    monkeypatch.setattr(preflight, "_check_contents", lambda p: (checked.append(p), real(p)))
    preflight.start_early_check(str(path), None)
    open_database(str(path)).dispose()
    assert checked == [path.resolve()]  # once, on the early thread


def test_after_a_crash_the_check_begun_at_start_is_not_repeated(tmp_path, monkeypatch):
    # A program that ended without closing leaves its last writes in the journal; the
    # early check's connection writes them into the file as it closes, which changes
    # the file's time but is not a change made since the check (a second check of a
    # big clinic would cost a second).
    path = tmp_path / "clinic.sqlite3"
    _closed_clinic(path)
    crashed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys\n"
            "from tests.signin import reopen_clinic\n"
            "clinic = reopen_clinic(sys.argv[1])\n"
            "clinic.patients.register({'given_names': 'B', 'family_name': 'Crashed',"
            " 'date_of_birth': '1971-01-01'})\n"
            "os._exit(0)\n",
            str(path),
        ],
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crashed.returncode == 0, crashed.stderr
    journal = path.with_name(path.name + "-wal")
    assert journal.exists() and journal.stat().st_size > 0  # the crash left it
    checked = []
    real = preflight._check_contents
    monkeypatch.setattr(preflight, "_check_contents", lambda p: (checked.append(p), real(p)))
    preflight.start_early_check(str(path), None)
    database = open_database(str(path))
    database.dispose()
    assert checked == [path.resolve()]
    clinic = reopen_clinic(path)
    assert [p.family_name for p in clinic.patients.search("Crashed")] == ["Crashed"]
    clinic.close()


def test_a_command_begins_the_check_before_loading_the_services(tmp_path, monkeypatch):
    # Each command on a big clinic reads the whole file to check it: begun first, the
    # reading overlaps with loading the services and checking the password.
    path = tmp_path / "clinic.sqlite3"
    _closed_clinic(path)
    checked = []
    real = preflight._check_contents

    def check(p):
        checked.append((p, threading.current_thread().name))
        return real(p)

    monkeypatch.setattr(preflight, "_check_contents", check)
    monkeypatch.setenv("SIJDESK_PASSWORD", TEST_PASSWORD)
    args = argparse.Namespace(db=str(path), db_url=None, user="admin")
    with open_clinic(args) as clinic:  # as every command that reads the clinic opens it
        assert [p.family_name for p in clinic.patients.search("Early")] == ["Early"]
    assert checked == [(path.resolve(), "sijdesk-early-check")]  # once, begun early


def test_a_command_on_a_damaged_file_says_so_plainly(tmp_path):
    path = tmp_path / "clinic.sqlite3"
    _closed_clinic(path)
    before = _damage(path)
    result = run_sijdesk("--db", str(path), "patients", "list")
    assert result.returncode == 3
    assert "is damaged" in result.stderr and "Restore the newest good backup" in result.stderr
    assert _sha(path) == before  # the damaged file is left as it was


def _damage(path: Path) -> str:
    data = bytearray(path.read_bytes())
    data[4096:8192] = os.urandom(4096)
    path.write_bytes(bytes(data))
    return _sha(path)


def test_damage_found_by_the_early_check_refuses_the_file(tmp_path):
    path = tmp_path / "clinic.sqlite3"
    _closed_clinic(path)
    _damage(path)
    preflight.start_early_check(str(path), None)
    with pytest.raises(preflight.DatabaseDamaged, match="is damaged"):
        open_database(str(path))


def test_a_file_changed_after_the_early_check_is_checked_again(tmp_path):
    path = tmp_path / "clinic.sqlite3"
    _closed_clinic(path)
    preflight.start_early_check(str(path), None)
    _identity, found = preflight._early[path.resolve()].result(timeout=30)
    assert found is None  # whole when the check ran
    _damage(path)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))  # written a moment later
    with pytest.raises(preflight.DatabaseDamaged, match="is damaged"):
        open_database(str(path))


def test_records_pointing_at_missing_records_are_damage(tmp_path):
    path = tmp_path / "clinic.sqlite3"
    clinic = new_clinic(path)
    patient = clinic.patients.register(
        {"given_names": "A", "family_name": "Orphan", "date_of_birth": "1970-01-01"}
    )
    clinic.episodes.create(patient.id, {"side": "left", "onset_date": "2026-06-01"})
    clinic.close()
    with contextlib.closing(sqlite3.connect(path)) as raw:
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("UPDATE episode SET patient_id = 999999")
        raw.commit()
    before = _sha(path)
    with pytest.raises(preflight.DatabaseDamaged, match="1 records point at records"):
        open_database(str(path))
    assert _sha(path) == before


def test_the_two_whole_file_checks_run_side_by_side(tmp_path, monkeypatch):
    """quick_check and foreign_key_check each read the whole file; on a big clinic
    one after the other cost about 1.4 s at start, side by side about 1 s."""
    path = tmp_path / "clinic.sqlite3"
    _closed_clinic(path)
    together = threading.Barrier(2, timeout=10)
    seen = []
    read = preflight._pragma

    def meeting(path, pragma, damaged):
        seen.append((pragma, threading.current_thread().name))
        together.wait()  # broken (an error) unless the other check runs at the same time
        return read(path, pragma, damaged)

    monkeypatch.setattr(preflight, "_pragma", meeting)
    preflight.check_file(path)
    assert sorted(pragma for pragma, _ in seen) == ["foreign_key_check", "quick_check"]
    assert len({thread for _, thread in seen}) == 2
