"""The administrator's audit trail: filters, CSV export, and checking the chain."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from sijdesk.errors import PermissionDenied, ValidationError
from sijdesk.services.audit import CSV_COLUMNS, AuditFilter
from tests.signin import run_sql


@pytest.fixture
def busy(users):
    """A clinic where reception searched and registered, and a clinician read."""
    reception = users["reception"]
    reception.patients.search("ann")
    patient = reception.patients.register(
        {"given_names": "=HYPERLINK(1)", "family_name": "Tester", "date_of_birth": "1980-01-01"}
    )
    users["clinician"].patients.get(patient.id)
    return users, patient


def test_filters_by_user_patient_action_and_dates(busy):
    users, patient = busy
    audit = users["admin"].audit
    by_reception = audit.events(AuditFilter(username="recep"))
    assert {e.username for e in by_reception} == {"recep"}
    assert [e.action for e in by_reception][:2] == ["register", "patient.search"]
    about = audit.events(AuditFilter(patient_record_number=patient.record_number))
    assert {e.action for e in about} == {"register", "patient.view"}
    searches = audit.events(AuditFilter(action="patient"))
    assert {e.action for e in searches} == {"patient.search", "patient.view"}
    assert audit.events(AuditFilter(since=date(2099, 1, 1))) == []
    assert audit.count(AuditFilter(until=date(2000, 1, 1))) == 0
    with pytest.raises(ValidationError) as caught:
        audit.events(AuditFilter(since=date(2026, 2, 1), until=date(2026, 1, 1)))
    assert "until" in caught.value.errors


def test_csv_export_writes_the_filtered_events_and_is_audited(busy, tmp_path):
    users, patient = busy
    audit = users["admin"].audit
    (tmp_path / "export").mkdir()
    target = tmp_path / "export" / "audit.csv"
    count = audit.export_csv(target, AuditFilter(patient_record_number=patient.record_number))
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) - 1 == count == 2
    assert {r[3] for r in rows[1:]} == {"register", "patient.view"}
    assert all(r[7] == patient.record_number for r in rows[1:])
    (export,) = audit.events(AuditFilter(action="export"))
    assert export.details["events"] == 2
    assert [p.name for p in target.parent.iterdir()] == ["audit.csv"]  # no temporary left


def test_csv_cells_cannot_start_a_spreadsheet_formula(users, tmp_path):
    from sijdesk.services.audit import _safe_cell

    assert _safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _safe_cell("-2+3") == "'-2+3"
    assert _safe_cell("plain") == "plain"


def test_an_export_to_a_folder_that_does_not_exist_is_a_plain_error(users, tmp_path):
    from sijdesk.errors import EnvironmentProblem

    with pytest.raises(EnvironmentProblem, match="Cannot write"):
        users["admin"].audit.export_csv(tmp_path / "missing" / "audit.csv")


def test_only_administrators_read_the_trail(users):
    for role in ("clinician", "reception"):
        with pytest.raises(PermissionDenied, match="audit trail"):
            users[role].audit.events()


def test_verify_reports_the_chain_and_is_audited(users):
    report = users["admin"].audit.verify()
    assert report.ok
    run_sql(users["admin"], "UPDATE audit_event SET summary = 'x' WHERE id = 2")
    broken = users["admin"].audit.verify()
    assert not broken.ok
    assert broken.first_broken_event == 2
    # Newest first: the two checks (the view of this very list is recorded after it).
    assert [e.action for e in users["admin"].audit.events(AuditFilter(action="audit"))] == [
        "audit.verify",
        "audit.verify",
    ]
