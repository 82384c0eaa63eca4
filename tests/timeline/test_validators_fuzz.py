"""Hypothesis on every service validator and on the restore path (500 examples
each): any input ends in success or the project's own plain errors, and a
refusal writes nothing at all."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sijdesk import backup
from sijdesk.errors import UserError
from sijdesk.kinds import KINDS
from sijdesk.models import AuditEvent, Episode, Patient, TimelineEvent
from sijdesk.services.patients import EDITABLE_FIELDS

EXAMPLES = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 1, 1)),
    st.dates().map(date.isoformat),
    st.lists(st.text(max_size=10), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def field_dicts(names):
    keys = st.one_of(st.sampled_from(list(names)), st.text(max_size=12))
    return st.dictionaries(keys, values, max_size=len(names) + 2)


def _counts(clinic):
    with clinic.db.read() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Patient, Episode, TimelineEvent, AuditEvent)
        )


@pytest.fixture
def episode(clinic):
    patient = clinic.patients.register(
        {"given_names": "Fuzz", "family_name": "Target", "date_of_birth": "1970-01-01"}
    )
    return clinic.episodes.create(patient.id, {"side": "left", "onset_date": "2026-01-01"})


@EXAMPLES
@given(data=field_dicts(EDITABLE_FIELDS))
def test_patient_registration(clinic, data):
    before = _counts(clinic)
    try:
        clinic.patients.register(data, allow_duplicate=True)
    except UserError:
        assert _counts(clinic) == before


@EXAMPLES
@given(data=field_dicts(("side", "onset_date", "title")))
def test_opening_an_episode(clinic, episode, data):
    before = _counts(clinic)
    try:
        clinic.episodes.create(episode.patient_id, data)
    except UserError:
        assert _counts(clinic) == before


@EXAMPLES
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_recording_every_kind_of_event(clinic, episode, kind, data):
    fields = data.draw(field_dicts(("date", *KINDS[kind].field_names)))
    before = _counts(clinic)
    try:
        clinic.timeline.add(episode.id, kind, fields)
    except UserError:
        assert _counts(clinic) == before


@EXAMPLES
@given(
    changes=field_dicts(
        (
            "idle_lock_minutes",
            "backup_folder",
            "backup_interval_minutes",
            "backup_keep_daily",
            "backup_keep_weekly",
            "backup_keep_monthly",
        )
    )
)
def test_settings(clinic, changes):
    before = clinic.settings.get()
    try:
        clinic.settings.update(changes)
    except UserError:
        assert clinic.settings.get() == before


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory):
    from tests.signin import new_clinic

    folder = tmp_path_factory.mktemp("fuzz-backup")
    clinic = new_clinic(folder / "source.sqlite3")
    made = clinic.backups.back_up(target=folder / "good.sijbak")
    clinic.close()
    return made.path.read_bytes()


@EXAMPLES
@given(data=st.data())
def test_restore_refuses_any_damaged_file_and_changes_nothing(clinic, tmp_path, good_backup, data):
    choice = data.draw(st.sampled_from(["random", "magic", "cut", "flip"]))
    if choice == "random":
        content = data.draw(st.binary(max_size=4096))
    elif choice == "magic":
        content = backup.MAGIC + data.draw(st.binary(max_size=4096))
    elif choice == "cut":
        content = good_backup[: data.draw(st.integers(0, len(good_backup) - 1))]
    else:
        position = data.draw(st.integers(0, len(good_backup) - 1))
        flipped = bytearray(good_backup)
        flipped[position] ^= data.draw(st.integers(1, 255))
        content = bytes(flipped)
    path = tmp_path / "candidate.sijbak"
    path.write_bytes(content)
    target = tmp_path / "target.sqlite3"
    target.write_bytes(b"the current database")
    with pytest.raises(backup.BackupRefused):
        backup.restore_backup(path, target)
    assert target.read_bytes() == b"the current database"
    assert hashlib.sha256(content).digest() == hashlib.sha256(path.read_bytes()).digest()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(backup.RESTORING_SUFFIX)]
