"""The address book, and a patient's GP and referring clinician."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sijdesk.errors import ValidationError
from sijdesk.models import AuditEvent
from tests.signin import database_option, run_sijdesk
from tests.window_fixtures import register

MENSAH = {
    "name": "Dr Harriet Mensah",
    "role": "gp",
    "practice": "Riverside Medical Centre",
    "address": "2 Station Road\nRiverside RV1 2AB",
    "phone": "+44 1632 960 100",
    "secure_email": "riverside.mc@nhs.example",
}
WOJCIK = {"name": "Mr Tomasz Wójcik", "role": "spine_surgeon", "practice": "Riverside General"}


def test_contacts_are_listed_by_name_and_role(users):
    reception = users["reception"]  # reception keeps the address book
    gp = reception.contacts.create(MENSAH)
    surgeon = reception.contacts.create(WOJCIK)
    assert [c.id for c in reception.contacts.all_contacts()] == [gp.id, surgeon.id]
    assert [c.id for c in reception.contacts.all_contacts(role="gp")] == [gp.id]
    assert gp.display == "Dr Harriet Mensah, Riverside Medical Centre"
    assert gp.address_lines == (
        "Dr Harriet Mensah",
        "Riverside Medical Centre",
        "2 Station Road",
        "Riverside RV1 2AB",
    )
    assert gp.role_label == "Family doctor (GP)"


def test_each_field_is_checked(clinic):
    with pytest.raises(ValidationError) as refused:
        clinic.contacts.create(
            {"name": " ", "role": "dentist", "phone": "call", "secure_email": "x", "fax": "1"}
        )
    assert set(refused.value.errors) == {"name", "role", "phone", "secure_email", "fax"}
    assert clinic.contacts.all_contacts() == []


def test_corrections_are_audited_by_field_and_retired_contacts_are_kept(clinic):
    gp = clinic.contacts.create(MENSAH)
    with pytest.raises(ValidationError):
        clinic.contacts.update(gp.id, {"phone": MENSAH["phone"]})
    moved = clinic.contacts.update(gp.id, {"address": "9 Mill Lane\nRiverside RV2 4QT"})
    assert moved.address.startswith("9 Mill Lane")
    clinic.contacts.set_active(gp.id, False)
    assert clinic.contacts.all_contacts() == []
    assert [c.active for c in clinic.contacts.all_contacts(include_retired=True)] == [False]
    with clinic.db.read() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.entity == "contact")).all()
        assert [(r.action, r.summary) for r in rows] == [
            ("create", "added a gp contact"),
            ("update", "corrected address"),
            ("update", "retired"),
        ]
        assert rows[1].details == {"fields": ["address"]}


def test_a_patient_has_a_gp_of_the_gp_role_and_any_referrer(clinic):
    gp = clinic.contacts.create(MENSAH)
    surgeon = clinic.contacts.create(WOJCIK)
    patient = register(clinic, "Amara", "Okonkwo-Bennett", "1979-05-08")
    assert (patient.gp_contact_id, patient.referrer_contact_id) == (None, None)
    with pytest.raises(ValidationError) as wrong_role:
        clinic.patients.update(patient.id, {"gp_contact_id": surgeon.id})
    assert "GP" in wrong_role.value.errors["gp_contact_id"]
    with pytest.raises(ValidationError) as missing:
        clinic.patients.update(patient.id, {"referrer_contact_id": 999})
    assert "address book" in missing.value.errors["referrer_contact_id"]
    linked = clinic.patients.update(
        patient.id, {"gp_contact_id": gp.id, "referrer_contact_id": surgeon.id}
    )
    assert (linked.gp_contact_id, linked.referrer_contact_id) == (gp.id, surgeon.id)
    # A retired GP stays on the record; it just cannot be chosen anew.
    clinic.contacts.set_active(gp.id, False)
    kept = clinic.patients.update(patient.id, {"phone": "+44 7700 900123"})
    assert kept.gp_contact_id == gp.id
    other = register(clinic, "Zoë", "Łukasiewicz", "1972-03-14")
    with pytest.raises(ValidationError):
        clinic.patients.update(other.id, {"gp_contact_id": gp.id})


def test_the_command_line_adds_lists_and_links(clinic):
    patient = register(clinic, "Henrik", "Sæther", "1961-09-30")
    db = database_option(clinic)
    added = run_sijdesk("contacts", "add", "--name", "Dr Harriet Mensah", "--role", "gp", *db)
    assert added.returncode == 0, added.stderr
    contact_id = added.stdout.split("\t")[0]
    assert run_sijdesk("contacts", "list", *db).stdout == f"{contact_id}\tgp\tDr Harriet Mensah\n"
    linked = run_sijdesk(
        "contacts", "link", "--patient", patient.record_number, "--gp", contact_id, *db
    )
    assert f"{patient.record_number}\tGP\tDr Harriet Mensah" in linked.stdout
    assert clinic.patients.get(patient.id).gp_contact_id == int(contact_id)
