"""Every text a patient takes home reads at school grade 7 to 8 or below.

Each handout, and the care plan of every demo patient (each step of the pathway,
each variant of its sentences), is measured with tests/readability.py: SMOG
<= 8 and Flesch-Kincaid grade <= 7. A text above either names itself, its
scores and its hardest sentences, so the writer knows where to start.
"""

from __future__ import annotations

import pytest
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Table

from sijdesk.reports import handouts
from tests import readability


def _verdict(name: str, text: str) -> str:
    found = readability.measure(text)
    if found.within_limits():
        return ""
    hardest = "\n".join(f"  - {s}" for s in readability.hardest_sentences(text))
    return (
        f"{name}: SMOG {found.smog:.1f} (at most {readability.SMOG_LIMIT:g}), "
        f"Flesch-Kincaid grade {found.grade:.1f} (at most {readability.GRADE_LIMIT:g}), "
        f"{found.words_per_sentence:.1f} words a sentence. Hardest sentences:\n{hardest}"
    )


def handout_text(handout: handouts.Handout) -> str:
    """What the patient reads, one line per heading, paragraph and list item."""
    lines = [handout.title, handout.summary]
    for section in handout.sections:
        lines.append(section.heading)
        lines.extend(line.removeprefix("- ") for line in section.text.splitlines())
        lines.extend(section.table_header)
    return "\n".join(line for line in lines if line.strip())


def story_text(story: list[Flowable]) -> str:
    """The words of a ReportLab story: paragraphs, in tables and kept-together blocks
    too (drawings carry only labels and numbers, and are left out)."""
    lines: list[str] = []

    def walk(flowable) -> None:
        if isinstance(flowable, Paragraph):
            lines.append(flowable.getPlainText())
        elif isinstance(flowable, KeepTogether):
            for inner in flowable._content:
                walk(inner)
        elif isinstance(flowable, Table):
            for row in flowable._cellvalues:
                for cell in row:
                    for inner in cell if isinstance(cell, list | tuple) else [cell]:
                        if isinstance(inner, Flowable):
                            walk(inner)
                        elif isinstance(inner, str) and inner.strip():
                            lines.append(inner)
        elif isinstance(flowable, list | tuple):
            for inner in flowable:
                walk(inner)

    for flowable in story:
        walk(flowable)
    return "\n".join(lines)


@pytest.mark.parametrize("name", [h.name for h in handouts.list_handouts()])
def test_each_handout_reads_at_grade_seven_to_eight(name):
    handout = handouts.load_handout(name)
    assert _verdict(f"handout {name} v{handout.version}", handout_text(handout)) == ""


def test_every_care_plan_of_the_demo_clinic_reads_at_grade_seven_to_eight(demo_clinic):
    from sijdesk.reports.care_plan import build_care_plan_story, complete_options, plan_step

    documents = demo_clinic.documents
    problems = []
    variants = set()
    for patient in demo_clinic.patients.search(limit=100):
        for episode in demo_clinic.episodes.list_for_patient(patient.id):
            content = documents._content(episode.id)
            options = complete_options(content)
            advice = content.advice
            variants.add((advice.triage, plan_step(content)) if advice else ("operated", None))
            problem = _verdict(
                f"care plan of {patient.record_number}, episode {episode.id}",
                story_text(build_care_plan_story(content, options)),
            )
            if problem:
                problems.append(problem)
    # Every way the plan can say where the patient is was measured.
    assert variants >= {
        ("urgent_referral", None),
        ("rheumatology_referral", "conservative"),
        ("other_source", "conservative"),
        ("sij_pathway", "conservative"),
        ("sij_pathway", "injection"),
        ("sij_pathway", "surgery_evaluation"),
        ("operated", None),
    }
    assert problems == []


def test_the_measure_finds_a_hard_text_hard():
    hard = (
        "Sacroiliac joint dysfunction frequently necessitates multidisciplinary "
        "evaluation incorporating provocative manoeuvres, diagnostic intra-articular "
        "anaesthetic injections and comprehensive radiological investigation. "
    ) * 3
    easy = "Your SI joint is where your spine meets your pelvis. It can hurt. We can help. " * 3
    assert readability.measure(hard).smog > 15 and readability.measure(hard).grade > 15
    assert readability.measure(easy).within_limits()
    assert readability.hardest_sentences(hard + easy, 1)[0].startswith("Sacroiliac")


def test_syllables_sentences_and_words_are_counted_as_textstat_counts():
    words = ("pain", "walking", "injection", "operation")
    assert [readability.syllables(w) for w in words] == [1, 2, 3, 4]
    # A list line is a sentence; a piece of two words or fewer is not.
    assert readability.sentences("Rest well.\nWalk a little each day\n- ice it\nOK?") == [
        "Walk a little each day"
    ]
    assert readability.words("Don't stop - it's fine, follow-up 2 weeks.") == [
        "Dont",
        "stop",
        "its",
        "fine",
        "followup",
        "2",
        "weeks",
    ]
