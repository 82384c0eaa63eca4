"""From the record to the facts (CLINICAL.md §4), and decisions on the advice."""

from __future__ import annotations

from datetime import date

import pytest

from sijdesk.errors import ValidationError
from sijdesk.pathway import facts_to_dict


@pytest.fixture
def record(clinic):
    patient = clinic.patients.register(
        {"given_names": "Ann", "family_name": "Test", "date_of_birth": "1971-12-01"}
    )
    episode = clinic.episodes.create(patient.id, {"side": "left", "onset_date": "2026-05-31"})

    def add(kind, day, **data):
        return clinic.timeline.add(episode.id, kind, {"date": day, **data})

    return clinic, patient, episode, add


def test_facts_come_from_the_latest_records_with_age_and_weeks(record):
    clinic, _, episode, add = record
    add(
        "assessment",
        "2026-06-10",
        pain_region="above_belt",
        distraction=True,
        thigh_thrust=True,
        fortin_finger=True,
    )
    add(
        "assessment",
        "2026-11-01",
        pain_region="below_belt",
        functional=["weakness"],
        symptoms=["flare"],
        nsaid_cautions=["renal_disease"],
        nicotine=True,
    )
    add("therapy", "2026-10-04", components=["met"], response="none")
    add("therapy", "2026-11-15", components=["met"])
    facts = clinic.pathway.facts_for_episode(episode.id)
    assert facts.as_of == date(2026, 11, 29)
    assert facts.age == 54  # born 1971-12-01: 55 only from 2026-12-01
    assert facts.symptom_weeks == 26.0  # 182 days
    assert facts.conservative.weeks == 8.0  # 56 days since the first session
    assert facts.conservative.response == "none"  # the latest recorded judgement
    assert facts.pain_region == "below_belt"
    assert facts.functional == ("weakness",)
    assert facts.nsaid_cautions == ("renal_disease",)
    assert facts.nicotine is True
    # Provocation and Fortin come from the latest assessment that tested them.
    assert facts.provocation.distraction is True
    assert facts.fortin_finger is True


def test_no_therapy_means_zero_weeks_and_a_physiotherapy_referral(record):
    clinic, _, episode, add = record
    add("assessment", "2026-11-01", pain_region="below_belt")
    result = clinic.pathway.episode_advice(episode.id)
    assert result.facts.conservative.weeks == 0
    assert result.advice.referral == "physiotherapy"


def test_baseline_is_the_first_measure_before_therapy_and_only_with_a_later_one(record):
    clinic, _, episode, add = record
    add("outcome", "2026-06-01", nrs=8, odi_items=[3] * 10)
    add("outcome", "2026-06-20", nrs=7)
    add("therapy", "2026-07-01", components=["met"])
    facts = clinic.pathway.facts_for_episode(episode.id)
    assert facts.baseline.nrs == 8
    assert facts.nrs == 7
    # Only one ODI: never both baseline and current.
    assert facts.baseline.odi_percent is None
    assert facts.odi_items == tuple([3] * 10)
    add("outcome", "2026-11-20", odi_items=[1] * 10)
    facts = clinic.pathway.facts_for_episode(episode.id)
    assert facts.baseline.odi_percent == 60.0
    assert facts.odi_items == tuple([1] * 10)
    assert clinic.pathway.episode_advice(episode.id).advice.scores.response == "good"


def test_without_therapy_there_is_no_baseline(record):
    clinic, _, episode, add = record
    add("outcome", "2026-06-01", nrs=8)
    add("outcome", "2026-07-01", nrs=4)
    assert clinic.pathway.facts_for_episode(episode.id).baseline is None


def test_amended_and_removed_events_are_read_correctly(record):
    clinic, _, episode, add = record
    wrong = add("outcome", "2026-11-01", nrs=9)
    clinic.timeline.amend(wrong.id, {"date": "2026-11-01", "nrs": 3}, "typo")
    removed = add("assessment", "2026-11-02", red_flags=["fever"])
    clinic.timeline.remove(removed.id, "wrong patient")
    facts = clinic.pathway.facts_for_episode(episode.id)
    assert facts.nrs == 3
    assert facts.red_flags == ()


def test_injections_declines_and_rheumatology_clearance(record):
    clinic, _, episode, add = record
    add("injection", "2026-10-01", purpose="diagnostic", side="left", pain_before=8, pain_after=1)
    add("injection", "2026-11-01", purpose="therapeutic", side="left")
    add("decline", "2026-11-02", treatment="surgery")
    add("consult", "2026-11-03", specialty="rheumatology", inflammatory_disease_excluded=True)
    facts = clinic.pathway.facts_for_episode(episode.id)
    assert [(i.kind, i.relief_percent) for i in facts.injections] == [
        ("diagnostic", 87.5),
        ("therapeutic", None),
    ]
    assert facts.declines == ("surgery",)
    assert facts.rheumatology_cleared is True
    assert "injections" in clinic.pathway.episode_advice(episode.id).advice.missing


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"newest_first": False},
        {"kinds": ["outcome"]},
        {"include_removed": True},
        {"kinds": ["assessment", "therapy"], "include_removed": True, "newest_first": False},
    ],
)
def test_the_episode_view_is_the_timeline_and_the_advice_from_one_read(record, query):
    """What the window reads to open a patient: the same as the two reads apart,
    with the events of the episode read once (issue 14: opening speed)."""
    from sqlalchemy import event, select

    from sijdesk.models import AuditEvent

    clinic, _, episode, add = record
    add("outcome", "2026-06-20", nrs=8)
    wrong = add("outcome", "2026-07-01", nrs=9)
    clinic.timeline.amend(wrong.id, {"date": "2026-07-01", "nrs": 7}, "typo")
    removed = add("assessment", "2026-07-02", pain_region="above_belt")
    clinic.timeline.remove(removed.id, "wrong patient")
    add("assessment", "2026-07-02", pain_region="below_belt", distraction=True)
    add("therapy", "2026-07-05", components=["met"], response="none")
    add("therapy", "2026-07-05", components=["met"])  # same day: entry order decides
    add("outcome", "2026-11-01", nrs=7)
    expected_entries = clinic.timeline.entries(episode.id, **query)
    expected_advice = clinic.pathway.episode_advice(episode.id)

    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(clinic.db.engine, "before_cursor_execute", note)
    try:
        with clinic.db.read() as session:
            before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
        entries, advice = clinic.pathway.episode_view(episode.id, **query)
    finally:
        event.remove(clinic.db.engine, "before_cursor_execute", note)
    assert entries == expected_entries
    assert advice.advice == expected_advice.advice
    assert advice.facts == expected_advice.facts
    assert advice.last_decision == expected_advice.last_decision
    # one read of the episode's events (the polymorphic load follows its kinds' tables)
    events_read = [
        s for s in statements if "FROM timeline_event" in s and "timeline_event.episode_id" in s
    ]
    assert len(events_read) == 1, events_read
    with clinic.db.read() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.id > before).order_by(AuditEvent.id)
        ).all()
    assert actions == ["timeline.view", "advice.shown"]


def test_a_recorded_fusion_closes_the_pathway(record):
    clinic, _, episode, add = record
    add("procedure", "2026-11-01", procedure="sij_fusion", side="left")
    result = clinic.pathway.episode_advice(episode.id)
    assert result.advice is None
    assert result.closed_by.kind == "procedure"


def test_reading_advice_never_changes_the_record(record):
    clinic, _, episode, add = record
    add("assessment", "2026-11-01", pain_region="below_belt")
    before = clinic.timeline.entries(episode.id)
    clinic.pathway.episode_advice(episode.id)
    assert clinic.timeline.entries(episode.id) == before


def test_accepting_stores_a_decision_with_snapshots_and_sets_the_current_step(record):
    clinic, _, episode, add = record
    add("assessment", "2026-11-01", pain_region="below_belt")
    shown = clinic.pathway.episode_advice(episode.id)
    entry = clinic.pathway.record_decision(episode.id, shown.advice, accepted=True)
    assert entry.kind == "decision"
    assert entry.record.advice_snapshot == shown.advice.to_dict()
    assert entry.record.facts_snapshot == facts_to_dict(shown.facts)
    assert entry.record.pathway_version == shown.advice.pathway_version
    after = clinic.pathway.episode_advice(episode.id)
    assert after.current_step == "conservative"
    assert after.last_decision.id == entry.id


def test_an_override_needs_a_reason(record):
    clinic, _, episode, add = record
    add("assessment", "2026-11-01", pain_region="below_belt")
    advice = clinic.pathway.episode_advice(episode.id).advice
    with pytest.raises(ValidationError) as caught:
        clinic.pathway.record_decision(episode.id, advice, accepted=False, chosen_step="injection")
    assert "reason" in caught.value.errors
    assert clinic.timeline.entries(episode.id, kinds=["decision"]) == []
    entry = clinic.pathway.record_decision(
        episode.id, advice, accepted=False, chosen_step="injection", reason="patient preference"
    )
    assert entry.record.decision == "overridden"
    alerts = clinic.pathway.patient_alerts(episode.patient_id)
    assert [a.kind for a in alerts] == ["override"]
    assert clinic.pathway.episode_advice(episode.id).current_step == "injection"


def test_a_decision_on_stale_advice_is_refused(record):
    clinic, _, episode, add = record
    add("assessment", "2026-11-01", pain_region="below_belt")
    stale = clinic.pathway.episode_advice(episode.id).advice
    add("assessment", "2026-11-02", red_flags=["fever"])
    with pytest.raises(ValidationError) as caught:
        clinic.pathway.record_decision(episode.id, stale, accepted=True)
    assert "changed" in caught.value.errors["advice"]


def test_red_flags_raise_a_patient_alert(record):
    clinic, patient, _, add = record
    add("assessment", "2026-11-01", red_flags=["cauda_equina"])
    (alert,) = clinic.pathway.patient_alerts(patient.id)
    assert alert.kind == "red_flag"
    assert "cauda equina" in alert.text


def test_clinic_thresholds_override_the_shipped_defaults_and_are_audited(record):
    clinic, _, episode, _ = record
    from sqlalchemy import select

    from sijdesk.models import AuditEvent

    clinic.pathway.set_clinic_thresholds({"block_threshold": 50})
    assert clinic.pathway.thresholds().block_threshold == 50
    assert clinic.pathway.episode_advice(episode.id).advice.thresholds["block_threshold"] == 50
    with clinic.db.read() as session:
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "pathway_thresholds")
        ).one()
    assert audit.details["after"] == {"block_threshold": 50}
    clinic.pathway.set_clinic_thresholds({})
    assert clinic.pathway.thresholds().block_threshold == 75


def test_invalid_or_unauthorised_threshold_changes_are_refused(users):
    from sijdesk.errors import PermissionDenied

    with pytest.raises(ValidationError) as caught:
        users["admin"].pathway.set_clinic_thresholds({"block_threshold": 150})
    assert "block_threshold" in caught.value.errors
    with pytest.raises(PermissionDenied):
        users["clinician"].pathway.set_clinic_thresholds({"block_threshold": 50})


def test_alerts_come_from_each_episodes_current_records_only(record):
    """The latest current assessment of each episode counts: an amended or removed
    red flag no longer raises an alert; overrides in any episode do."""
    clinic, patient, episode, add = record
    add("assessment", "2026-06-01", red_flags=["fever"])
    add("assessment", "2026-06-20", pain_region="below_belt")  # later, no red flag
    second = clinic.episodes.create(patient.id, {"side": "right", "onset_date": "2026-09-01"})
    flagged = clinic.timeline.add(
        second.id, "assessment", {"date": "2026-09-10", "red_flags": ["cauda_equina"]}
    )
    assert [a.text for a in clinic.pathway.patient_alerts(patient.id)] == [
        "Red flag on record: cauda equina"
    ]
    clinic.timeline.amend(
        flagged.id,
        {"date": "2026-09-10", "red_flags": ["weight_loss"]},
        "wrong flag ticked",
    )
    assert [a.text for a in clinic.pathway.patient_alerts(patient.id)] == [
        "Red flag on record: weight loss"
    ]
    current = clinic.timeline.entries(second.id, kinds=["assessment"])[0]
    clinic.timeline.remove(current.id, "entered for the wrong patient")
    assert clinic.pathway.patient_alerts(patient.id) == []
    advice = clinic.pathway.episode_advice(episode.id).advice
    clinic.pathway.record_decision(
        episode.id, advice, accepted=False, chosen_step="injection", reason="patient preference"
    )
    (alert,) = clinic.pathway.patient_alerts(patient.id)
    assert (alert.kind, alert.text) == ("override", "Pathway advice overridden: patient preference")
