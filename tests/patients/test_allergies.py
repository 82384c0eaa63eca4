"""Allergies and intolerances: three states, amendment, roles, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sijdesk.errors import PermissionDenied, ValidationError
from sijdesk.models import AuditEvent
from tests.conftest import TODAY
from tests.signin import database_option, run_sijdesk
from tests.window_fixtures import register

LIDOCAINE = {
    "substance": "local_anaesthetic",
    "substance_text": "lidocaine",
    "kind": "allergy",
    "reaction": "hives and wheeze",
    "severity": "severe",
    "recorded_on": "2026-11-19",
}


@pytest.fixture
def patient(clinic):
    return register(clinic, "Amara", "Okonkwo-Bennett", "1979-05-08")


def _audit(clinic, entity: str) -> list[tuple[str, int | None]]:
    with clinic.db.read() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.entity == entity))
        return [(row.action, row.patient_id) for row in rows]


def test_a_patient_never_asked_is_not_recorded_and_says_so(clinic, patient):
    status = clinic.allergies.status(patient.id)
    assert status.state == "not_recorded"
    assert status.allergies == () and status.none_known is None
    assert status.line == "Allergies: not recorded."


def test_no_known_allergies_is_a_dated_statement(clinic, patient):
    clinic.allergies.record_none_known(patient.id, TODAY - timedelta(days=10))
    status = clinic.allergies.status(patient.id)
    assert status.state == "none_known"
    assert status.line == "Allergies: none known (recorded 2026-11-19)."
    # Asked again: the statement carries the new date, the old one stays in its history.
    again = clinic.allergies.record_none_known(patient.id)
    assert clinic.allergies.status(patient.id).none_known.recorded_on == TODAY
    assert [v.recorded_on for v in clinic.allergies.history(again.id)] == [
        TODAY - timedelta(days=10),
        TODAY,
    ]


def test_recording_an_allergy_closes_the_none_known_statement(clinic, patient):
    clinic.allergies.record_none_known(patient.id)
    entry = clinic.allergies.record(patient.id, LIDOCAINE)
    status = clinic.allergies.status(patient.id)
    assert status.state == "listed"
    assert [a.id for a in status.allergies] == [entry.id]
    assert status.line == (
        "Allergies: Local anaesthetic (lidocaine): allergy, severe; hives and wheeze."
    )
    closed = [e for e in clinic.allergies.entries(patient.id) if e.is_none_known]
    assert [(e.active, e.amendment_reason) for e in closed] == [(False, "an allergy was recorded")]


def test_none_known_is_refused_while_allergies_are_listed(clinic, patient):
    clinic.allergies.record(patient.id, LIDOCAINE)
    with pytest.raises(ValidationError) as refused:
        clinic.allergies.record_none_known(patient.id)
    assert "1 allergy is listed" in refused.value.errors["substance"]


def test_each_field_is_checked_and_nothing_is_saved_on_error(clinic, patient):
    with pytest.raises(ValidationError) as refused:
        clinic.allergies.record(
            patient.id,
            {
                "substance": "other",
                "kind": "rash",
                "severity": "awful",
                "recorded_on": (TODAY + timedelta(days=1)).isoformat(),
                "colour": "red",
            },
        )
    assert set(refused.value.errors) == {
        "substance_text",
        "kind",
        "severity",
        "recorded_on",
        "colour",
    }
    with pytest.raises(ValidationError) as early:
        clinic.allergies.record(patient.id, {**LIDOCAINE, "recorded_on": "1970-01-01"})
    assert "date of birth" in early.value.errors["recorded_on"]
    assert clinic.allergies.status(patient.id).state == "not_recorded"


def test_other_substances_are_named_in_words(clinic, patient):
    entry = clinic.allergies.record(
        patient.id, {"substance": "other", "substance_text": "Elastoplast", "kind": "intolerance"}
    )
    assert entry.name == "Elastoplast"
    assert entry.description == "Elastoplast: intolerance"


def test_amend_keeps_every_version_and_remove_marks_entered_in_error(clinic, patient):
    first = clinic.allergies.record(patient.id, LIDOCAINE)
    with pytest.raises(ValidationError) as no_reason:
        clinic.allergies.amend(first.id, {**LIDOCAINE, "severity": "moderate"}, "  ")
    assert "reason" in no_reason.value.errors
    with pytest.raises(ValidationError):
        clinic.allergies.amend(first.id, LIDOCAINE, "no change")
    second = clinic.allergies.amend(
        first.id, {**LIDOCAINE, "severity": "moderate"}, "patient clarified"
    )
    assert (second.version, second.root_id, second.severity) == (2, first.id, "moderate")
    with pytest.raises(ValidationError) as stale:
        clinic.allergies.amend(first.id, {**LIDOCAINE, "severity": "mild"}, "stale copy")
    assert "already amended" in stale.value.errors["entry"]
    removed = clinic.allergies.remove(second.id, "wrong patient")
    assert removed.entered_in_error
    assert clinic.allergies.status(patient.id).state == "not_recorded"
    history = clinic.allergies.history(removed.id)
    assert [(v.version, v.severity, v.entered_in_error) for v in history] == [
        (1, "severe", False),
        (2, "moderate", False),
        (3, "moderate", True),
    ]
    assert [e.id for e in clinic.allergies.entries(patient.id, include_removed=True)] == [
        removed.id
    ]


def test_a_resolved_allergy_no_longer_shows(clinic, patient):
    entry = clinic.allergies.record(patient.id, LIDOCAINE)
    clinic.allergies.amend(entry.id, {**LIDOCAINE, "active": False}, "tolerated at 2026 test")
    assert clinic.allergies.status(patient.id).state == "not_recorded"


def test_reception_sees_the_status_but_cannot_change_it(users, patient):
    clinician, reception = users["clinician"], users["reception"]
    entry = clinician.allergies.record(patient.id, LIDOCAINE)
    assert reception.allergies.status(patient.id).state == "listed"
    for attempt in (
        lambda: reception.allergies.record(patient.id, LIDOCAINE),
        lambda: reception.allergies.record_none_known(patient.id),
        lambda: reception.allergies.amend(entry.id, LIDOCAINE, "x"),
        lambda: reception.allergies.remove(entry.id, "x"),
        lambda: reception.allergies.entries(patient.id),
    ):
        with pytest.raises(PermissionDenied):
            attempt()


def test_every_change_and_read_is_audited_against_the_patient(clinic, patient):
    entry = clinic.allergies.record(patient.id, LIDOCAINE)
    clinic.allergies.amend(entry.id, {**LIDOCAINE, "severity": "mild"}, "clarified")
    clinic.allergies.status(patient.id)
    assert _audit(clinic, "allergy_entry") == [("create", patient.id), ("amend", patient.id)]
    reads = [a for a in _audit(clinic, "patient") if a[0] == "allergies.view"]
    assert reads == [("allergies.view", patient.id)]


def test_the_command_line_shows_and_records_allergies(clinic, patient):
    db, number = database_option(clinic), patient.record_number
    shown = run_sijdesk("allergies", "show", "--patient", number, *db)
    assert shown.stdout == f"{number}\tAllergies: not recorded.\n"
    added = run_sijdesk("allergies", "add", "--patient", number, "--substance", "latex", *db)
    assert added.returncode == 0, added.stderr
    refused = run_sijdesk("allergies", "none-known", "--patient", number, *db)
    assert refused.returncode == 2
    assert "1 allergy is listed" in refused.stderr
    as_json = run_sijdesk("allergies", "show", "--patient", number, "--json", *db)
    assert '"substance": "latex"' in as_json.stdout


def test_the_unasked_note_is_for_injection_and_surgical_advice_only():
    from sijdesk.services.allergies import unasked_allergy_note

    for step in ("injection", "surgery_evaluation", "injection_clinic", "spine_surgeon"):
        assert "not recorded" in unasked_allergy_note("not_recorded", step)
        assert unasked_allergy_note("none_known", step) is None
        assert unasked_allergy_note("listed", step) is None
    for step in ("conservative", "physiotherapy", "rheumatology", None):
        assert unasked_allergy_note("not_recorded", step) is None
