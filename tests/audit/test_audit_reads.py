"""Reads are audited too: searches with the text searched, records opened,
advice shown, documents drafted or opened. A document's own event covers
the reads it makes, and scrolling through a search is not a new search."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sijdesk.demo import DEMO_PASSWORD
from sijdesk.models import AuditEvent
from tests.conftest import TODAY
from tests.signin import copy_clinic, reopen_clinic


@pytest.fixture
def demo_copy(demo_db, tmp_path):
    path = tmp_path / "demo.sqlite3"
    copy_clinic(demo_db, path)
    clinic = reopen_clinic(path, password=DEMO_PASSWORD, clock=lambda: TODAY)
    yield clinic
    clinic.close()


def _after(clinic, mark):
    with clinic.db.read() as session:
        return session.scalars(
            select(AuditEvent).where(AuditEvent.id > mark).order_by(AuditEvent.id)
        ).all()


def _mark(clinic):
    with clinic.db.read() as session:
        return session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))


def test_a_search_records_who_searched_for_what_but_not_each_page(demo_copy):
    reception = demo_copy.as_user("reception.haddad")
    mark = _mark(demo_copy)
    first = reception.patients.search("nguyen", limit=2)
    reception.patients.search("nguyen", limit=2, offset=2)
    reception.patients.count("nguyen")
    (event,) = _after(demo_copy, mark)
    assert event.action == "patient.search"
    assert event.user_id == reception.actor.id
    assert event.details == {"query": "nguyen", "include_archived": False, "shown": len(first)}


def test_opening_a_record_and_seeing_advice_are_recorded_against_the_patient(demo_copy):
    doctor = demo_copy.as_user("dr.okafor")
    patient = doctor.patients.get_by_record_number("000004")
    (episode,) = doctor.episodes.list_for_patient(patient.id)
    mark = _mark(demo_copy)
    doctor.patients.get(patient.id)
    shown = doctor.pathway.episode_advice(episode.id)
    events = _after(demo_copy, mark)
    assert [e.action for e in events] == ["patient.view", "advice.shown"]
    assert {e.patient_id for e in events} == {patient.id}
    assert events[1].details["step"] == shown.advice.step


def test_a_letter_is_one_audited_use_not_a_flood_of_reads(demo_copy):
    doctor = demo_copy.as_user("dr.okafor")
    patient = doctor.patients.get_by_record_number("000004")
    (episode,) = doctor.episodes.list_for_patient(patient.id)
    mark = _mark(demo_copy)
    doctor.documents.preview_letter(episode.id, "injection_clinic")
    made = doctor.documents.create_letter(episode.id, "injection_clinic")
    actions = [e.action for e in _after(demo_copy, mark)]
    assert actions[0] == "document.preview"
    assert "patient.view" not in actions
    assert "timeline.view" not in actions
    mark = _mark(demo_copy)
    doctor.documents.open_document(made.info.event_id)
    doctor.documents.record_save(made, "/somewhere/letter.pdf")
    opened, saved = _after(demo_copy, mark)
    assert (opened.action, saved.action) == ("document.open", "save")
    assert saved.details == {"sha256": made.sha256, "file_name": "letter.pdf"}
    assert opened.patient_id == saved.patient_id == patient.id


def test_reads_that_are_refused_are_not_recorded_as_shown(demo_copy):
    reception = demo_copy.as_user("reception.haddad")
    patient = reception.patients.get_by_record_number("000004")
    mark = _mark(demo_copy)
    from sijdesk.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        reception.episodes.list_for_patient(patient.id)
    assert _after(demo_copy, mark) == []


def test_the_reads_of_one_screen_are_each_recorded_in_one_write(demo_copy, monkeypatch):
    """Opening a patient reads five things: five events, as before, but one transaction."""
    doctor = demo_copy.as_user("dr.okafor")
    patient = doctor.patients.get_by_record_number("000004")
    (episode,) = doctor.episodes.list_for_patient(patient.id)
    mark = _mark(demo_copy)
    writes = []
    write = doctor.db.write

    def counted_write():
        writes.append(1)
        return write()

    monkeypatch.setattr(doctor.db, "write", counted_write)
    with doctor.reads_together():
        doctor.patients.get(patient.id)
        doctor.timeline.entries(episode.id)
        doctor.pathway.episode_advice(episode.id)
        assert _after(demo_copy, mark) == []  # gathered, not yet written
    events = _after(demo_copy, mark)
    assert [e.action for e in events] == ["patient.view", "timeline.view", "advice.shown"]
    assert {(e.user_id, e.patient_id) for e in events} == {(doctor.actor.id, patient.id)}
    assert len(writes) == 1
    monkeypatch.undo()
    admin = demo_copy.as_user("admin")
    assert admin.audit.verify().ok  # sealed into the chain like any other event


def test_reads_gathered_before_a_failure_are_still_recorded(demo_copy):
    from sijdesk.errors import NotFound

    doctor = demo_copy.as_user("dr.okafor")
    patient = doctor.patients.get_by_record_number("000004")
    mark = _mark(demo_copy)
    with pytest.raises(NotFound), doctor.reads_together():
        doctor.patients.get(patient.id)
        doctor.episodes.get(987654)
    assert [e.action for e in _after(demo_copy, mark)] == ["patient.view"]
