"""The audit trail proves itself: every event is sealed to the one before under
a key outside the database, and ``sijdesk check`` names the first event that
was edited, deleted, inserted or moved, even when the chain was rewritten from
inside the database file."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import select

from sijdesk import audit_chain
from sijdesk.check import check_database
from sijdesk.demo import create_demo_clinic, new_demo_clinic
from sijdesk.models import AuditEvent
from tests.conftest import TODAY
from tests.signin import copy_clinic


@pytest.fixture(scope="module")
def sealed_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("chain") / "template.sqlite3"
    clinic = new_demo_clinic(str(path), clock=lambda: TODAY)
    create_demo_clinic(clinic, patients=12)
    clinic.close()
    return path


@pytest.fixture
def sealed(sealed_template, tmp_path):
    path = tmp_path / "clinic.sqlite3"
    copy_clinic(sealed_template, path)
    return path


def _sql(path, *statements):
    connection = sqlite3.connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def _count(path):
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT COUNT(*), MAX(id) FROM audit_event").fetchone()
    finally:
        connection.close()


def _chain(report):
    (item,) = [i for i in report.items if i.name == "audit chain"]
    return item


def test_a_database_this_program_wrote_passes_every_check(sealed):
    report = check_database(sealed)
    assert report.ok, report.lines()
    assert [i.name for i in report.items] == [
        "integrity_check",
        "foreign_key_check",
        "schema",
        "audit chain",
    ]
    count, last = _count(sealed)
    assert count == last > 12  # consecutive ids, one per event
    assert f"{count} events" in _chain(report).detail


def test_an_edited_event_is_named(sealed):
    _sql(sealed, "UPDATE audit_event SET summary = 'nothing happened' WHERE id = 7")
    report = check_database(sealed)
    assert not report.ok
    assert report.first_broken_event == 7
    assert "event 7" in _chain(report).detail
    assert "edited, inserted or moved" in _chain(report).detail


def test_an_edited_time_or_user_is_named(sealed):
    _sql(sealed, "UPDATE audit_event SET user_id = 2 WHERE id = 9 AND user_id != 2")
    _sql(sealed, "UPDATE audit_event SET at = '2020-01-01 00:00:00.000000' WHERE id = 11")
    report = check_database(sealed)
    assert report.first_broken_event in (9, 11)
    assert "event 11" in _chain(report).detail


def test_a_deleted_event_is_named(sealed):
    _sql(sealed, "DELETE FROM audit_event WHERE id = 5")
    report = check_database(sealed)
    assert report.first_broken_event == 5
    assert "event 5 missing (deleted)" in _chain(report).detail


def test_events_deleted_from_the_end_are_noticed(sealed):
    count, last = _count(sealed)
    _sql(sealed, f"DELETE FROM audit_event WHERE id > {last - 3}")
    report = check_database(sealed)
    assert not report.ok
    assert report.first_broken_event == last - 2
    assert "removed from the end" in _chain(report).detail


def test_an_inserted_event_is_named(sealed):
    count, last = _count(sealed)
    # Make room in the middle and slip an event in, with a plausible-looking mac.
    _sql(
        sealed,
        "UPDATE audit_event SET id = id + 100000 WHERE id >= 6",
        "UPDATE audit_event SET id = id - 100000 + 1 WHERE id > 100000",
        "INSERT INTO audit_event (id, at, user_id, action, entity, entity_id, patient_id, "
        "summary, details, mac) SELECT 6, at, user_id, 'read', 'patient', 1, 1, '', '{}', mac "
        "FROM audit_event WHERE id = 5",
    )
    report = check_database(sealed)
    assert report.first_broken_event == 6
    assert "event 6" in _chain(report).detail


def test_an_event_added_at_the_end_without_the_key_is_noticed(sealed):
    count, last = _count(sealed)
    _sql(
        sealed,
        "INSERT INTO audit_event (id, at, user_id, action, entity, summary, details, mac) "
        f"VALUES ({last + 1}, '2026-11-29 10:00:00.000000', 1, 'signin', 'user', '', '{{}}', "
        f"'{'0' * 64}')",
    )
    report = check_database(sealed)
    assert report.first_broken_event == last + 1


def test_swapped_events_are_named(sealed):
    _sql(
        sealed,
        "UPDATE audit_event SET id = -1 WHERE id = 3",
        "UPDATE audit_event SET id = 3 WHERE id = 4",
        "UPDATE audit_event SET id = 4 WHERE id = -1",
    )
    report = check_database(sealed)
    assert report.first_broken_event == 3


def test_rewriting_the_whole_chain_from_inside_the_file_is_detected(sealed):
    """Someone with only the database file recomputes every seal and the head with
    a key of their own choosing: the key fingerprint and the seals both give it away."""
    connection = sqlite3.connect(sealed)
    try:
        connection.execute("UPDATE audit_event SET summary = 'rewritten' WHERE id = 4")
        fake = b"k" * 32
        uid = connection.execute("SELECT clinic_uid FROM clinic_settings").fetchone()[0]
        previous = audit_chain.genesis_mac(fake, uid)
        rows = connection.execute(
            "SELECT id, at, user_id, action, entity, entity_id, patient_id, summary, details "
            "FROM audit_event ORDER BY id"
        ).fetchall()
        for row in rows:
            fields = [row[0], row[1], *row[2:8], json.loads(row[8])]
            message = previous.encode() + b"\n" + json.dumps(fields, sort_keys=True).encode()
            previous = hmac.new(fake, message, hashlib.sha256).hexdigest()
            connection.execute("UPDATE audit_event SET mac = ? WHERE id = ?", (previous, row[0]))
        connection.execute(
            "UPDATE audit_head SET last_mac = ?, mac = ?, key_fingerprint = ?",
            (
                previous,
                audit_chain.head_mac(fake, rows[-1][0], previous),
                audit_chain.fingerprint(fake),
            ),
        )
        connection.commit()
    finally:
        connection.close()
    report = check_database(sealed)
    assert not report.ok
    assert "does not match" in _chain(report).detail


def test_a_missing_key_file_fails_the_check_plainly(sealed):
    sealed.with_name(sealed.name + audit_chain.KEY_SUFFIX).unlink()
    report = check_database(sealed)
    assert not report.ok
    assert "audit key file" in _chain(report).detail
    assert "is missing" in _chain(report).detail


def test_the_services_cannot_change_or_delete_a_sealed_event(sealed):
    from sijdesk.db.migrate import open_database

    db = open_database(str(sealed))
    try:
        with pytest.raises(RuntimeError, match="never changed"), db.write() as session:
            event = session.scalars(select(AuditEvent).limit(1)).one()
            event.summary = "changed"
        with pytest.raises(RuntimeError, match="never deleted"), db.write() as session:
            session.delete(session.scalars(select(AuditEvent).limit(1)).one())
        with pytest.raises(RuntimeError, match="AuditChain.append"), db.write() as session:
            session.add(AuditEvent(user_id=1, action="x", entity="y", summary="", details={}))
    finally:
        db.dispose()
    assert check_database(sealed).ok


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"this is not a database, just some text " * 200, "not a readable SQLite database"),
    ],
)
def test_files_that_are_not_databases_fail_plainly(tmp_path, content, expected):
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(content)
    report = check_database(path)
    assert not report.ok
    assert expected in report.lines()[1]


def test_a_truncated_database_fails_the_check(sealed):
    data = sealed.read_bytes()
    sealed.write_bytes(data[: len(data) // 2])
    assert not check_database(sealed).ok


def test_sijdesk_check_prints_what_it_checked_and_exits_4_on_a_broken_chain(sealed):
    def run():
        return subprocess.run(  # noqa: PLW1510 - the exit status is asserted
            [sys.executable, "-m", "sijdesk", "check", "--db", str(sealed)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    good = run()
    assert good.returncode == 0, good.stderr
    assert "audit chain: ok" in good.stdout
    assert good.stdout.strip().endswith("all checks passed")
    _sql(sealed, "UPDATE audit_event SET details = '{\"a\": 1}' WHERE id = 8")
    bad = run()
    assert bad.returncode == 4
    assert "audit chain: FAILED" in bad.stdout
    assert "event 8" in bad.stdout
    assert "Traceback" not in bad.stderr
