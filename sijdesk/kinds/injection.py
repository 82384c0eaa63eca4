"""Injection: a diagnostic block or a therapeutic injection and its result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, words
from sijdesk.models.clinical import Injection
from sijdesk.validation import Checker

INJECTION_SIDES = ("left", "right", "bilateral")
IMAGE_GUIDANCE = ("fluoroscopy", "ct", "ultrasound", "none")
PURPOSES = ("diagnostic", "therapeutic")


def relief_from_pain(before: int | None, after: int | None) -> float | None:
    """Percent relief from pain scores before and after an injection."""
    if before is None or after is None or before <= 0:
        return None
    return round(max(0.0, (before - after) / before * 100), 1)


def _validate(c: Checker) -> None:
    c.choice("purpose", PURPOSES, required=True)
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


def summarize(d: Mapping[str, Any]) -> str:
    parts = [f"{d.get('purpose', '')} {words(d.get('side'))}".strip()]
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


@dataclass(frozen=True)
class InjectionRecord:
    purpose: str = declared("Purpose", "choice", PURPOSES, required=True)
    side: str = declared("Side", "choice", INJECTION_SIDES, required=True)
    agent: str = declared("Agent", "text", max_length=200)
    image_guidance: str = declared("Image guidance", "choice", IMAGE_GUIDANCE)
    pain_before: int | None = declared("Pain before, NRS (0-10)", "integer", high=10)
    pain_after: int | None = declared("Pain after, NRS (0-10)", "integer", high=10)
    relief_percent: float | None = declared("Relief (%)", "number", high=100)
    relief_weeks: float | None = declared("Relief lasted (weeks)", "number", high=520)
    performed_by: str = declared("Performed by", "text", max_length=200)
    notes: str = declared("Notes", "notes", max_length=20_000)


KIND = Kind(
    name="injection",
    label="Injection",
    model=Injection,
    order=40,
    menu_text="&Injection…",
    date_label="Date of the injection",
    style=Style("#c25400", "triangle", "▲"),
    record=InjectionRecord,
    validate=_validate,
    summarize=summarize,
    example={"purpose": "diagnostic", "side": "left", "pain_before": 8, "pain_after": 2},
    given_to_patient=("agent",),
)
