"""Letters reach a named person: the contact, the copy to the GP, the urgency."""

from __future__ import annotations

import pytest

from sijdesk.errors import ValidationError
from sijdesk.reports import letters
from sijdesk.services.contacts import LETTER_ROLES
from tests.documents.pdfcheck import pdf_text
from tests.signin import database_option, run_sijdesk

GP = {
    "name": "Dr Harriet Mensah",
    "role": "gp",
    "practice": "Riverside Medical Centre",
    "address": "2 Station Road\nRiverside RV1 2AB",
}


def _words(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).split())


@pytest.fixture
def patient_episode(demo):
    patient = demo.patients.get_by_record_number("000005")
    episode = demo.episodes.list_for_patient(patient.id)[0]
    return patient, episode.id


def _contact_for(demo, kind: str):
    role = LETTER_ROLES[kind] or "other"
    return demo.contacts.create(
        {
            "name": f"Dr {kind.title().replace('_', ' ')} Lead",
            "role": role,
            "practice": f"{kind} service",
            "address": "1 Hospital Road\nRiverside RV3 1AA",
        }
    )


def test_without_contacts_a_letter_keeps_its_generic_addressee(demo, docs, patient_episode):
    patient, episode_id = patient_episode
    demo.contacts.set_letter_default("injection_clinic", None)
    demo.patients.update(patient.id, {"gp_contact_id": None})
    text = _words(docs.preview_letter(episode_id, "injection_clinic").pdf)
    assert "To: The SIJ Injection Clinic" in text
    assert "Dear colleague," in text
    assert "Urgency: routine" in text
    assert "Copy to" not in text


def test_every_kind_goes_to_its_default_contact_with_a_copy_to_the_gp(demo, docs, patient_episode):
    patient, episode_id = patient_episode
    gp = demo.contacts.create(GP)
    demo.patients.update(patient.id, {"gp_contact_id": gp.id})
    for kind in letters.LETTER_KINDS:
        contact = _contact_for(demo, kind)
        demo.contacts.set_letter_default(kind, contact.id)
        text = _words(docs.preview_letter(episode_id, kind).pdf)
        assert f"To: {contact.name} {kind} service 1 Hospital Road Riverside RV3 1AA" in text, kind
        assert f"Dear {contact.name}," in text
        assert (
            "Copy to: Dr Harriet Mensah, Riverside Medical Centre (the patient's family doctor)"
            in text
        )
        draft = docs.letter_draft(episode_id, kind)
        assert draft.to_contact_id == contact.id
        assert f"To: {contact.name}, {kind} service" in draft.text
    urgent = _words(docs.preview_letter(episode_id, "urgent").pdf)
    assert "Urgency: URGENT" in urgent


def test_the_clinician_chooses_the_contact_the_urgency_and_the_copy(demo, docs, patient_episode):
    patient, episode_id = patient_episode
    gp = demo.contacts.create(GP)
    demo.patients.update(patient.id, {"gp_contact_id": gp.id})
    default = _contact_for(demo, "spine_surgeon")
    demo.contacts.set_letter_default("spine_surgeon", default.id)
    chosen = demo.contacts.create({"name": "Ms Ana Souza", "role": "spine_surgeon"})
    made = docs.create_letter(
        episode_id, "spine_surgeon", to_contact_id=chosen.id, urgency="soon", copy_to_gp=False
    )
    text = _words(made.pdf)
    assert "To: Ms Ana Souza" in text and default.name not in text
    assert "Urgency: SOON" in text
    assert "Copy to" not in text
    stored = docs.list_documents(episode_id=episode_id)[0]
    assert stored.event_id == made.stored.event_id
    # Typed words instead of a contact still work, and win over the default.
    typed = _words(docs.preview_letter(episode_id, "spine_surgeon", recipient="Mr A Surgeon").pdf)
    assert "To: Mr A Surgeon" in typed and "Dear colleague," in typed


def test_a_wrong_urgency_or_a_retired_contact_is_refused(demo, docs, patient_episode):
    _patient, episode_id = patient_episode
    with pytest.raises(ValidationError) as urgency:
        docs.preview_letter(episode_id, "physiotherapy", urgency="tomorrow")
    assert "urgency" in urgency.value.errors
    retired = demo.contacts.create({"name": "Dr Gone", "role": "physiotherapist"})
    demo.contacts.set_active(retired.id, False)
    with pytest.raises(ValidationError) as gone:
        docs.preview_letter(episode_id, "physiotherapy", to_contact_id=retired.id)
    assert "retired" in gone.value.errors["to"]


def test_a_default_contact_must_fit_the_kind_of_letter(demo):
    gp = demo.contacts.create(GP)
    with pytest.raises(ValidationError) as wrong:
        demo.contacts.set_letter_default("spine_surgeon", gp.id)
    assert "spine surgeon" in wrong.value.errors["contact"]
    assert demo.contacts.set_letter_default("urgent", gp.id)["urgent"].id == gp.id
    assert "urgent" not in demo.contacts.set_letter_default("urgent", None)


def test_the_command_line_addresses_the_letter(demo, patient_episode, tmp_path):
    from sijdesk.demo import DEMO_PASSWORD

    patient, _episode_id = patient_episode
    gp = demo.contacts.create(GP)
    demo.patients.update(patient.id, {"gp_contact_id": gp.id})
    surgeon = demo.contacts.create({"name": "Ms Ana Souza", "role": "spine_surgeon"})
    out = tmp_path / "letter.pdf"
    made = run_sijdesk(
        "letter",
        "spine_surgeon",
        "--patient",
        patient.record_number,
        "--to",
        str(surgeon.id),
        "--urgency",
        "urgent",
        "--no-copy-to-gp",
        "-o",
        str(out),
        *database_option(demo),
        password=DEMO_PASSWORD,
    )
    assert made.returncode == 0, made.stderr
    text = _words(out.read_bytes())
    assert "To: Ms Ana Souza" in text and "Urgency: URGENT" in text and "Copy to" not in text
