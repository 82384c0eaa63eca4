"""DocumentService: recording, reopening, permissions, handout history, letterhead."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from sijdesk.errors import PermissionDenied, ValidationError
from sijdesk.models import AuditEvent
from tests.documents.conftest import TODAY, documents_for, find_episode
from tests.documents.pdfcheck import pdf_text


def _png(width=120, height=40, colour=(20, 40, 160)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def test_a_letter_is_recorded_on_the_timeline_with_hash_and_pdf(demo, docs):
    episode_id = find_episode(demo, referral="injection_clinic")
    made = docs.create_letter(episode_id, "injection_clinic")
    assert made.info is not None
    assert made.sha256 == hashlib.sha256(made.pdf).hexdigest()
    entries = demo.timeline.entries(episode_id, kinds=["document"])
    assert entries[0].id == made.info.event_id
    assert entries[0].record.document_kind == "letter.injection_clinic"
    assert entries[0].record.sha256 == made.sha256
    assert entries[0].created_by == "Dr Adaeze Okafor"
    assert entries[0].summary == f"{made.title} (PDF)"
    params = made.info.parameters
    assert params["kind"] == "injection_clinic"
    assert params["question"] and params["reason"]
    assert params["pathway_version"] == made.info.parameters["advice"]["pathway_version"]
    assert params["as_of"] == TODAY.isoformat()


def test_a_recorded_document_reopens_byte_for_byte_and_prints_are_audited(demo, docs):
    episode_id = find_episode(demo, referral="physiotherapy")
    made = docs.create_care_plan(episode_id)
    again = docs.open_document(made.info.event_id)
    assert again.pdf == made.pdf
    assert again.sha256 == made.sha256
    docs.record_print(made.info.event_id)
    with demo.db.read() as session:
        actions = [a.action for a in session.query(AuditEvent).filter_by(entity="document")]
    assert "print" in actions
    listed = docs.list_documents(episode_id=episode_id)
    assert listed[0].event_id == made.info.event_id


def test_preview_records_nothing(demo, docs):
    episode_id = find_episode(demo, referral="physiotherapy")
    before = len(demo.timeline.entries(episode_id))
    preview = docs.preview_letter(episode_id, "physiotherapy")
    docs.preview_care_plan(episode_id)
    assert preview.info is None
    assert preview.pdf.startswith(b"%PDF")
    assert len(demo.timeline.entries(episode_id)) == before


def test_reception_cannot_write_letters_or_read_them_but_reprints_the_care_plan(demo, docs):
    episode_id = find_episode(demo, referral="injection_clinic")
    patient_id = demo.episodes.get(episode_id).patient_id
    letter = docs.create_letter(episode_id, "injection_clinic")
    plan = docs.create_care_plan(episode_id)
    reception = documents_for(demo, "reception.haddad")
    with pytest.raises(PermissionDenied):
        reception.create_letter(episode_id, "urgent")
    with pytest.raises(PermissionDenied):
        reception.create_care_plan(episode_id)
    with pytest.raises(PermissionDenied):
        reception.open_document(letter.info.event_id)
    kinds = {d.document_kind for d in reception.list_documents(patient_id=patient_id)}
    assert kinds == {"care_plan"}
    latest = reception.latest_care_plan(patient_id)
    assert latest.pdf == plan.pdf


def test_handout_for_a_patient_is_recorded_with_version_person_and_time(demo):
    reception = documents_for(demo, "reception.haddad")
    patient = demo.patients.get_by_record_number("000002")
    made, printed = reception.print_handout("sij-belt", patient.id)
    assert printed.version == "2.0"
    assert printed.record_number == "000002"
    assert printed.printed_by == "Rania Haddad"
    history = reception.handout_history(patient.id)
    assert [(h.handout, h.version, h.record_number) for h in history] == [
        ("sij-belt", "2.0", "000002")
    ]
    assert "NGUYỄN, François" in pdf_text(made.pdf)
    # and a document event on the patient's latest episode
    episode = demo.episodes.list_for_patient(patient.id)[0]
    events = demo.timeline.entries(episode.id, kinds=["document"])
    assert events[0].record.document_kind == "handout"
    assert events[0].record.parameters["version"] == "2.0"


def test_blank_handouts_are_counted_without_a_patient(demo):
    reception = documents_for(demo, "reception.haddad")
    made, printed = reception.print_handout("medication-safety")
    assert printed.patient_id is None
    assert reception.handout_history()[0].handout == "medication-safety"
    assert "Name:" in pdf_text(made.pdf)


def test_unknown_handout_is_a_validation_error(demo, docs):
    with pytest.raises(ValidationError):
        docs.render_handout("no-such-handout")


def test_letterhead_update_is_audited_and_printed_with_logo_and_signature(demo, docs):
    admin = documents_for(demo, "admin")
    admin.update_letterhead(
        {
            "clinic_name": "Riverside Pelvis & Spine Clinic — Łódź Annexe",
            "address": "14 Mill Lane\nRiverside RV2 4QT",
            "phone": "+44 1632 960 418",
            "logo_png": _png(),
            "page_size": "Letter",
        }
    )
    docs.update_letterhead(
        {"signer_credentials": "MB BS, FRCP, MSc", "signature_png": _png(200, 60, (0, 0, 0))}
    )
    settings = docs.letterhead()
    assert settings.signer_credentials == "MB BS, FRCP, MSc"
    assert settings.signature_png is not None
    made = docs.create_letter(find_episode(demo, referral="physiotherapy"), "physiotherapy")
    text = pdf_text(made.pdf)
    assert "Łódź Annexe" in text
    assert "MB BS, FRCP, MSc" in text
    reader = PdfReader(io.BytesIO(made.pdf))
    assert round(float(reader.pages[0].mediabox.width)) == 612
    images = [
        name
        for page in reader.pages
        for name, obj in (page["/Resources"].get("/XObject") or {}).items()
        if obj.get_object()["/Subtype"] == "/Image"
    ]
    assert len(images) >= 2  # logo and signature
    with demo.db.read() as session:
        rows = session.query(AuditEvent).filter_by(action="update").all()
    entities = {r.entity for r in rows}
    assert {"clinic_settings", "user"} <= entities
    logo_row = next(r for r in rows if r.entity == "clinic_settings" and "logo_png" in r.summary)
    assert "image_sha256" in logo_row.details["after"]["logo_png"]


def test_only_admins_change_the_clinic_letterhead_and_images_are_checked(demo, docs):
    with pytest.raises(PermissionDenied):
        docs.update_letterhead({"clinic_name": "Mine now"})
    admin = documents_for(demo, "admin")
    with pytest.raises(ValidationError) as error:
        admin.update_letterhead({"logo_png": b"not an image"})
    assert "logo_png" in error.value.errors
    with pytest.raises(ValidationError):
        admin.update_letterhead({"page_size": "A5"})
    with pytest.raises(ValidationError):
        admin.update_letterhead({"favourite_colour": "blue"})
    reception = documents_for(demo, "reception.haddad")
    with pytest.raises(PermissionDenied):
        reception.update_letterhead({"signer_name": "Rania"})


def test_empty_letterhead_is_reported_for_the_first_run_prompt(tmp_path):
    from tests.signin import new_clinic

    clinic = new_clinic(tmp_path / "new.sqlite3", clock=lambda: TODAY)
    try:
        docs = clinic.documents
        assert docs.letterhead().is_empty
        docs.update_letterhead({"clinic_name": "New Clinic"})
        assert not docs.letterhead().is_empty
    finally:
        clinic.close()


def test_there_is_a_letter_for_every_referral_the_pathway_can_advise():
    from sijdesk.pathway.vocab import LETTER_KINDS, REFERRALS
    from sijdesk.reports import letters, styles
    from sijdesk.services import documents

    assert sorted(LETTER_KINDS) == sorted(REFERRALS)
    for kind in LETTER_KINDS:
        assert letters.KIND_NAMES[kind] and letters.DEFAULT_RECIPIENTS[kind]
        assert letters.KIND_CRITERIA[kind]
    assert documents.PAGE_SIZES == tuple(styles.PAGE_SIZES)
