"""The follow-up ("Due") list: its rules at their boundaries, roles, marks, the command."""

from __future__ import annotations

import csv
from datetime import timedelta

import pytest

from sijdesk.errors import PermissionDenied, ValidationError
from sijdesk.services.audit import AuditFilter
from sijdesk.services.due import NEUTRAL_REASON, DueIntervals
from tests.conftest import TODAY
from tests.signin import add_user, database_option, location_of, reopen_clinic, run_sijdesk
from tests.window_fixtures import register


def ago(days: int):
    return TODAY - timedelta(days=days)


class Clinic:
    def __init__(self, clinic):
        self.clinic = clinic
        self.count = 0

    def episode(self, *, phone: str = "+44 7700 900123"):
        self.count += 1
        patient = register(
            self.clinic, "Due", f"Patient{self.count:02d}", "1970-01-01", phone=phone
        )
        return self.clinic.episodes.create(patient.id, {"side": "left", "onset_date": ago(200)})

    def measure(self, episode, days_ago: int):
        data = {"date": ago(days_ago), "nrs": 5}
        return self.clinic.timeline.add(episode.id, "outcome", data)

    def add(self, episode, kind: str, days_ago: int, **data):
        return self.clinic.timeline.add(episode.id, kind, {"date": ago(days_ago), **data})


def _rows(clinic):
    return clinic.due.page().rows


def _due_episodes(clinic, rule):
    return {row.episode_id for row in _rows(clinic) if row.rule == rule}


def test_no_outcome_measure_for_more_than_six_weeks(clinic):
    b = Clinic(clinic)
    day41, day42, day43 = b.episode(), b.episode(), b.episode()
    for episode, days in ((day41, 41), (day42, 42), (day43, 43)):
        b.measure(episode, 60)
        b.measure(episode, days)  # the last measure counts
    never = b.episode()  # no measure: counted from its first record
    b.add(never, "therapy", 50, components=["met"], minutes=30)
    closed = b.episode()
    b.measure(closed, 100)
    clinic.episodes.close(closed.id, "discharged", closed_on=ago(90))
    rows = {row.episode_id: row for row in _rows(clinic) if row.rule == "outcome_overdue"}
    assert set(rows) == {day43.id, never.id}
    assert rows[day43.id].since == TODAY  # the first day over six weeks
    assert rows[never.id].since == ago(50 - 43)
    assert rows[day43.id].reason == "No outcome measure for more than 6 weeks"


def test_the_clinic_sets_its_own_intervals(clinic):
    b = Clinic(clinic)
    episode = b.episode()
    b.measure(episode, 30)
    assert _due_episodes(clinic, "outcome_overdue") == set()
    clinic.settings.update({"due_outcome_weeks": 4})
    assert clinic.due.intervals() == DueIntervals(outcome_weeks=4)
    (row,) = [r for r in _rows(clinic) if r.rule == "outcome_overdue"]
    assert row.since == ago(30 - 29)  # day 29 after the measure, the first over 4 weeks
    assert row.reason == "No outcome measure for more than 4 weeks"
    (event,) = clinic.audit.events(AuditFilter(action="settings.update"))
    assert event.details["before"] == {"due_outcome_weeks": 6}
    assert event.details["after"] == {"due_outcome_weeks": 4}


def test_only_an_administrator_changes_the_intervals_within_limits(clinic):
    with pytest.raises(ValidationError) as bad:
        clinic.settings.update({"due_outcome_weeks": 0, "due_relief_weeks": 30})
    assert set(bad.value.errors) == {"due_outcome_weeks", "due_relief_weeks"}
    assert clinic.due.intervals() == DueIntervals()  # nothing saved
    clinician = add_user(clinic, "clin", "Dr Due", "clinician")
    with pytest.raises(PermissionDenied):
        clinician.settings.update({"due_referral_weeks": 8})


def test_injection_relief_not_recorded_after_two_weeks(clinic):
    b = Clinic(clinic)
    episode = b.episode()
    b.measure(episode, 1)
    shot = {"purpose": "diagnostic", "side": "left", "agent": "bupivacaine"}
    due = b.add(episode, "injection", 15, **shot)
    b.add(episode, "injection", 14, **shot)  # exactly two weeks: not yet
    b.add(episode, "injection", 30, **shot, relief_percent=80)  # recorded
    rows = [row for row in _rows(clinic) if row.rule == "relief_unrecorded"]
    assert [(row.subject_id, row.since) for row in rows] == [(due.id, TODAY)]


def test_a_referral_letter_without_its_step_after_twelve_weeks(clinic):
    b = Clinic(clinic)
    waiting, answered, resent = b.episode(), b.episode(), b.episode()
    for episode in (waiting, answered, resent):
        b.measure(episode, 1)
    back_then = reopen_clinic(location_of(clinic), clock=lambda: ago(85))
    try:
        for episode in (waiting, answered, resent):
            back_then.documents.create_letter(episode.id, "rheumatology")
    finally:
        back_then.close()
    b.add(answered, "consult", 20, specialty="rheumatology")
    clinic.documents.create_letter(resent.id, "rheumatology")  # sent again today
    rows = [row for row in _rows(clinic) if row.rule == "referral_unanswered"]
    assert [(row.episode_id, row.since) for row in rows] == [(waiting.id, TODAY)]


def test_a_red_flag_without_an_urgent_referral(clinic):
    b = Clinic(clinic)
    flagged, referred, cleared = b.episode(), b.episode(), b.episode()
    for episode in (flagged, referred, cleared):
        b.measure(episode, 1)
        b.add(episode, "assessment", 3, red_flags=["fever"])
    clinic.documents.create_letter(referred.id, "urgent")
    b.add(cleared, "assessment", 1, red_flags=[])  # the latest assessment counts
    assert _due_episodes(clinic, "red_flag_unreferred") == {flagged.id}
    (row,) = [r for r in _rows(clinic) if r.rule == "red_flag_unreferred"]
    assert row.since == ago(3)


def test_reception_sees_whom_to_call_but_no_clinical_reason(clinic):
    b = Clinic(clinic)
    episode = b.episode(phone="+44 7700 900456")
    b.measure(episode, 50)
    reception = add_user(clinic, "desk", "Front Desk", "reception")
    (row,) = reception.due.page().rows
    assert (row.name, row.phone, row.reason) == ("Due Patient01", "+44 7700 900456", NEUTRAL_REASON)
    assert reception.due.count() == 1
    (event,) = clinic.audit.events(AuditFilter(action="due.view", username="desk"))
    assert event.details == {"rows": 1}


def test_marks_take_a_row_off_the_list_and_are_audited(clinic):
    b = Clinic(clinic)
    called, snoozed, left = b.episode(), b.episode(), b.episode()
    for episode in (called, snoozed, left):
        b.measure(episode, 50)
    rows = {row.episode_id: row for row in _rows(clinic)}
    reception = add_user(clinic, "desk", "Front Desk", "reception")
    reception.due.mark(rows[called.id], "contacted", note="left a message")
    reception.due.mark(rows[snoozed.id], "snoozed", until=TODAY + timedelta(days=7))
    assert {row.episode_id for row in _rows(clinic)} == {left.id}
    assert clinic.due.count() == 1
    actions = [e.action for e in clinic.audit.events(AuditFilter(username="desk"))]
    assert "due.contacted" in actions and "due.snoozed" in actions
    # A snooze ends after its last day.
    later = reopen_clinic(location_of(clinic), clock=lambda: TODAY + timedelta(days=8))
    try:
        assert {row.episode_id for row in later.due.page().rows} == {snoozed.id, left.id}
    finally:
        later.close()


def test_a_snooze_needs_a_day_after_today(clinic):
    b = Clinic(clinic)
    episode = b.episode()
    b.measure(episode, 50)
    (row,) = _rows(clinic)
    for until, message in ((None, "say until which day"), (TODAY, "must be a day after today")):
        with pytest.raises(ValidationError) as refused:
            clinic.due.mark(row, "snoozed", until=until)
        assert refused.value.errors == {"until": message}
    with pytest.raises(ValidationError):
        clinic.due.mark(row, "forgotten")
    assert clinic.due.count() == 1


def test_the_command_writes_the_list(clinic, tmp_path):
    b = Clinic(clinic)
    episode = b.episode()
    b.measure(episode, 50)
    target = tmp_path / "due.csv"
    done = run_sijdesk("due", "--csv", str(target), *database_option(clinic))
    assert done.returncode == 0, done.stderr
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Due since", "Record", "Name", "Phone", "Reason"]
    assert rows[1][2:4] == ["Due Patient01", "+44 7700 900123"]
    printed = run_sijdesk("due", *database_option(clinic))
    assert "Due Patient01" in printed.stdout
