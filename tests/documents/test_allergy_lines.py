"""Every letter kind and the care plan print the patient's allergy status."""

from __future__ import annotations

from datetime import date

import pytest

from sijdesk.reports import letters
from sijdesk.reports.blocks import allergy_paragraph
from sijdesk.reports.content import AllergyNote
from sijdesk.reports.styles import stylesheet
from tests.documents.pdfcheck import pdf_text

LIDOCAINE = {
    "substance": "local_anaesthetic",
    "substance_text": "lidocaine",
    "kind": "allergy",
    "reaction": "hives",
    "severity": "severe",
    "recorded_on": "2026-11-19",
}
LIDOCAINE_DAY = date(2026, 11, 19)
EXPECTED = {
    "not_recorded": "Allergies: not recorded.",
    "none_known": "Allergies: none known (recorded 2026-11-19).",
    "listed": "Allergies: Local anaesthetic (lidocaine): allergy, severe; hives.",
}


def _set_state(clinic, patient_id: int, state: str) -> None:
    for entry in clinic.allergies.entries(patient_id):
        clinic.allergies.remove(entry.id, "reset for the test")
    if state == "none_known":
        clinic.allergies.record_none_known(patient_id, LIDOCAINE_DAY)
    elif state == "listed":
        clinic.allergies.record(patient_id, LIDOCAINE)
    assert clinic.allergies.status(patient_id).state == state


def _words(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).split())


@pytest.fixture
def fusion_ready(demo):
    """The demo patient every letter kind may be written for, and an episode."""
    patient = demo.patients.get_by_record_number("000005")
    episode = demo.episodes.list_for_patient(patient.id)[0]
    return patient.id, episode.id


@pytest.mark.parametrize("state", list(EXPECTED))
def test_every_letter_kind_and_the_care_plan_carry_the_allergy_line(
    demo, docs, fusion_ready, state
):
    patient_id, episode_id = fusion_ready
    _set_state(demo, patient_id, state)
    for kind in letters.LETTER_KINDS:
        made = docs.preview_letter(episode_id, kind)
        assert EXPECTED[state] in _words(made.pdf), kind
        assert EXPECTED[state] in docs.letter_draft(episode_id, kind).text
    plan = docs.preview_care_plan(episode_id)
    assert EXPECTED[state] in _words(plan.pdf)


def test_the_line_is_bold_unless_none_are_known():
    style = stylesheet(False).body
    assert allergy_paragraph(AllergyNote("listed", "Allergies: Latex."), style).text.startswith(
        "<b>"
    )
    assert allergy_paragraph(AllergyNote("not_recorded", "x"), style).text.startswith("<b>")
    assert not allergy_paragraph(AllergyNote("none_known", "x"), style).text.startswith("<b>")


def test_the_letter_draft_warns_before_an_injection_letter_when_nobody_asked(
    demo, docs, fusion_ready
):
    patient_id, episode_id = fusion_ready
    _set_state(demo, patient_id, "not_recorded")
    assert "not recorded" in docs.letter_draft(episode_id, "injection_clinic").allergy_note
    assert "not recorded" in docs.letter_draft(episode_id, "spine_surgeon").allergy_note
    assert docs.letter_draft(episode_id, "physiotherapy").allergy_note is None
    _set_state(demo, patient_id, "none_known")
    assert docs.letter_draft(episode_id, "injection_clinic").allergy_note is None
