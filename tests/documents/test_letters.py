"""Referral letters from the demo clinic, read back with pypdf."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from sijdesk.reports import letters
from tests.documents.conftest import find_episode
from tests.documents.pdfcheck import font_problems, pdf_pages, pdf_text, placeholders_in

KINDS = letters.LETTER_KINDS


def _identifiers(docs, episode_id):
    draft = docs.letter_draft(episode_id)
    p = draft.patient
    return p.display_name, p.date_of_birth.isoformat(), p.record_number


def _episode_for(demo, kind: str) -> int:
    try:
        return find_episode(demo, referral=kind)
    except LookupError:
        # Any kind may be written for any episode: the fusion-ready demo patient.
        return demo.patients.get_by_record_number("000005").id


@pytest.mark.parametrize("kind", KINDS)
def test_each_letter_kind_carries_identifiers_on_every_page(demo, docs, kind):
    episode_id = _episode_for(demo, kind)
    made = docs.create_letter(episode_id, kind)
    name, born, record = _identifiers(docs, episode_id)
    pages = pdf_pages(made.pdf)
    for number, page in enumerate(pages, 1):
        assert name in page, f"name missing on page {number}"
        assert born in page, f"date of birth missing on page {number}"
        assert record in page, f"record number missing on page {number}"
        assert f"Page {number} of {len(pages)}" in page
        assert "Confidential" in page
    text = " ".join(pages)
    assert placeholders_in(text) == []
    assert font_problems(made.pdf) == []


@pytest.mark.parametrize("kind", KINDS)
def test_each_letter_states_criteria_values_question_and_pathway_version(demo, docs, kind):
    episode_id = _episode_for(demo, kind)
    advice = demo.pathway.episode_advice(episode_id).advice
    draft = docs.letter_draft(episode_id, kind)
    made = docs.create_letter(episode_id, kind)
    text = pdf_text(made.pdf)
    assert draft.options.question in text
    assert draft.options.reason in text
    assert f"pathway {advice.pathway_version}" in text
    for criterion in advice.criteria:
        if criterion.id in letters.KIND_CRITERIA[kind]:
            assert criterion.label in text
            assert criterion.detail in text, criterion.id
    assert letters.title_for(kind, docs._content(episode_id)) in text


def test_the_advised_kind_is_preselected_but_any_kind_can_be_written(demo, docs):
    episode_id = find_episode(demo, referral="injection_clinic")
    assert docs.letter_draft(episode_id).options.kind == "injection_clinic"
    made = docs.create_letter(episode_id, "rheumatology")
    text = pdf_text(made.pdf)
    assert "The pathway suggests a referral to injection clinic" in text
    assert "Referral to rheumatology" in text


def test_treatments_with_dates_and_relief_are_listed(demo, docs):
    # The demo's patient after a diagnostic block (or the fusion-ready one) has injections.
    for record in ("000004", "000005"):
        patient = demo.patients.get_by_record_number(record)
        episode = demo.episodes.list_for_patient(patient.id)[0]
        injections = demo.timeline.entries(episode.id, kinds=["injection"], newest_first=False)
        if injections:
            break
    made = docs.create_letter(episode.id, "spine_surgeon")
    text = pdf_text(made.pdf)
    for entry in injections:
        assert entry.event_date.isoformat() in text
        if entry.record.relief_percent is not None:
            assert f"{entry.record.relief_percent:g}%" in text
    therapy = demo.timeline.entries(episode.id, kinds=["therapy"], newest_first=False)
    if therapy:
        assert therapy[0].event_date.isoformat() in text
        assert f"{len(therapy)} sessions" in text


def test_edited_reason_question_and_recipient_are_printed(demo, docs):
    episode_id = find_episode(demo, referral="physiotherapy")
    made = docs.create_letter(
        episode_id,
        "physiotherapy",
        recipient="Ms Ngozi Adeyemi, Riverside Physio",
        reason="Please see this patient about their buttock pain.",
        question="Is a six-week programme of motor control work suitable?",
    )
    text = pdf_text(made.pdf)
    assert "Ms Ngozi Adeyemi, Riverside Physio" in text
    assert "Please see this patient about their buttock pain." in text
    assert "Is a six-week programme of motor control work suitable?" in text


def test_non_latin_names_survive_in_letters(demo, docs):
    for record, name in (("000001", "ŁUKASIEWICZ, Zoë"), ("000002", "NGUYỄN, François")):
        patient = demo.patients.get_by_record_number(record)
        episode = demo.episodes.list_for_patient(patient.id)[0]
        assert name in pdf_text(docs.create_letter(episode.id, "physiotherapy").pdf)
    patient = demo.patients.get_by_record_number("000003")
    episode = demo.episodes.list_for_patient(patient.id)[0]
    made = docs.create_letter(episode.id, "injection_clinic")
    text = pdf_text(made.pdf)
    assert "王, 芳" in text
    assert "王芳, aged" in text
    assert font_problems(made.pdf) == []


def test_urgent_letter_puts_the_red_flags_first(demo, docs):
    episode_id = find_episode(demo, referral="urgent")
    text = pdf_text(docs.create_letter(episode_id, "urgent").pdf)
    assert text.index("URGENT") < text.index("Reason for referral")
    assert "history of cancer" in text
    assert text.index("Examination") < text.index("Presenting problem")


def test_a_closed_episode_says_the_pathway_is_closed(demo, docs):
    episode_id = find_episode(demo, closed=True)
    text = pdf_text(docs.create_letter(episode_id, "spine_surgeon").pdf)
    assert "The SIJ pathway is closed for this episode" in text
    assert "SIJ fusion" in text


def test_pdf_metadata_names_title_author_and_subject(demo, docs):
    episode_id = find_episode(demo, referral="injection_clinic")
    made = docs.create_letter(episode_id, "injection_clinic")
    meta = PdfReader(io.BytesIO(made.pdf)).metadata
    assert meta.title == made.title
    assert meta.author == "Dr Adaeze Okafor"
    assert "Referral letter" in meta.subject
    assert "000003" in meta.subject


def test_letter_page_size_follows_the_option(demo, docs):
    episode_id = find_episode(demo, referral="physiotherapy")
    a4 = PdfReader(io.BytesIO(docs.create_letter(episode_id, "physiotherapy").pdf))
    us = PdfReader(
        io.BytesIO(docs.create_letter(episode_id, "physiotherapy", page_size="Letter").pdf)
    )
    assert round(float(a4.pages[0].mediabox.width)) == 595
    assert round(float(us.pages[0].mediabox.width)) == 612
    assert round(float(us.pages[0].mediabox.height)) == 792


def test_unknown_kind_is_refused(docs, demo):
    from sijdesk.errors import ValidationError

    episode_id = find_episode(demo, referral="physiotherapy")
    with pytest.raises(ValidationError) as error:
        docs.create_letter(episode_id, "dentist")
    assert "kind" in error.value.errors


@pytest.mark.parametrize(
    ("record_number", "side_words"),
    [("000006", "both sacroiliac joints"), ("000003", "the left sacroiliac joint")],
)
def test_injection_letters_name_the_side_in_plain_words(demo, docs, record_number, side_words):
    patient = demo.patients.get_by_record_number(record_number)
    (episode,) = demo.episodes.list_for_patient(patient.id)
    options = docs.letter_draft(episode.id, "injection_clinic").options
    assert side_words in options.question
    assert side_words in options.reason
    assert "the both" not in options.question + options.reason
