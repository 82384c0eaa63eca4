"""Medication course: what the patient takes in support of the pathway, and when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, iso, words
from sijdesk.models.clinical import MedicationCourse
from sijdesk.pathway import vocab
from sijdesk.validation import Checker

# One home: sijdesk.pathway.vocab (the pathway advises on a subset of these).
MEDICATION_CATEGORIES = vocab.RECORDED_MEDICATION_CATEGORIES


def _stop_after_start(c: Checker) -> None:
    stop, start = c.clean.get("stop_date"), c.clean.get("date")
    if stop is not None and start is not None and stop < start:
        c.fail("stop_date", "cannot be before the start date")


def summarize(d: Mapping[str, Any]) -> str:
    text = f"{d.get('name', '')} ({words(d.get('category'))})"
    if d.get("stop_date"):
        text += f" until {iso(d['stop_date'])}"
    return text


@dataclass(frozen=True)
class MedicationRecord:
    """The event's date is the start of the course."""

    category: str = declared("Category", "choice", MEDICATION_CATEGORIES, required=True)
    name: str = declared(
        "Medication name", "text", required=True, max_length=200, placeholder="e.g. naproxen"
    )
    stop_date: date | None = declared("Stopped on", "date", not_future=False)
    reason: str = declared("Reason", "notes", lines=2)
    cautions: str = declared("Cautions discussed", "notes", lines=2)


KIND = Kind(
    name="medication",
    label="Medication course",
    model=MedicationCourse,
    order=50,
    menu_text="&Medication course…",
    date_label="Started on",
    style=Style("#00796b", "capsule", "⬭"),
    record=MedicationRecord,
    cross_check=_stop_after_start,
    summarize=summarize,
    example={"category": "nsaid", "name": "naproxen", "stop_date": "2026-11-20"},
    given_to_patient=("category", "name"),
)
