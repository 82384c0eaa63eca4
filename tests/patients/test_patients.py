"""Registering, finding, editing and archiving patients."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sijdesk.errors import DuplicatePatient, NotFound, PermissionDenied, ValidationError
from sijdesk.models import AuditEvent, Patient
from sijdesk.services.text import fold
from tests.signin import downgrade_to, location_of, reopen_clinic, run_sql

ZOE = {
    "given_names": "Zoë",
    "family_name": "Łukasiewicz",
    "date_of_birth": "1972-03-14",
    "sex": "female",
    "phone": "+44 20 7946 0958",
}


def _count(clinic, model):
    with clinic.db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_register_generates_sequential_record_numbers_and_audits(clinic):
    first = clinic.patients.register(ZOE)
    second = clinic.patients.register(
        {"given_names": "François", "family_name": "Nguyễn", "date_of_birth": "1985-07-02"}
    )
    assert (first.record_number, second.record_number) == ("000001", "000002")
    assert second.sex == "unknown"
    with clinic.db.read() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.patient_id == first.id)).one()
    assert (audit.action, audit.user_id) == ("register", clinic.actor.id)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("zoe", True),
        ("ZOË", True),
        ("lukas", True),
        ("Łuk zo", True),
        ("zo nguyen", False),
        ("000001", True),
        ("1", True),
        ("1972-03-14", True),
        ("14/03/1972", True),
        ("14.03.1972", True),
        ("0958", True),
        ("7946 0958", True),
        ("+44 20", True),
        ("442079", True),
        ("7946", True),  # any three or more digits of the phone number
        ("2079 46", True),
        ("0959", False),
        ("smith", False),
        ("1972-03-15", False),
        ("1972", True),  # the year of birth alone
        ("zoe 1972", True),
        ("1973", False),
        ("luk 1971", False),
    ],
)
def test_search_by_name_parts_record_number_birth_date_and_phone(clinic, query, found):
    clinic.patients.register(ZOE)
    results = clinic.patients.search(query)
    assert bool(results) is found
    assert clinic.patients.count(query) == len(results)


PEOPLE = (
    ("Siobhán", "O'Brien", "+44 7700 900123"),
    ("John", "Smith-Jones", ""),
    ("Anna", "van der Berg", "020 7946 0000"),
    ("Mary Anne", "Smithers", ""),
)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("obrien", ["O'Brien"]),
        ("o brien", ["O'Brien"]),
        ("O'Brien", ["O'Brien"]),
        ("o'b", ["O'Brien"]),
        ("OBRI", ["O'Brien"]),
        ("brien", ["O'Brien"]),
        ("siobhan", ["O'Brien"]),
        ("bhan", ["O'Brien"]),  # inside the given name, accent folded
        ("mith", ["Smith-Jones", "Smithers"]),  # part of a name
        ("smith", ["Smith-Jones", "Smithers"]),
        ("smithjones", ["Smith-Jones"]),
        ("thjo", ["Smith-Jones"]),  # across the hyphen
        ("jones", ["Smith-Jones"]),
        ("vanderberg", ["van der Berg"]),
        ("derb", ["van der Berg"]),
        ("anne smi", ["Smithers"]),
        ("ann", ["van der Berg", "Smithers"]),
        ("ers", ["Smithers"]),
        ("mi", []),  # two letters: the start of a name only
        ("s", ["O'Brien", "Smith-Jones", "Smithers"]),
        ("7700 900", ["O'Brien"]),  # the middle of +44 7700 900123
        ("0123", ["O'Brien"]),
        ("07700900123", []),  # a different number
        ("7946", ["van der Berg"]),
        ("mith 1980", ["Smith-Jones", "Smithers"]),
        ("xyz", []),
    ],
)
def test_search_matches_any_part_of_a_name_or_phone_number(clinic, query, found):
    for given, family, phone in PEOPLE:
        clinic.patients.register(
            {
                "given_names": given,
                "family_name": family,
                "date_of_birth": "1980-05-01",
                "phone": phone,
            }
        )
    results = clinic.patients.search(query)
    assert sorted(p.family_name for p in results) == sorted(found)
    assert clinic.patients.count(query) == len(found)


def test_search_finds_a_changed_name_by_its_new_parts_only(clinic):
    patient = clinic.patients.register(
        {
            "given_names": "John",
            "family_name": "Smith",
            "date_of_birth": "1980-05-01",
            "phone": "07700 900123",
        }
    )
    clinic.patients.update(patient.id, {"family_name": "O'Neill", "phone": "020 7946 0000"})
    assert [p.id for p in clinic.patients.search("oneill")] == [patient.id]
    assert [p.id for p in clinic.patients.search("neil")] == [patient.id]
    assert [p.id for p in clinic.patients.search("7946")] == [patient.id]
    assert clinic.patients.search("mith") == []
    assert clinic.patients.search("900123") == []


def test_a_search_with_characters_no_name_holds_is_answered(clinic):
    clinic.patients.register(ZOE)
    for query in ("\x00", "\x00000001", "\udcff", "%", "_", "\\"):
        found = clinic.patients.search(query)
        assert clinic.patients.count(query) == len(found) <= 1
    assert clinic.patients.search("Łuk\x00")[0].family_name == "Łukasiewicz"
    assert clinic.patients.search("%ukasiewicz") == []


def test_search_of_non_latin_names(clinic):
    clinic.patients.register(
        {"given_names": "芳", "family_name": "王", "date_of_birth": "1968-11-20"}
    )
    assert [p.family_name for p in clinic.patients.search("王")] == ["王"]


def test_empty_search_lists_everyone_sorted_by_name_in_sql_with_limit(clinic):
    for family in ("Évora", "adams", "Zhou", "Brown"):
        clinic.patients.register(
            {"given_names": "A", "family_name": family, "date_of_birth": "1990-01-01"},
            allow_duplicate=True,
        )
    names = [p.family_name for p in clinic.patients.search()]
    assert names == ["adams", "Brown", "Évora", "Zhou"]
    assert [p.family_name for p in clinic.patients.search(limit=2, offset=1)] == ["Brown", "Évora"]
    assert clinic.patients.search(sort="name", descending=True)[0].family_name == "Zhou"
    assert clinic.patients.search(sort="record_number")[0].family_name == "Évora"


def test_archived_patients_are_hidden_unless_asked_and_never_deleted(clinic):
    patient = clinic.patients.register(ZOE)
    clinic.patients.set_archived(patient.id, True, reason="moved away")
    assert clinic.patients.search("zoe") == []
    assert [p.id for p in clinic.patients.search("zoe", include_archived=True)] == [patient.id]
    assert _count(clinic, Patient) == 1
    clinic.patients.set_archived(patient.id, False)
    assert clinic.patients.search("zoe")


def test_same_names_and_birth_date_are_reported_not_silently_duplicated(clinic):
    clinic.patients.register(ZOE)
    with pytest.raises(DuplicatePatient) as caught:
        clinic.patients.register({**ZOE, "given_names": "ZOE", "family_name": "lukasiewicz"})
    assert caught.value.matches == ["000001"]
    assert _count(clinic, Patient) == 1
    clinic.patients.register(ZOE, allow_duplicate=True)
    assert _count(clinic, Patient) == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"given_names": ""}, "given_names", "required"),
        ({"family_name": "   "}, "family_name", "required"),
        ({"date_of_birth": None}, "date_of_birth", "required"),
        ({"date_of_birth": "2027-01-01"}, "date_of_birth", "future"),
        ({"date_of_birth": "14 March"}, "date_of_birth", "YYYY-MM-DD"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth", "implausibly early"),
        ({"date_of_birth": "1890-01-01"}, "date_of_birth", "130 years"),
        ({"sex": "x"}, "sex", "one of"),
        ({"email": "not-an-address"}, "email", "e-mail"),
        ({"phone": "call me"}, "phone", "telephone"),
        ({"shoe_size": 9}, "shoe_size", "not a field"),
        ({"given_names": "x" * 201}, "given_names", "too long"),
        # PostgreSQL cannot store a NUL: refused plainly on both databases.
        ({"address": "1 Main St\x00"}, "address", "NUL character"),
    ],
)
def test_registration_validation_names_the_field_and_writes_nothing(clinic, change, field, message):
    audited_before = _count(clinic, AuditEvent)
    with pytest.raises(ValidationError) as caught:
        clinic.patients.register({**ZOE, **change})
    assert message in caught.value.errors[field]
    assert _count(clinic, Patient) == 0
    assert _count(clinic, AuditEvent) == audited_before


def test_every_problem_is_reported_at_once(clinic):
    with pytest.raises(ValidationError) as caught:
        clinic.patients.register({"given_names": "", "family_name": "", "date_of_birth": "x"})
    assert set(caught.value.errors) == {"given_names", "family_name", "date_of_birth"}


def test_update_records_old_and_new_values_and_refreshes_search(clinic):
    patient = clinic.patients.register(ZOE)
    updated = clinic.patients.update(patient.id, {"family_name": "Kowalska", "phone": "0123 456"})
    assert updated.family_name == "Kowalska"
    assert clinic.patients.search("kowal")
    assert clinic.patients.search("lukas") == []
    with clinic.db.read() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
        stored = session.get(Patient, patient.id)
        assert stored.family_key == fold("Kowalska")
        assert stored.updated_by_id == clinic.actor.id
    assert audit.details["before"]["family_name"] == "Łukasiewicz"
    assert audit.details["after"]["family_name"] == "Kowalska"


def test_update_into_a_duplicate_is_reported(clinic):
    clinic.patients.register(ZOE)
    other = clinic.patients.register(
        {"given_names": "Zoë", "family_name": "Other", "date_of_birth": "1972-03-14"}
    )
    with pytest.raises(DuplicatePatient):
        clinic.patients.update(other.id, {"family_name": "Łukasiewicz"})


def test_lookup_by_record_number_and_unknown_numbers(clinic):
    patient = clinic.patients.register(ZOE)
    assert clinic.patients.get_by_record_number("000001").id == patient.id
    with pytest.raises(NotFound, match="000404"):
        clinic.patients.get_by_record_number("000404")
    with pytest.raises(NotFound):
        clinic.patients.get(404)


def test_reception_registers_patients_but_cannot_read_clinical_records(users):
    reception = users["reception"]
    patient = reception.patients.register(ZOE)
    assert reception.patients.search("zoe")
    episode = users["clinician"].episodes.create(patient.id, {"side": "left"})
    with pytest.raises(PermissionDenied):
        reception.episodes.list_for_patient(patient.id)
    with pytest.raises(PermissionDenied):
        reception.timeline.entries(episode.id)
    with pytest.raises(PermissionDenied):
        reception.timeline.add(episode.id, "note", {"date": "2026-11-01", "text": "x"})


def test_patients_registered_before_release_0014_are_found_by_any_part_after_it(clinic):
    patient = clinic.patients.register(
        {
            "given_names": "Siobhán",
            "family_name": "O'Brien",
            "date_of_birth": "1980-05-01",
            "phone": "07700 900123",
        }
    )
    # The tokens as release 0013 left them: only the words of the names.
    run_sql(clinic, "DELETE FROM patient_name_token")
    run_sql(
        clinic,
        "INSERT INTO patient_name_token (patient_id, token) VALUES "
        f"({patient.id}, 'siobhan'), ({patient.id}, 'o'), ({patient.id}, 'brien')",
    )
    downgrade_to(clinic, "0014")  # what came after 0014, undone
    run_sql(clinic, "UPDATE alembic_version SET version_num = '0013'")
    assert clinic.patients.search("obrien") == []
    upgraded = reopen_clinic(location_of(clinic))
    try:
        for query in ("obrien", "bhan", "7700 900", "o'b"):
            assert [p.id for p in upgraded.patients.search(query)] == [patient.id], query
    finally:
        upgraded.close()


def test_the_count_and_first_page_come_in_one_audited_read(clinic):
    for number in range(12):
        clinic.patients.register(
            {
                "given_names": "Anna",
                "family_name": f"Smith {number:02}",
                "date_of_birth": "1980-05-01",
            }
        )
    with clinic.db.read() as session:
        searches_before = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "patient.search")
        )
    count, page = clinic.patients.search_counted("mith", limit=5, count_up_to=10)
    assert count == 10  # counted no further than asked
    assert [p.family_name for p in page] == [f"Smith {n:02}" for n in range(5)]
    assert clinic.patients.search_counted("smith")[0] == 12  # no limit: counted to the end
    assert clinic.patients.search_counted("nobody") == (0, [])
    with clinic.db.read() as session:
        searches = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "patient.search")
        )
    assert searches == searches_before + 3
