"""HL7 FHIR R4 exchange: `sijdesk export --fhir` and `sijdesk import --fhir`.

A clinic exported and imported into an empty database is the same clinic
(every patient, allergy, episode and current event); a bundle that is not
valid FHIR, or carries a value SIJ Desk would refuse from a form, writes
nothing and says why."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sijdesk.demo import DEMO_PASSWORD
from sijdesk.errors import NotFound, PermissionDenied, ValidationError
from sijdesk.kinds import KINDS, RECORDABLE_KINDS
from sijdesk.models import AuditEvent, Patient
from sijdesk.services import fhir_bundle as fb
from sijdesk.services.audit import AuditFilter
from tests.conftest import TODAY
from tests.signin import add_user, copy_clinic, new_clinic, reopen_clinic, run_sijdesk


def _bundle(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _count(clinic, model) -> int:
    with clinic.db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def rich_clinic(clinic):
    """One patient with a record of every kind: allergies, two episodes (one closed),
    an event of every recordable kind, an amended and a removed event, a pathway
    decision and a referral letter."""
    patient = clinic.patients.register(
        {
            "given_names": "Zoë Ann",
            "family_name": "O'Brien-Łukasiewicz",
            "date_of_birth": "1971-02-03",
            "sex": "female",
            "phone": "+44 7700 900123",
            "email": "zoe@example.org",
            "address": "Flat 3\n27 Wiśniowa Court",
            "referring_practitioner": "Dr Old Referrer",
        }
    )
    clinic.allergies.record(
        patient.id, {"substance": "latex", "kind": "allergy", "reaction": "hives"}
    )
    clinic.allergies.record(
        patient.id,
        {"substance": "other", "substance_text": "plasters", "kind": "intolerance"},
    )
    episode = clinic.episodes.create(
        patient.id, {"side": "left", "onset_date": "2026-06-01", "title": "Left SIJ pain"}
    )
    day = TODAY - timedelta(days=60)
    for step, kind in enumerate(RECORDABLE_KINDS):
        data = {"date": day + timedelta(days=step), **KINDS[kind].example}
        if kind == "procedure":  # surgery closes the pathway: decide before it
            advice = clinic.pathway.episode_advice(episode.id).advice
            clinic.pathway.record_decision(episode.id, advice, accepted=True)
        clinic.timeline.add(episode.id, kind, data)
    note = clinic.timeline.add(episode.id, "note", {"date": TODAY, "text": "first words"})
    clinic.timeline.amend(note.id, {"date": TODAY, "text": "second words"}, "typo")
    gone = clinic.timeline.add(episode.id, "note", {"date": TODAY, "text": "wrong patient"})
    clinic.timeline.remove(gone.id, "wrong patient")
    clinic.documents.create_letter(episode.id, "physiotherapy")
    old = clinic.episodes.create(patient.id, {"side": "right", "onset_date": "2025-01-05"})
    clinic.timeline.add(old.id, "outcome", {"date": "2025-01-05", "nrs": 4})
    clinic.episodes.close(old.id, "settled", closed_on=TODAY - timedelta(days=200))
    second = clinic.patients.register(
        {"given_names": "Arjun", "family_name": "Davies", "date_of_birth": "1962-03-10"}
    )
    clinic.allergies.record_none_known(second.id)
    clinic.patients.set_archived(second.id, True, reason="moved away")
    return clinic


def _as_read(path) -> fb.ReadBundle:
    return fb.read_bundle(_bundle(path))


def test_a_clinic_exported_and_imported_into_an_empty_database_is_the_same(rich_clinic, tmp_path):
    out = tmp_path / "clinic.json"
    assert rich_clinic.exchange.export_fhir(out) == 2
    target = new_clinic(tmp_path / "target.sqlite3", clock=lambda: TODAY)
    report = target.exchange.import_fhir(out)
    assert report.problems == ()
    assert report.imported == ("000001", "000002")  # the numbers were free: kept
    again = tmp_path / "again.json"
    target.exchange.export_fhir(again)
    first, second = _as_read(out), _as_read(again)
    assert second == first
    patient = first.patients[0]
    kinds = [e.kind for e in patient.episodes[0].events]
    assert set(kinds) == {*RECORDABLE_KINDS, "decision", "document"}
    notes = [e.values["text"] for e in patient.episodes[0].events if e.kind == "note"]
    # The amended note's current version; the removed one stays out.
    assert notes == [KINDS["note"].example["text"], "second words"]
    assert [a.substance for a in patient.allergies] == ["latex", "other"]
    assert first.patients[1].archived and first.patients[1].allergies[0].substance == "none_known"
    # The letter's PDF itself came across, byte for byte.
    here = rich_clinic.patients.get_by_record_number("000001")
    there = target.patients.get_by_record_number("000001")
    [letter_info] = rich_clinic.documents.list_documents(patient_id=here.id)
    [moved_info] = target.documents.list_documents(patient_id=there.id)
    letter = rich_clinic.documents.open_document(letter_info.event_id)
    moved = target.documents.open_document(moved_info.event_id)
    assert moved.pdf == letter.pdf and moved_info.sha256 == letter_info.sha256
    assert moved_info.created_at == letter_info.created_at
    # The window's view of the record matches too.
    assert there.family_name == "O'Brien-Łukasiewicz" and there.address.endswith("Court")
    episodes = target.episodes.list_for_patient(there.id)
    assert sorted(e.status for e in episodes) == ["closed", "open"]
    target.close()


def test_the_demo_clinic_round_trips(demo_db, tmp_path):
    path = tmp_path / "demo.sqlite3"
    copy_clinic(demo_db, path)
    source = reopen_clinic(path, password=DEMO_PASSWORD, clock=lambda: TODAY)
    out = tmp_path / "demo.json"
    assert source.exchange.export_fhir(out) == 60
    target = new_clinic(tmp_path / "target.sqlite3", clock=lambda: TODAY)
    report = target.exchange.import_fhir(out)
    assert report.problems == () and len(report.imported) == 60
    again = tmp_path / "again.json"
    target.exchange.export_fhir(again)
    assert _as_read(again) == _as_read(out)
    assert target.audit.verify().ok
    source.close()
    target.close()


def test_the_bundle_is_r4_json_whose_references_all_resolve(rich_clinic, tmp_path):
    out = tmp_path / "clinic.json"
    rich_clinic.exchange.export_fhir(out)
    data = _bundle(out)
    Bundle.model_validate(data)  # fhir.resources' R4B models, which are R4 for these types
    by_type: dict[str, list[dict]] = {}
    for entry in data["entry"]:
        assert entry["fullUrl"].startswith("urn:uuid:")
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    assert set(by_type) >= {
        "Patient",
        "AllergyIntolerance",
        "EpisodeOfCare",
        "Observation",
        "Procedure",
        "MedicationStatement",
        "ServiceRequest",
        "DiagnosticReport",
        "GuidanceResponse",
        "DocumentReference",
    }
    # R4 element names, which R5 renamed.
    medication = by_type["MedicationStatement"][0]
    assert "medicationCodeableConcept" in medication and "medication" not in medication
    procedures = by_type["Procedure"]
    assert all("performedDateTime" in p and "occurrenceDateTime" not in p for p in procedures)
    codes = {
        c["code"]
        for o in by_type["Observation"]
        for c in o["code"].get("coding", [])
        if c["system"] == "http://loinc.org"
    }
    assert codes >= {"72514-3", "97909-6"}
    nrs = next(
        o
        for o in by_type["Observation"]
        if o["code"].get("coding", [{}])[0].get("code") == "72514-3"
    )
    assert isinstance(nrs["valueInteger"], int)
    urls = {entry["fullUrl"] for entry in data["entry"]}
    references = [ref for _index, ref in fb._references(data["entry"])]
    assert references and set(references) <= urls
    referral = [s for s in by_type["ServiceRequest"] if s["code"]["text"].startswith("Referral")]
    assert referral and referral[0]["code"]["text"] == "Referral: Physiotherapy"
    pdf = next(
        d
        for d in by_type["DocumentReference"]
        if d["content"][0]["attachment"].get("contentType") == "application/pdf"
    )
    assert pdf["content"][0]["attachment"]["data"]
    text = out.read_text(encoding="utf-8")
    assert "O'Brien-Łukasiewicz" in text  # names stay readable UTF-8


def test_one_patient_is_exported_by_record_number_and_audited(rich_clinic, tmp_path):
    clinician = add_user(rich_clinic, "clin", "Dr Test Clinician", "clinician")
    out = tmp_path / "one.json"
    assert clinician.exchange.export_fhir(out, record_number="000002") == 1
    read = _as_read(out)
    assert [p.family_name for p in read.patients] == ["Davies"]
    with pytest.raises(NotFound):
        clinician.exchange.export_fhir(tmp_path / "none.json", record_number="999999")
    with pytest.raises(PermissionDenied):
        clinician.exchange.export_fhir(tmp_path / "all.json")  # everyone: administrators
    reception = add_user(rich_clinic, "recep", "Front Desk", "reception")
    with pytest.raises(PermissionDenied):
        reception.exchange.export_fhir(tmp_path / "r.json", record_number="000002")
    with pytest.raises(PermissionDenied):
        clinician.exchange.import_fhir(out)
    events = rich_clinic.audit.events(AuditFilter(action="export"))
    assert any("FHIR" in e.summary for e in events)


def _refused_and_nothing_written(clinic, path, match: str) -> None:
    before = _count(clinic, Patient)
    with pytest.raises(ValidationError) as caught:
        clinic.exchange.import_fhir(path)
    assert match in caught.value.errors["file"]
    assert _count(clinic, Patient) == before


@pytest.fixture
def exported(rich_clinic, tmp_path):
    out = tmp_path / "clinic.json"
    rich_clinic.exchange.export_fhir(out)
    return out


@pytest.fixture
def empty(tmp_path):
    target = new_clinic(tmp_path / "empty.sqlite3", clock=lambda: TODAY)
    yield target
    target.close()


def test_a_truncated_bundle_is_refused(exported, empty, tmp_path):
    cut = tmp_path / "cut.json"
    cut.write_bytes(exported.read_bytes()[: exported.stat().st_size // 2])
    _refused_and_nothing_written(empty, cut, "is not JSON")


def test_a_schema_invalid_bundle_is_refused_naming_the_entry(exported, empty, tmp_path):
    data = _bundle(exported)
    data["entry"][0]["resource"]["birthDate"] = "yesterday"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    _refused_and_nothing_written(empty, bad, "entry 1 (Patient), birthDate")


def test_a_reference_outside_the_bundle_is_refused(exported, empty, tmp_path):
    data = _bundle(exported)
    episode = next(e for e in data["entry"] if e["resource"]["resourceType"] == "EpisodeOfCare")
    episode["resource"]["patient"]["reference"] = "Patient/elsewhere"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    _refused_and_nothing_written(empty, bad, "refers to Patient/elsewhere")


def test_a_value_the_forms_refuse_stops_the_whole_import(exported, empty, tmp_path):
    data = _bundle(exported)
    for entry in data["entry"]:
        resource = entry["resource"]
        for ext in resource.get("extension", []):
            if ext["url"] == fb.RECORD_URL and '"kind": "outcome"' in ext["valueString"]:
                record = json.loads(ext["valueString"])
                record["values"]["nrs"] = 15
                ext["valueString"] = json.dumps(record)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    audited = _count(empty, AuditEvent)
    report = empty.exchange.import_fhir(bad)
    assert report.imported == () and report.problems
    assert any("outcome measures of" in p and "NRS (0-10) — must be" in p for p in report.problems)
    assert _count(empty, Patient) == 0
    assert _count(empty, AuditEvent) == audited + 1  # the check itself is audited


def test_patients_already_registered_are_named_not_doubled(rich_clinic, exported):
    report = rich_clinic.exchange.import_fhir(exported)
    assert len(report.problems) == 2
    assert "already registered here as record 000001" in report.problems[0]
    assert _count(rich_clinic, Patient) == 2


def test_a_taken_record_number_is_given_a_new_one(exported, empty):
    empty.patients.register(
        {"given_names": "Some", "family_name": "One Else", "date_of_birth": "1990-01-01"}
    )
    report = empty.exchange.import_fhir(exported)
    assert report.problems == ()
    assert report.renumbered == {"000001": "000003"}
    assert report.imported == ("000003", "000002")
    # Numbers given afterwards do not collide with the kept ones.
    later = empty.patients.register(
        {"given_names": "New", "family_name": "Comer", "date_of_birth": "1991-01-01"}
    )
    assert later.record_number == "000004"


def test_a_dry_run_checks_and_writes_nothing(exported, empty):
    report = empty.exchange.import_fhir(exported, dry_run=True)
    assert report.dry_run and report.problems == () and report.patients == 2
    assert report.events > 10
    assert _count(empty, Patient) == 0


def test_nrs_from_another_system_is_read_by_its_loinc_code(empty, tmp_path):
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001",
                "resource": {
                    "resourceType": "Patient",
                    "name": [{"family": "Other", "given": ["System"]}],
                    "birthDate": "1980-05-06",
                    "gender": "male",
                },
            },
            {
                "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000002",
                "resource": {
                    "resourceType": "EpisodeOfCare",
                    "status": "active",
                    "patient": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"},
                    "period": {"start": "2026-01-02"},
                },
            },
            {
                "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000003",
                "resource": {
                    "resourceType": "Observation",
                    "extension": [fb._episode_ext("urn:uuid:00000000-0000-4000-8000-000000000002")],
                    "status": "final",
                    "code": {"coding": [{"system": fb.LOINC, "code": "72514-3"}]},
                    "effectiveDateTime": "2026-02-03",
                    "valueInteger": 6,
                },
            },
            {
                "fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000004",
                "resource": {"resourceType": "Organization", "name": "A hospital"},
            },
        ],
    }
    path = tmp_path / "other.json"
    path.write_text(json.dumps(bundle))
    report = empty.exchange.import_fhir(path)
    assert report.problems == () and report.not_read == {"Organization": 1}
    patient = empty.patients.get(empty.patients.search("Other")[0].id)
    episode = empty.episodes.list_for_patient(patient.id)[0]
    assert episode.side == "unknown" and episode.onset_date.isoformat() == "2026-01-02"
    [entry] = empty.timeline.entries(episode.id)
    assert entry.kind == "outcome" and entry.record.nrs == 6


def _mutations():
    """Random changes to a bundle: a value replaced, an element deleted."""
    junk = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.text(max_size=12),
        st.lists(st.integers(0, 9), max_size=3),
        st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    )
    return st.lists(st.tuples(st.integers(0, 10**6), st.booleans(), junk), min_size=1, max_size=3)


def _places(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index)
            yield from _places(item, (*path, index))


def _mutate(data, where, delete, junk):
    places = list(_places(data))
    place = places[where % len(places)]
    holder = data
    for step in place[:-1]:
        holder = holder[step]
    if delete:
        del holder[place[-1]]
    else:
        holder[place[-1]] = junk


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fhir-small")
    source = new_clinic(folder / "small.sqlite3", clock=lambda: TODAY)
    patient = source.patients.register(
        {"given_names": "Ana", "family_name": "Silva", "date_of_birth": "1975-04-05"}
    )
    source.allergies.record(patient.id, {"substance": "latex", "kind": "allergy"})
    episode = source.episodes.create(patient.id, {"side": "right", "onset_date": "2026-01-01"})
    source.timeline.add(episode.id, "outcome", {"date": "2026-02-01", "nrs": 6})
    source.timeline.add(
        episode.id, "medication", {"date": "2026-02-01", **KINDS["medication"].example}
    )
    out = folder / "small.json"
    source.exchange.export_fhir(out)
    source.close()
    return json.loads(out.read_text())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=_mutations())
def test_a_mangled_bundle_imports_whole_or_not_at_all(small_bundle, tmp_path_factory, changes):
    data = json.loads(json.dumps(small_bundle))
    for where, delete, junk in changes:
        try:
            _mutate(data, where, delete, junk)
        except (KeyError, IndexError, TypeError):
            continue
    folder = tmp_path_factory.mktemp("mangled")
    path = folder / "mangled.json"
    path.write_text(json.dumps(data))
    target = new_clinic(folder / "t.sqlite3", clock=lambda: TODAY)
    try:
        report = target.exchange.import_fhir(path)
    except ValidationError as exc:
        assert exc.errors["file"]  # a plain sentence about the file
        assert _count(target, Patient) == 0
    else:
        if report.problems:
            assert _count(target, Patient) == 0
        else:
            assert _count(target, Patient) == len(report.imported)
    finally:
        target.close()


def test_the_commands_export_and_import(rich_clinic, tmp_path):
    rich_clinic.close()
    db = tmp_path / "clinic.sqlite3"
    out = tmp_path / "out.json"
    done = run_sijdesk("--db", str(db), "export", "--fhir", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "2 patients (FHIR R4 bundle)" in done.stdout
    one = run_sijdesk(
        "--db", str(db), "export", "--fhir", "--patient", "000001", "-o", str(tmp_path / "one.json")
    )
    assert one.returncode == 0 and "1 patient" in one.stdout
    target = tmp_path / "target.sqlite3"
    new_clinic(target).close()
    dry = run_sijdesk("--db", str(target), "import", "--fhir", str(out), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "2 patients" in dry.stdout and "nothing was written" in dry.stdout
    real = run_sijdesk("--db", str(target), "import", "--fhir", str(out))
    assert real.returncode == 0, real.stderr
    assert "records 000001, 000002" in real.stdout
    twice = run_sijdesk("--db", str(target), "import", "--fhir", str(out))
    assert twice.returncode == 2
    assert "already registered here" in twice.stderr and "nothing was imported" in twice.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    bad = run_sijdesk("--db", str(target), "import", "--fhir", str(broken))
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "is not JSON" in bad.stderr
