"""Therapy session: the components of conservative care and the response so far."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, words
from sijdesk.models.clinical import TherapySession
from sijdesk.pathway import vocab

THERAPY_RESPONSES = ("good", "partial", "none")
_SHORT_NAMES = {
    "met": "MET",
    "motor_retraining": "motor retraining",
    "manual_therapy_support": "manual therapy/taping/belt",
}


def summarize(d: Mapping[str, Any]) -> str:
    parts = [
        ", ".join(_SHORT_NAMES.get(x, words(x)) for x in d.get("components") or []) or "session"
    ]
    if d.get("minutes"):
        parts.append(f"{d['minutes']} min")
    if d.get("response"):
        parts.append(f"response: {d['response']}")
    return " · ".join(parts)


@dataclass(frozen=True)
class TherapyRecord:
    components: list[str] = declared(
        "Components used",
        "choices",
        vocab.COMPONENTS,
        words={
            "met": "Muscle energy techniques (MET)",
            "motor_retraining": "Guided movement and motor retraining",
            "manual_therapy_support": "Manual therapy with taping or SIJ belt",
        },
    )
    minutes: int | None = declared("Length (minutes)", "integer", low=1, high=480, unit=" minutes")
    # good / partial / none, or None when not judged at this session.
    response: str | None = declared("Response so far", "choice", THERAPY_RESPONSES)
    notes: str = declared("Notes", "notes", max_length=20_000)


KIND = Kind(
    name="therapy",
    label="Therapy session",
    model=TherapySession,
    order=30,
    menu_text="&Therapy session…",
    date_label="Date of the session",
    style=Style("#2e7d32", "circle", "●"),
    record=TherapyRecord,
    summarize=summarize,
    example={"components": ["met"], "minutes": 45, "response": "partial"},
)
