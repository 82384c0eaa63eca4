"""The demo clinic: deterministic, every pathway situation, interruptible."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from sqlalchemy import func, select, text

from sijdesk.check import check_database
from sijdesk.demo import DEMO_PASSWORD, SCENARIOS, create_demo_clinic, new_demo_clinic
from sijdesk.kinds import validate_event
from sijdesk.models import Assessment, OutcomeMeasure, Patient, TherapySession, TimelineEvent
from sijdesk.services.timeline import event_data
from tests.conftest import TODAY
from tests.signin import reopen_clinic


def _names(clinic):
    return [
        (p.record_number, p.family_name, p.given_names, p.date_of_birth)
        for p in clinic.patients.search(sort="record_number", include_archived=True)
    ]


def test_same_seed_makes_the_same_clinic(tmp_path):
    made = []
    for name in ("a", "b"):
        clinic = new_demo_clinic(str(tmp_path / f"{name}.sqlite3"), clock=lambda: TODAY)
        create_demo_clinic(clinic, patients=40)
        with clinic.db.read() as session:
            events = session.execute(
                select(TimelineEvent.kind, TimelineEvent.event_date).order_by(TimelineEvent.id)
            ).all()
        made.append((_names(clinic), events))
        clinic.close()
    assert made[0] == made[1]
    assert len(made[0][0]) == 40


@pytest.mark.parametrize("number", range(1, len(SCENARIOS) + 1))
def test_each_situation_patient_gets_the_step_its_situation_implies(demo_clinic, number):
    scenario = SCENARIOS[number - 1]
    patient = demo_clinic.patients.get_by_record_number(f"{number:06d}")
    (episode,) = demo_clinic.episodes.list_for_patient(patient.id)
    result = demo_clinic.pathway.episode_advice(episode.id)
    if scenario.situation == "after SIJ fusion":
        assert result.advice is None
        assert result.closed_by is not None
        return
    assert result.advice.triage == scenario.expected_triage
    assert result.advice.step == scenario.expected_step


def test_generated_records_pass_the_same_validation_as_forms(demo_clinic):
    checked = {}
    with demo_clinic.db.read() as session:
        for model in (Assessment, OutcomeMeasure, TherapySession):
            for event in session.scalars(select(model).limit(200)):
                # Raises ValidationError (failing the test) on anything a form would refuse.
                validate_event(
                    event.kind, {"date": event.event_date, **event_data(event)}, today=TODAY
                )
                checked[event.kind] = checked.get(event.kind, 0) + 1
    assert set(checked) == {"assessment", "outcome", "therapy"}
    assert min(checked.values()) >= 20


def test_generated_patients_are_searchable_and_audited(demo_clinic):
    with demo_clinic.db.read() as session:
        patients = session.scalar(select(func.count()).select_from(Patient))
        audited = session.execute(
            text("SELECT COUNT(DISTINCT patient_id) FROM audit_event WHERE action='register'")
        ).scalar()
    assert patients == 60
    assert audited == 60
    assert demo_clinic.patients.search("nguyen")


def test_stopping_between_batches_leaves_a_consistent_database(tmp_path, monkeypatch):
    from sijdesk import demo

    monkeypatch.setattr(demo, "BATCH_SIZE", 7)
    clinic = new_demo_clinic(str(tmp_path / "stop.sqlite3"), clock=lambda: TODAY)
    calls = []

    def progress(done, total):
        calls.append(done)
        return len(calls) < 3

    made = create_demo_clinic(clinic, patients=100, progress=progress)
    assert made == calls[-1] < 100
    with clinic.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == made
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    # Record numbers continue cleanly when more are added later.
    create_demo_clinic(clinic, patients=5)
    numbers = [
        p.record_number for p in clinic.patients.search(sort="record_number", include_archived=True)
    ]
    assert len(numbers) == len(set(numbers))
    clinic.close()


def _committed_patients(path) -> int:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as con:
            return con.execute("SELECT count(*) FROM patient").fetchone()[0]
    except sqlite3.Error:  # not created yet, or the table not yet there
        return 0


def test_killed_mid_batch_loses_only_that_batch(tmp_path):
    """A process killed while writing a batch leaves the committed batches intact."""
    import os
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "killed.sqlite3"
    script = (
        "import sijdesk.demo as d;"
        f"c=d.new_demo_clinic({str(path)!r}); d.create_demo_clinic(c, patients=200000)"
    )
    process = subprocess.Popen([sys.executable, "-c", script], env=os.environ.copy())
    # Watch through a read-only connection: opening the clinic here would migrate the
    # file the child is still creating and race it for the lock.
    deadline = time.monotonic() + 180
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        if _committed_patients(path) > 2000:
            break
    assert process.poll() is None, "the demo ended before it could be killed mid-way"
    process.send_signal(signal.SIGKILL)
    process.wait()
    clinic = reopen_clinic(path, password=DEMO_PASSWORD)
    with clinic.db.read() as session:
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert session.execute(text("PRAGMA foreign_key_check")).all() == []
        count = session.scalar(select(func.count()).select_from(Patient))
    # Only whole batches (plus the scripted patients) were committed.
    assert (count - len(SCENARIOS)) % 1000 == 0
    assert count > 2000
    clinic.close()
    # Integrity, references, schema and the audit chain all hold after the kill.
    report = check_database(path)
    assert report.ok, report.lines()


def test_the_demo_has_allergies_doctors_and_an_address_book(demo_clinic):
    clinic = demo_clinic.as_user("dr.okafor")
    roles = {c.role for c in clinic.contacts.all_contacts()}
    assert {"gp", "spine_surgeon", "injection_clinic", "rheumatologist"} <= roles
    assert set(clinic.contacts.letter_defaults()) == {
        "physiotherapy",
        "injection_clinic",
        "spine_surgeon",
        "rheumatology",
        "urgent",
    }
    states = {}
    for number in ("000001", "000002", "000003", "000004"):
        patient = clinic.patients.get_by_record_number(number)
        states[number] = clinic.allergies.status(patient.id)
    assert states["000001"].state == "none_known"
    assert states["000002"].allergies[0].kind == "intolerance"
    # Before the injection the pathway advises: a local anaesthetic allergy.
    injection_patient = clinic.patients.get_by_record_number("000003")
    episode = clinic.episodes.list_for_patient(injection_patient.id)[0]
    assert clinic.pathway.episode_advice(episode.id).advice.step == "injection"
    assert states["000003"].allergies[0].substance == "local_anaesthetic"
    assert states["000004"].state == "not_recorded"  # never asked
    patients = clinic.patients.search(limit=60, include_archived=True)
    with_gp = [p for p in patients if clinic.patients.get(p.id).gp_contact_id is not None]
    assert len(with_gp) > len(patients) * 3 // 4
