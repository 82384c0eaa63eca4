"""The kinds of timeline event: their fields, validation and one-line summaries.

One place describes each kind so that forms, the command line, demo data and
documents agree on what a valid record is and how it reads on the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sijdesk.pathway import scores as pathway_scores
from sijdesk.pathway import vocab
from sijdesk.services.validation import Checker

LASLETT_TESTS = (
    "distraction",
    "thigh_thrust",
    "compression",
    "sacral_thrust",
    "gaenslen_left",
    "gaenslen_right",
)
PAIN_REGIONS = vocab.PAIN_REGIONS
INJECTION_SIDES = ("left", "right", "bilateral")
IMAGE_GUIDANCE = ("fluoroscopy", "ct", "ultrasound", "none")
THERAPY_RESPONSES = ("good", "partial", "none")
# One home: sijdesk.pathway.vocab (the pathway advises on a subset of these).
MEDICATION_CATEGORIES = vocab.RECORDED_MEDICATION_CATEGORIES
CONSULT_SPECIALTIES = ("spine_surgery", "rheumatology", "pain_medicine", "other")
PROCEDURES = ("sij_fusion", "radiofrequency_ablation", "other")
DECLINABLE = ("injection", "surgery")

EVENT_LABELS = {
    "assessment": "Assessment",
    "outcome": "Outcome measures",
    "therapy": "Therapy session",
    "injection": "Injection",
    "medication": "Medication course",
    "consult": "Specialist consult",
    "procedure": "Procedure",
    "decline": "Patient declined",
    "note": "Note",
    "decision": "Pathway decision",
    "document": "Document",
}
# Kinds a clinician records through a form; decisions and documents are made
# by the pathway and document services.
RECORDABLE_KINDS = (
    "assessment",
    "outcome",
    "therapy",
    "injection",
    "medication",
    "consult",
    "procedure",
    "decline",
    "note",
)


@dataclass(frozen=True)
class EventSpec:
    kind: str
    fields: tuple[str, ...]
    validate: Callable[[Checker], None]
    summarize: Callable[[Mapping[str, Any]], str]


def _words(value: str | None) -> str:
    return value.replace("_", " ") if value else ""


def _listing(values: list[str]) -> str:
    return ", ".join(_words(v) for v in values)


# -- assessment ----------------------------------------------------------------


def _validate_assessment(c: Checker) -> None:
    c.choice("pain_region", PAIN_REGIONS)
    c.choice_list("pain_sites", vocab.PAIN_SITES)
    c.choice_list("functional", vocab.FUNCTIONAL)
    for test in LASLETT_TESTS:
        c.tri_state(test)
    c.tri_state("fortin_finger")
    c.choice_list("red_flags", vocab.RED_FLAGS)
    c.choice_list("inflammatory", vocab.INFLAMMATORY)
    c.choice_list("symptoms", vocab.SYMPTOMS)
    c.choice_list("nsaid_cautions", vocab.NSAID_CAUTIONS)
    c.tri_state("nicotine")
    c.text("findings", max_length=20_000)


def _summarize_assessment(d: Mapping[str, Any]) -> str:
    parts: list[str] = []
    region = {
        "below_belt": "below belt",
        "above_belt": "above belt",
        "both": "above and below belt",
    }
    if d.get("pain_region"):
        parts.append(region[d["pain_region"]])
    results = [d.get(t) for t in LASLETT_TESTS]
    done = [r for r in results if r is not None]
    if done:
        positives = sum(1 for r in done if r)
        parts.append(f"provocation {positives}/{len(done)} positive")
    if d.get("fortin_finger") is not None:
        parts.append("Fortin +" if d["fortin_finger"] else "Fortin −")
    if d.get("red_flags"):
        parts.append("RED FLAG: " + _listing(d["red_flags"]))
    # A count, not a verdict: whether they are enough is the pathway's threshold
    # (inflammatory_min_features), which the step panel shows.
    features = len(d.get("inflammatory") or [])
    if features:
        parts.append(f"{features} inflammatory feature" + ("s" if features > 1 else ""))
    if d.get("symptoms"):
        parts.append(_listing(d["symptoms"]))
    return " · ".join(parts) or "no findings recorded"


# -- outcome measures ------------------------------------------------------------


def _validate_outcome(c: Checker) -> None:
    c.integer("nrs", 0, 10, unit=" (0 = no pain, 10 = worst imaginable)")
    items = c.data.get("odi_items")
    if items is None:
        c.clean["odi_items"] = None
    elif isinstance(items, str) or not isinstance(items, list | tuple) or len(items) != 10:
        c.fail("odi_items", "must list the ten ODI section scores")
    else:
        cleaned: list[int | None] = []
        for index, item in enumerate(items):
            field = f"odi_items[{index}]"
            sub = Checker({field: item}, today=c.today)
            value = sub.integer(field, 0, 5)
            if sub.errors:
                c.fail(field, f"section {index + 1} must be a score from 0 to 5, or unanswered")
            cleaned.append(value)
        if all(v is None for v in cleaned):
            cleaned = None  # type: ignore[assignment]
        c.clean["odi_items"] = cleaned
    if not c.errors and c.clean.get("nrs") is None and c.clean.get("odi_items") is None:
        c.fail("nrs", "record an NRS pain score, ODI section scores, or both")


def _summarize_outcome(d: Mapping[str, Any]) -> str:
    parts = []
    if d.get("nrs") is not None:
        parts.append(f"NRS {d['nrs']}/10")
    items = d.get("odi_items")
    if items:
        percent = pathway_scores.odi_percent(tuple(items))
        if percent is None:
            unanswered = sum(1 for i in items if i is None)
            parts.append(f"ODI not scored ({unanswered} sections unanswered)")
        else:
            parts.append(f"ODI {percent:.1f} % ({_words(pathway_scores.odi_band(percent))})")
    return " · ".join(parts)


# -- therapy ---------------------------------------------------------------------


def _validate_therapy(c: Checker) -> None:
    c.choice_list("components", vocab.COMPONENTS)
    c.integer("minutes", 1, 480, unit=" minutes")
    c.choice("response", THERAPY_RESPONSES)
    c.text("notes", max_length=20_000)


def _summarize_therapy(d: Mapping[str, Any]) -> str:
    names = {
        "met": "MET",
        "motor_retraining": "motor retraining",
        "manual_therapy_support": "manual therapy/taping/belt",
    }
    parts = [", ".join(names.get(x, _words(x)) for x in d.get("components") or []) or "session"]
    if d.get("minutes"):
        parts.append(f"{d['minutes']} min")
    if d.get("response"):
        parts.append(f"response: {d['response']}")
    return " · ".join(parts)


# -- injection -------------------------------------------------------------------


def relief_from_pain(before: int | None, after: int | None) -> float | None:
    """Percent relief from pain scores before and after an injection."""
    if before is None or after is None or before <= 0:
        return None
    return round(max(0.0, (before - after) / before * 100), 1)


def _validate_injection(c: Checker) -> None:
    c.choice("purpose", ("diagnostic", "therapeutic"), required=True)
    c.choice("side", INJECTION_SIDES, required=True)
    c.text("agent", max_length=200)
    c.choice("image_guidance", IMAGE_GUIDANCE)
    if c.clean.get("image_guidance") is None and "image_guidance" not in c.errors:
        c.clean["image_guidance"] = "fluoroscopy"
    before = c.integer("pain_before", 0, 10, unit=" on the 0-10 scale")
    after = c.integer("pain_after", 0, 10, unit=" on the 0-10 scale")
    relief = c.number("relief_percent", 0, 100, unit=" %")
    if relief is None and "relief_percent" not in c.errors:
        c.clean["relief_percent"] = relief_from_pain(before, after)
    c.number("relief_weeks", 0, 520, unit=" weeks")
    c.text("performed_by", max_length=200)
    c.text("notes", max_length=20_000)


def _summarize_injection(d: Mapping[str, Any]) -> str:
    parts = [f"{d.get('purpose', '')} {_words(d.get('side'))}".strip()]
    if d.get("relief_percent") is not None:
        text = f"relief {d['relief_percent']:g} %"
        if d.get("relief_weeks") is not None:
            text += f" for {d['relief_weeks']:g} wk"
        parts.append(text)
    else:
        parts.append("result not yet recorded")
    if d.get("image_guidance") and d["image_guidance"] != "none":
        parts.append(f"{d['image_guidance'] if d['image_guidance'] != 'ct' else 'CT'}-guided")
    return " · ".join(parts)


# -- medication --------------------------------------------------------------------


def _validate_medication(c: Checker) -> None:
    c.choice("category", MEDICATION_CATEGORIES, required=True)
    c.text("name", required=True, max_length=200)
    stop = c.date("stop_date", not_future=False)
    start = c.clean.get("date")
    if stop is not None and start is not None and stop < start:
        c.fail("stop_date", "cannot be before the start date")
    c.text("reason", max_length=2000)
    c.text("cautions", max_length=2000)


def _summarize_medication(d: Mapping[str, Any]) -> str:
    text = f"{d.get('name', '')} ({_words(d.get('category'))})"
    if d.get("stop_date"):
        text += f" until {_iso(d['stop_date'])}"
    return text


# -- consult, procedure, decline, note -----------------------------------------------


def _validate_consult(c: Checker) -> None:
    c.choice("specialty", CONSULT_SPECIALTIES, required=True)
    c.text("clinician", max_length=200)
    c.text("outcome", max_length=20_000)
    c.tri_state("inflammatory_disease_excluded")


def _summarize_consult(d: Mapping[str, Any]) -> str:
    text = _words(d.get("specialty"))
    if d.get("inflammatory_disease_excluded") is True:
        text += " · inflammatory disease excluded"
    elif d.get("inflammatory_disease_excluded") is False:
        text += " · inflammatory disease not excluded"
    if d.get("outcome"):
        text += f" · {_first_line(d['outcome'])}"
    return text


def _validate_procedure(c: Checker) -> None:
    c.choice("procedure", PROCEDURES, required=True)
    c.choice("side", INJECTION_SIDES, required=True)
    c.text("surgeon", max_length=200)
    c.text("notes", max_length=20_000)


def _summarize_procedure(d: Mapping[str, Any]) -> str:
    names = {"sij_fusion": "SIJ fusion", "radiofrequency_ablation": "radiofrequency ablation"}
    return f"{names.get(d.get('procedure', ''), _words(d.get('procedure')))} · {d.get('side', '')}"


def _validate_decline(c: Checker) -> None:
    c.choice("treatment", DECLINABLE, required=True)
    c.text("reason", max_length=2000)


def _summarize_decline(d: Mapping[str, Any]) -> str:
    text = f"declined {d.get('treatment', '')}"
    if d.get("reason"):
        text += f" · {_first_line(d['reason'])}"
    return text


def _validate_note(c: Checker) -> None:
    c.text("text", required=True, max_length=50_000)


def _summarize_note(d: Mapping[str, Any]) -> str:
    return _first_line(d.get("text", ""))


def _summarize_decision(d: Mapping[str, Any]) -> str:
    step = _words(d.get("advised_step")) or "no step (urgent referral)"
    if d.get("decision") == "accepted":
        return f"accepted advice: {step}"
    chosen = _words(d.get("chosen_step")) or "other"
    return f"OVERRIDDEN: advised {step}, chose {chosen} · {_first_line(d.get('reason', ''))}"


def _summarize_document(d: Mapping[str, Any]) -> str:
    return f"{d.get('title', '')} (PDF)"


def _first_line(text: str, limit: int = 80) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _no_validation(c: Checker) -> None:  # decisions and documents are built by services
    pass


SPECS: dict[str, EventSpec] = {
    spec.kind: spec
    for spec in (
        EventSpec(
            "assessment",
            (
                "pain_region",
                "pain_sites",
                "functional",
                *LASLETT_TESTS,
                "fortin_finger",
                "red_flags",
                "inflammatory",
                "symptoms",
                "nsaid_cautions",
                "nicotine",
                "findings",
            ),
            _validate_assessment,
            _summarize_assessment,
        ),
        EventSpec("outcome", ("nrs", "odi_items"), _validate_outcome, _summarize_outcome),
        EventSpec(
            "therapy",
            ("components", "minutes", "response", "notes"),
            _validate_therapy,
            _summarize_therapy,
        ),
        EventSpec(
            "injection",
            (
                "purpose",
                "side",
                "agent",
                "image_guidance",
                "pain_before",
                "pain_after",
                "relief_percent",
                "relief_weeks",
                "performed_by",
                "notes",
            ),
            _validate_injection,
            _summarize_injection,
        ),
        EventSpec(
            "medication",
            ("category", "name", "stop_date", "reason", "cautions"),
            _validate_medication,
            _summarize_medication,
        ),
        EventSpec(
            "consult",
            ("specialty", "clinician", "outcome", "inflammatory_disease_excluded"),
            _validate_consult,
            _summarize_consult,
        ),
        EventSpec(
            "procedure",
            ("procedure", "side", "surgeon", "notes"),
            _validate_procedure,
            _summarize_procedure,
        ),
        EventSpec("decline", ("treatment", "reason"), _validate_decline, _summarize_decline),
        EventSpec("note", ("text",), _validate_note, _summarize_note),
        EventSpec(
            "decision",
            (
                "decision",
                "advised_step",
                "chosen_step",
                "reason",
                "pathway_version",
                "facts_snapshot",
                "advice_snapshot",
            ),
            _no_validation,
            _summarize_decision,
        ),
        EventSpec(
            "document",
            ("document_kind", "title", "sha256", "parameters"),
            _no_validation,
            _summarize_document,
        ),
    )
}


def validate_event(kind: str, data: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """Check a recordable event's data; return the cleaned values (``date`` included).

    Raises ValidationError naming every field that is wrong.
    """
    spec = SPECS[kind]
    checker = Checker(data, today=today)
    checker.reject_unknown(("date", *spec.fields))
    checker.date("date", required=True)
    spec.validate(checker)
    checker.raise_if_errors()
    return checker.clean


def summarize(kind: str, data: Mapping[str, Any]) -> str:
    return SPECS[kind].summarize(data)
