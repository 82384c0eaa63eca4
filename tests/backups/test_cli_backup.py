"""``sijdesk backup`` and ``sijdesk restore`` as real processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sijdesk.demo import DEMO_PASSWORD

ADMIN = {"SIJDESK_USER": "admin", "SIJDESK_PASSWORD": DEMO_PASSWORD}


def run(*args, env=None):
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [sys.executable, "-m", "sijdesk", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **ADMIN, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def demo_file(tmp_path):
    path = tmp_path / "clinic.sqlite3"
    assert run("demo", "--patients", "12", "--db", str(path)).returncode == 0
    return path


def test_backup_then_restore_from_the_command_line(demo_file, tmp_path):
    target = tmp_path / "copy.sijbak"
    made = run("backup", "-o", str(target), "--db", str(demo_file))
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith(str(target))
    assert "verified" in made.stdout
    restored = run("restore", str(target), "--db", str(demo_file))
    assert restored.returncode == 0, restored.stderr
    assert "restored" in restored.stdout
    checked = run("check", "--db", str(demo_file))
    assert checked.returncode == 0, checked.stdout


def test_restore_refuses_a_file_that_is_not_a_backup(demo_file, tmp_path):
    bad = tmp_path / "bad.sijbak"
    bad.write_bytes(os.urandom(2048))
    before = demo_file.read_bytes()
    result = run("restore", str(bad), "--db", str(demo_file))
    assert result.returncode == 3
    assert result.stderr.strip() == "sijdesk: bad.sijbak is not an SIJ Desk backup."
    assert demo_file.read_bytes() == before


def test_only_an_administrator_backs_up_or_restores(demo_file, tmp_path):
    reception = {"SIJDESK_USER": "reception.haddad"}
    result = run("backup", "-o", str(tmp_path / "x.sijbak"), "--db", str(demo_file), env=reception)
    assert result.returncode == 3
    assert "does not allow you to make backups" in result.stderr
    assert not (tmp_path / "x.sijbak").exists()


def test_an_encrypted_backup_needs_its_passphrase(demo_file, tmp_path):
    from tests.signin import reopen_clinic

    clinic = reopen_clinic(demo_file, password=DEMO_PASSWORD)
    clinic.backups.set_passphrase("a long backup passphrase")
    clinic.close()
    target = tmp_path / "secret.sijbak"
    assert run("backup", "-o", str(target), "--db", str(demo_file)).returncode == 0
    missing = run("restore", str(target), "--db", str(demo_file))
    assert missing.returncode == 3
    assert "SIJDESK_BACKUP_PASSPHRASE" in missing.stderr
    wrong = run(
        "restore",
        str(target),
        "--db",
        str(demo_file),
        env={"SIJDESK_BACKUP_PASSPHRASE": "not the passphrase"},
    )
    assert wrong.returncode == 3
    assert "passphrase does not open this backup" in wrong.stderr
    right = run(
        "restore",
        str(target),
        "--db",
        str(demo_file),
        env={"SIJDESK_BACKUP_PASSPHRASE": "a long backup passphrase"},
    )
    assert right.returncode == 0, right.stderr


def test_a_damaged_database_can_still_be_restored_without_signing_in(demo_file, tmp_path):
    target = tmp_path / "good.sijbak"
    assert run("backup", "-o", str(target), "--db", str(demo_file)).returncode == 0
    data = bytearray(demo_file.read_bytes())
    data[100:4096] = os.urandom(3996)  # the schema pages are destroyed
    demo_file.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        demo_file.with_name(demo_file.name + suffix).unlink(missing_ok=True)
    result = run("restore", str(target), "--db", str(demo_file), env={"SIJDESK_PASSWORD": "x"})
    assert result.returncode == 0, result.stderr
    assert "cannot be opened" in result.stdout
    assert run("check", "--db", str(demo_file)).returncode == 0
