"""Giving an agent or a medicine that matches a recorded allergy asks why, and keeps the answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sijdesk.errors import ValidationError
from sijdesk.services.allergies import AllergyStatus, matching_allergies
from sijdesk.services.timeline import ALLERGY_CONFIRMATION
from tests.conftest import TODAY

LIDOCAINE = {"substance": "local_anaesthetic", "substance_text": "lidocaine", "kind": "allergy"}
INJECTION = {
    "date": TODAY,
    "purpose": "diagnostic",
    "side": "right",
    "agent": "Bupivacaine 0.5% 2 ml + triamcinolone 40 mg",
}


@pytest.fixture
def allergic(clinic, patient_with_episode):
    patient, episode = patient_with_episode
    clinic.allergies.record(patient.id, LIDOCAINE)
    return patient, episode


def test_the_words_of_each_group_match_and_others_do_not(clinic, allergic):
    patient, _ = allergic
    clinic.allergies.record(patient.id, {"substance": "nsaid", "kind": "intolerance"})
    clinic.allergies.record(
        patient.id, {"substance": "other", "substance_text": "Elastoplast", "kind": "allergy"}
    )
    status = clinic.allergies.status(patient.id)
    names = lambda text: sorted(a.substance for a in matching_allergies(status, text))  # noqa: E731
    assert names("LIGNOCAINE 1%") == ["local_anaesthetic"]
    assert names("nsaid Naproxen 500 mg") == ["nsaid"]
    assert names("elastoplast dressing") == ["other"]
    assert names("paracetamol 1 g") == []
    assert names("") == []
    assert matching_allergies(AllergyStatus(patient.id, "not_recorded"), "lidocaine") == []


def test_a_matching_agent_is_refused_without_a_reason(clinic, allergic):
    _, episode = allergic
    with pytest.raises(ValidationError) as refused:
        clinic.timeline.add(episode.id, "injection", INJECTION)
    message = refused.value.errors[ALLERGY_CONFIRMATION]
    assert "Local anaesthetic (lidocaine)" in message
    assert clinic.timeline.entries(episode.id, kinds=["injection"]) == []


def test_with_a_reason_it_is_recorded_and_the_reason_kept_through_amendments(clinic, allergic):
    _, episode = allergic
    reason = "Reaction was to lidocaine only; bupivacaine tolerated in 2024"
    entry = clinic.timeline.add(episode.id, "injection", INJECTION, allergy_confirmation=reason)
    assert entry.allergy_confirmation == reason
    amended = clinic.timeline.amend(entry.id, {**INJECTION, "pain_before": 7}, "pain score")
    assert amended.allergy_confirmation == reason
    # A medicine with nothing to match needs no reason and keeps none.
    course = clinic.timeline.add(
        episode.id,
        "medication",
        {"date": TODAY - timedelta(days=1), "category": "analgesic", "name": "paracetamol"},
    )
    assert course.allergy_confirmation is None


def test_a_medication_matches_by_its_category(clinic, patient_with_episode):
    patient, episode = patient_with_episode
    clinic.allergies.record(patient.id, {"substance": "nsaid", "kind": "allergy"})
    data = {"date": TODAY, "category": "nsaid", "name": "Generic anti-inflammatory"}
    with pytest.raises(ValidationError) as refused:
        clinic.timeline.add(episode.id, "medication", data)
    assert "NSAID" in refused.value.errors[ALLERGY_CONFIRMATION]


def test_the_injection_form_asks_and_saves_with_the_answer(ui, clinic, allergic, messages):
    patient, _ = allergic
    ui.open_patient(patient.id)
    dialog = ui.view.record("injection")
    assert (
        "Local anaesthetic (lidocaine)"
        in dialog.findChild(type(dialog.status), "formAllergies").text()
    )
    dialog.fields["purpose"].set_value("diagnostic")
    dialog.fields["side"].set_value("right")
    dialog.fields["agent"].setText("Lidocaine 1% 3 ml")
    messages.texts.append("Skin test negative on 2026-11-20; anaesthetist agrees")
    saved = ui.save(dialog)
    assert saved is not None
    assert saved.allergy_confirmation == "Skin test negative on 2026-11-20; anaesthetist agrees"
    (question,) = [s for s in messages.shown if s[0] == "ask_text"]
    assert "matches a recorded allergy" in question[2]


def test_cancelling_the_question_keeps_the_form_and_saves_nothing(ui, clinic, allergic, messages):
    patient, episode = allergic
    ui.open_patient(patient.id)
    dialog = ui.view.record("injection")
    dialog.fields["purpose"].set_value("diagnostic")
    dialog.fields["side"].set_value("right")
    dialog.fields["agent"].setText("lidocaine")
    assert ui.save(dialog) is None
    assert dialog.isVisible()
    assert "matches a recorded allergy" in dialog.status.text()
    assert clinic.timeline.entries(episode.id, kinds=["injection"]) == []
