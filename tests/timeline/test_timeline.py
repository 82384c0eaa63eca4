"""Episodes and their timeline: add, validate, amend, remove, history, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sijdesk.errors import ValidationError
from sijdesk.kinds import KINDS, RECORDABLE_KINDS, validate_event
from sijdesk.models import AuditEvent, TimelineEvent
from tests.conftest import TODAY

# Every recordable kind declares a valid example of itself.
VALID = {name: dict(KINDS[name].example) for name in RECORDABLE_KINDS}


@pytest.fixture
def episode(clinic):
    patient = clinic.patients.register(
        {"given_names": "Ann", "family_name": "Test", "date_of_birth": "1970-01-01"}
    )
    return clinic.episodes.create(patient.id, {"side": "left", "onset_date": "2026-06-01"})


def _rows(clinic, model):
    with clinic.db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("kind", RECORDABLE_KINDS)
def test_every_kind_is_recorded_with_author_and_summary(clinic, episode, kind):
    entry = clinic.timeline.add(episode.id, kind, {"date": "2026-11-01", **VALID[kind]})
    assert entry.kind == kind
    assert entry.created_by == "Clinic administrator"
    assert entry.summary
    assert [e.id for e in clinic.timeline.entries(episode.id)] == [entry.id]


def test_injection_relief_is_computed_from_pain_before_and_after_unless_given(clinic, episode):
    computed = clinic.timeline.add(
        episode.id, "injection", {"date": "2026-11-01", **VALID["injection"]}
    )
    assert computed.record.relief_percent == 75.0
    given = clinic.timeline.add(
        episode.id, "injection", {"date": "2026-11-02", **VALID["injection"], "relief_percent": 60}
    )
    assert given.record.relief_percent == 60.0


@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        ("outcome", {"nrs": 11}, "nrs", "from 0 to 10"),
        ("outcome", {"nrs": -1}, "nrs", "from 0 to 10"),
        ("outcome", {"nrs": 5.5}, "nrs", "whole number"),
        ("outcome", {"nrs": True}, "nrs", "whole number"),
        ("outcome", {}, "nrs", "NRS pain score, ODI"),
        ("outcome", {"odi_items": [1, 2, 3]}, "odi_items", "ten"),
        ("outcome", {"odi_items": [1, 2, 3, 6, 0, 0, 0, 0, 0, 0]}, "odi_items[3]", "0 to 5"),
        ("injection", {**VALID["injection"], "relief_percent": 101}, "relief_percent", "0 to 100"),
        ("injection", {**VALID["injection"], "pain_before": 12}, "pain_before", "0 to 10"),
        ("injection", {"side": "left"}, "purpose", "required"),
        ("injection", {**VALID["injection"], "relief_weeks": -2}, "relief_weeks", "0"),
        ("therapy", {"components": ["acupuncture"]}, "components", "unknown entries"),
        ("therapy", {"response": "great"}, "response", "one of"),
        ("assessment", {"distraction": "yes"}, "distraction", "yes, no"),
        ("assessment", {"red_flags": ["headache"]}, "red_flags", "unknown"),
        ("medication", {"category": "nsaid"}, "name", "required"),
        (
            "medication",
            {"category": "nsaid", "name": "x", "stop_date": "2026-10-01"},
            "stop_date",
            "before the start",
        ),
        ("note", {"text": ""}, "text", "required"),
        ("decline", {"treatment": "physio"}, "treatment", "one of"),
        ("note", {"text": "x", "mood": "ok"}, "mood", "not a field"),
    ],
)
def test_invalid_events_name_the_field_and_write_nothing(
    clinic, episode, kind, data, field, message
):
    with pytest.raises(ValidationError) as caught:
        clinic.timeline.add(episode.id, kind, {"date": "2026-11-01", **data})
    assert message in caught.value.errors[field]
    assert _rows(clinic, TimelineEvent) == 0


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2026-11-30", "future"),
        ("1969-12-31", "date of birth"),
        ("01/11/2026", "YYYY-MM-DD"),
        (None, "required"),
    ],
)
def test_event_dates_are_checked(clinic, episode, date, message):
    with pytest.raises(ValidationError) as caught:
        clinic.timeline.add(episode.id, "note", {"date": date, "text": "x"})
    assert message in caught.value.errors["date"]


def test_amendment_keeps_every_version_and_shows_the_current_one(clinic, episode):
    first = clinic.timeline.add(episode.id, "outcome", {"date": "2026-11-01", "nrs": 7})
    second = clinic.timeline.amend(first.id, {"date": "2026-11-01", "nrs": 6}, "typed 7 for 6")
    (current,) = clinic.timeline.entries(episode.id)
    assert current.id == second.id
    assert current.record.nrs == 6
    assert current.version == 2
    history = clinic.timeline.history(first.id)
    assert [h.record.nrs for h in history] == [7, 6]
    assert [h.amended for h in history] == [True, False]
    assert history[1].amendment_reason == "typed 7 for 6"
    assert clinic.timeline.get(first.id).amended is True
    with clinic.db.read() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    # The writes, then each read shown to the user (list, history, the one entry).
    assert actions[-5:] == [
        "add",
        "amend",
        "timeline.view",
        "timeline.view_history",
        "timeline.view_entry",
    ]


def test_amending_needs_a_reason_a_change_and_the_current_version(clinic, episode):
    first = clinic.timeline.add(episode.id, "outcome", {"date": "2026-11-01", "nrs": 7})
    with pytest.raises(ValidationError) as caught:
        clinic.timeline.amend(first.id, {"date": "2026-11-01", "nrs": 6}, "  ")
    assert "reason" in caught.value.errors
    with pytest.raises(ValidationError, match="nothing was changed"):
        clinic.timeline.amend(first.id, {"date": "2026-11-01", "nrs": 7, "odi_items": None}, "r")
    clinic.timeline.amend(first.id, {"date": "2026-11-01", "nrs": 6}, "fix")
    with pytest.raises(ValidationError, match="already amended"):
        clinic.timeline.amend(first.id, {"date": "2026-11-01", "nrs": 5}, "again")
    with pytest.raises(ValidationError) as caught:
        clinic.timeline.amend(first.id, {"date": "2026-11-01", "nrs": 50}, "bad")
    assert "nrs" in caught.value.errors


def test_removal_is_an_amendment_marked_entered_in_error(clinic, episode):
    note = clinic.timeline.add(episode.id, "note", {"date": "2026-11-01", "text": "wrong patient"})
    clinic.timeline.remove(note.id, "written in the wrong record")
    assert clinic.timeline.entries(episode.id) == []
    (removed,) = clinic.timeline.entries(episode.id, include_removed=True)
    assert removed.entered_in_error
    assert removed.record.text == "wrong patient"
    assert _rows(clinic, TimelineEvent) == 2
    with pytest.raises(ValidationError):
        clinic.timeline.remove(removed.id, "again")


def test_timeline_is_in_date_order_and_filters_by_kind(clinic, episode):
    for day, kind in (("2026-10-01", "note"), ("2026-11-01", "outcome"), ("2026-10-15", "note")):
        data = {"text": day} if kind == "note" else {"nrs": 4}
        clinic.timeline.add(episode.id, kind, {"date": day, **data})
    dates = [e.event_date.isoformat() for e in clinic.timeline.entries(episode.id)]
    assert dates == ["2026-11-01", "2026-10-15", "2026-10-01"]
    oldest = [
        e.event_date.isoformat() for e in clinic.timeline.entries(episode.id, newest_first=False)
    ]
    assert oldest == list(reversed(dates))
    assert {e.kind for e in clinic.timeline.entries(episode.id, kinds=["note"])} == {"note"}


def test_episodes_open_close_and_reopen_with_reasons(clinic, episode):
    closed = clinic.episodes.close(episode.id, "Discharged: back at work")
    assert (closed.status, closed.closed_on) == ("closed", TODAY)
    with pytest.raises(ValidationError):
        clinic.episodes.close(episode.id, "twice")
    with pytest.raises(ValidationError) as caught:
        clinic.episodes.reopen(episode.id, "")
    assert "reason" in caught.value.errors
    second = clinic.episodes.create(episode.patient_id, {"side": "right"})
    assert [e.id for e in clinic.episodes.list_for_patient(episode.patient_id)] == [
        second.id,
        episode.id,
    ]
    assert clinic.episodes.reopen(episode.id, "pain returned").status == "open"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"side": "middle"}, "side"),
        ({}, "side"),
        ({"side": "left", "onset_date": "2030-01-01"}, "onset_date"),
        ({"side": "left", "onset_date": "1960-01-01"}, "onset_date"),
    ],
)
def test_episode_validation(clinic, episode, data, field):
    with pytest.raises(ValidationError) as caught:
        clinic.episodes.create(episode.patient_id, data)
    assert field in caught.value.errors


def test_validate_event_is_shared_by_forms_and_services():
    clean = validate_event("outcome", {"date": "2026-11-01", "nrs": "7"}, today=TODAY)
    assert clean["nrs"] == 7


def test_episode_onset_can_be_corrected_with_an_audited_update(clinic, episode):
    from sijdesk.models import AuditEvent as Audit

    updated = clinic.episodes.update(episode.id, {"onset_date": "2026-05-01"})
    assert updated.onset_date.isoformat() == "2026-05-01"
    with clinic.db.read() as session:
        audit = session.scalars(
            select(Audit).where(Audit.entity == "episode", Audit.action == "update")
        ).one()
    assert audit.details == {
        "before": {"onset_date": "2026-06-01"},
        "after": {"onset_date": "2026-05-01"},
    }
    with pytest.raises(ValidationError) as caught:
        clinic.episodes.update(episode.id, {"onset_date": "1960-01-01"})
    assert "date of birth" in caught.value.errors["onset_date"]
    with pytest.raises(ValidationError) as caught:
        clinic.episodes.update(episode.id, {"status": "closed"})
    assert "status" in caught.value.errors


@pytest.mark.parametrize("kind", RECORDABLE_KINDS)
def test_every_entry_carries_its_kinds_typed_record(clinic, episode, kind):
    entry = clinic.timeline.add(episode.id, kind, {"date": "2026-11-01", **VALID[kind]})
    assert isinstance(entry.record, KINDS[kind].record)
    clean = validate_event(kind, {"date": "2026-11-01", **VALID[kind]}, today=TODAY)
    clean.pop("date")
    assert KINDS[kind].values_of(entry.record) == clean
