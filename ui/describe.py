"""Readable labels and values for record fields, shared by forms, viewers and history.

Words only: no clinical rule lives here. Vocabulary ids read through
``sijdesk.pathway.vocab.LABELS`` so that the panel, the forms and the
documents use the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sijdesk.kinds import KINDS
from sijdesk.pathway import vocab
from sijdesk.pathway.scores import odi_band, odi_percent

ODI_SECTIONS = (
    "1 Pain intensity",
    "2 Personal care",
    "3 Lifting",
    "4 Walking",
    "5 Sitting",
    "6 Standing",
    "7 Sleeping",
    "8 Sex life",
    "9 Social life",
    "10 Travelling",
)

# Fields outside the event kinds (patients, episodes, the date every event has);
# each kind's fields carry their own labels (sijdesk/kinds).
FIELD_LABELS: dict[str, str] = {
    "date": "Date",
    "given_names": "Given names",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "phone": "Phone",
    "email": "E-mail",
    "address": "Address",
    "referring_practitioner": "Referring practitioner",
    "onset_date": "Onset of symptoms",
    "closed_on": "Closed on",
}
for _kind in KINDS.values():
    for _field in _kind.fields:
        FIELD_LABELS.setdefault(_field.name, _field.label)

EXTRA_WORDS: dict[str, str] = {
    "left": "Left",
    "right": "Right",
    "bilateral": "Both sides",
    "unknown": "Not recorded",
    "fluoroscopy": "Fluoroscopy",
    "ct": "CT",
    "ultrasound": "Ultrasound",
    "spine_surgery": "Spine surgery",
    "pain_medicine": "Pain medicine",
    "sij_fusion": "SIJ fusion",
    "radiofrequency_ablation": "Radiofrequency ablation",
    "accepted": "Accepted",
    "overridden": "Overridden",
    "female": "Female",
    "male": "Male",
    "diagnostic": "Diagnostic",
    "therapeutic": "Therapeutic",
}

# Stored ids shown as words: every choice field of a kind, and a few others.
WORDED_FIELDS = frozenset(
    {f.name for k in KINDS.values() for f in k.fields if f.widget == "choice"}
    | {"advised_step", "chosen_step", "sex"}
)

HIDDEN_FIELDS = {"facts_snapshot", "advice_snapshot", "parameters"}


def kind_label(kind: str) -> str:
    if kind in KINDS:
        return KINDS[kind].label
    return kind.replace("_", " ").capitalize()


def field_label(name: str, kind: str | None = None) -> str:
    """The field's label, as its kind declares it when the kind is known."""
    if kind is not None and kind in KINDS and name in KINDS[kind].field_names:
        return KINDS[kind].field(name).label
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def word(ident: str | None) -> str:
    """A vocabulary id as words ("below_belt" -> "Below the belt line")."""
    if ident is None:
        return "not recorded"
    if ident in EXTRA_WORDS:
        return EXTRA_WORDS[ident]
    if ident in vocab.LABELS:
        return vocab.LABELS[ident]
    return ident.replace("_", " ").capitalize()


def odi_text(items: list[int | None] | tuple[int | None, ...] | None) -> str:
    if not items:
        return "not taken"
    percent = odi_percent(tuple(items))
    if percent is None:
        unanswered = sum(1 for i in items if i is None)
        return f"not scored ({unanswered} sections unanswered; at most 1 may be)"
    return f"{percent:.1f} % ({word(odi_band(percent)).lower()})"


def format_value(name: str, value: Any) -> str:
    """A stored value as a clinician reads it."""
    if name == "odi_items":
        return odi_text(value)
    if value is None or value in ("", []):
        if name in vocab.PROVOCATION_TESTS or name == "fortin_finger":
            return "not done"
        return "not recorded"
    if isinstance(value, bool):
        if name in vocab.PROVOCATION_TESTS or name == "fortin_finger":
            return "positive (reproduces the familiar pain)" if value else "negative"
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(word(v) if isinstance(v, str) else str(v) for v in value)
    if isinstance(value, float):
        text = f"{value:g}"
        return f"{text} %" if name == "relief_percent" else text
    if isinstance(value, str) and name in WORDED_FIELDS:
        return word(value)
    return str(value)


def describe_fields(data: Mapping[str, Any], kind: str | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs of an event's data, in its field order."""
    rows = []
    for name, value in data.items():
        if name in HIDDEN_FIELDS:
            continue
        if name == "odi_items" and value:
            rows.append((field_label(name), odi_text(value)))
            for section, item in zip(ODI_SECTIONS, value, strict=False):
                rows.append((f"    {section}", "unanswered" if item is None else str(item)))
            continue
        declares = kind is not None and kind in KINDS and name in KINDS[kind].field_names
        if kind is not None and declares and isinstance(value, str) and value:
            declared = KINDS[kind].field(name)
            if declared.words.get(value):
                rows.append((declared.label, declared.words[value]))
                continue
        rows.append((field_label(name, kind), format_value(name, value)))
    return rows
