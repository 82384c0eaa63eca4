"""Small helpers that turn values into the words documents print."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sijdesk.pathway import vocab

# The letters' names, in the window as in the PDFs; kept here, away from ReportLab,
# so the window can list them without loading the PDF library.
KIND_NAMES = {
    "physiotherapy": "Physiotherapy",
    "injection_clinic": "Injection clinic",
    "spine_surgeon": "Spine surgeon (fusion evaluation)",
    "rheumatology": "Rheumatology",
    "urgent": "Urgent referral (red flags)",
}

MARKS = {True: "✓ Met", False: "✗ Not met", None: "? Unknown"}
TEST_MARKS = {True: "positive", False: "negative", None: "not done"}

SPECIALTIES = {
    "spine_surgery": "Spine surgery",
    "rheumatology": "Rheumatology",
    "pain_medicine": "Pain medicine",
    "other": "Other specialty",
}
PROCEDURES = {
    "sij_fusion": "SIJ fusion",
    "radiofrequency_ablation": "Radiofrequency ablation",
    "other": "Other procedure",
}
GUIDANCE = {"fluoroscopy": "fluoroscopy", "ct": "CT", "ultrasound": "ultrasound", "none": "none"}
# In-sentence names of the recorded categories, from their one home.
MEDICATION_CATEGORIES = {
    category: vocab.in_sentence(category) for category in vocab.RECORDED_MEDICATION_CATEGORIES
}


def iso(day: date | None) -> str:
    return day.isoformat() if day else "not recorded"


def num(value: float | int | None, unit: str = "") -> str:
    """``42.9`` -> ``"42.9"``, ``40.0`` -> ``"40"``; None -> ``"not recorded"``."""
    if value is None:
        return "not recorded"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{text}{unit}"


def weeks(value: float | None) -> str:
    if value is None:
        return "an unknown number of weeks"
    whole = int(value)
    return "1 week" if whole == 1 else f"{whole} weeks"


def label(ident: str | None) -> str:
    if ident is None:
        return ""
    return vocab.LABELS.get(ident, ident.replace("_", " "))


def lower_label(ident: str) -> str:
    text = label(ident)
    # Keep abbreviations (NSAID, SIJ, ODI) and proper names as they are.
    first = text.split(" ", 1)[0]
    if first.isupper() or first in {"Gaenslen", "Fortin"}:
        return text
    return text[:1].lower() + text[1:]


def join(items: Iterable[str], last: str = "and") -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def labels(ids: Iterable[str]) -> str:
    return join([lower_label(i) for i in ids])


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"
