"""The patient's care plan: plain language, large print, chart, review date."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from tests.documents.conftest import TODAY, find_episode
from tests.documents.history import LONG_FAMILY, build_long_history
from tests.documents.pdfcheck import font_problems, pdf_pages, pdf_text, placeholders_in


@pytest.mark.parametrize(
    "referral", ["physiotherapy", "injection_clinic", "urgent", "rheumatology", None]
)
def test_care_plan_for_each_situation_is_complete_and_plain(demo, docs, referral):
    episode_id = find_episode(demo, referral=referral, closed=referral is None)
    made = docs.create_care_plan(episode_id)
    pages = pdf_pages(made.pdf)
    draft = docs.care_plan_draft(episode_id)
    for page in pages:
        assert draft.patient.display_name in page
        assert draft.patient.record_number in page
        assert draft.patient.date_of_birth.isoformat() in page
    text = " ".join(pages)
    for heading in (
        "Where you are now",
        "What each step involves",
        "Your home programme",
        "Medicines: a supporting role",
        "Your goals",
        "How things have changed",
        "Your next review",
    ):
        assert heading in text
    assert draft.options.review_date.isoformat() in text
    assert f"version {draft.pathway_version}" in text
    assert placeholders_in(text) == []
    assert font_problems(made.pdf) == []


def test_where_you_are_names_the_step_and_why(demo, docs):
    text = pdf_text(docs.create_care_plan(find_episode(demo, referral="injection_clinic")).pdf)
    assert "YOU ARE HERE" in text
    assert "has not helped enough" in text
    assert "injection into the joint" in text
    urgent = pdf_text(docs.create_care_plan(find_episode(demo, referral="urgent")).pdf)
    assert "urgent appointment" in urgent


def test_belt_guidance_follows_the_advised_components(demo, docs):
    for patient in demo.patients.search(sort="record_number", limit=12):
        for episode in demo.episodes.list_for_patient(patient.id):
            advice = demo.pathway.episode_advice(episode.id).advice
            if advice and any(c.id == "manual_therapy_support" for c in advice.components):
                text = pdf_text(docs.create_care_plan(episode.id).pdf)
                assert "Using your belt" in text
                assert "below the bony tops of your hips" in text
                return
    pytest.fail("no demo episode advises manual therapy support")


def test_goals_and_review_date_can_be_chosen(demo, docs):
    episode_id = find_episode(demo, referral="physiotherapy")
    review = TODAY + timedelta(days=17)
    made = docs.create_care_plan(
        episode_id,
        goals=["Carry my granddaughter up the stairs", "Sit through a two-hour film"],
        review_date=review,
    )
    text = pdf_text(made.pdf)
    assert "Carry my granddaughter up the stairs" in text
    assert "Sit through a two-hour film" in text
    assert review.isoformat() in text
    assert made.info.parameters["review_date"] == review.isoformat()


def test_a_past_review_date_is_refused(demo, docs):
    from sijdesk.errors import ValidationError

    with pytest.raises(ValidationError):
        docs.create_care_plan(
            find_episode(demo, referral="physiotherapy"), review_date=date(2020, 1, 1)
        )


def test_large_print_uses_bigger_text_and_more_pages(demo, docs):
    episode_id = find_episode(demo, referral="injection_clinic")
    normal = docs.create_care_plan(episode_id)
    large = docs.create_care_plan(episode_id, large_print=True)
    assert len(PdfReader(io.BytesIO(large.pdf)).pages) > len(
        PdfReader(io.BytesIO(normal.pdf)).pages
    )
    assert "large print" in large.title
    assert b"/F2+0 15 Tf" in _content_streams(large.pdf) or b" 15 Tf" in _content_streams(large.pdf)


def _content_streams(pdf: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    return b"".join(page.get_contents().get_data() for page in reader.pages)


def test_long_history_breaks_across_pages_with_identifiers_on_each(demo):

    patient_id, episode_id = build_long_history(demo, events=200)
    acting = demo.as_user("clin.long")
    docs = acting.documents
    letter = docs.create_letter(episode_id, "spine_surgeon")
    pages = pdf_pages(letter.pdf)
    assert len(pages) >= 4
    for page in pages:
        assert LONG_FAMILY.upper() in page  # the whole name, never cut short
        assert len(page.split()) > 45, "a page with nothing but its header and footer"
    text = " ".join(pages)
    assert "Apartment 1204" in text
    assert placeholders_in(text) == []
    plan = docs.create_care_plan(episode_id, large_print=True)
    assert placeholders_in(pdf_text(plan.pdf)) == []
