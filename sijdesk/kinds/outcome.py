"""Outcome measures: NRS pain and the Oswestry Disability Index on one day."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, words
from sijdesk.models.clinical import OutcomeMeasure
from sijdesk.pathway import scores
from sijdesk.validation import Checker


def _validate(c: Checker) -> None:
    c.integer("nrs", 0, 10, unit=" (0 = no pain, 10 = worst imaginable)")
    items = c.data.get("odi_items")
    if items is None:
        c.clean["odi_items"] = None
    elif isinstance(items, str) or not isinstance(items, list | tuple) or len(items) != 10:
        c.fail("odi_items", "must list the ten ODI section scores")
    else:
        cleaned: list[int | None] | None = []
        for index, item in enumerate(items):
            field = f"odi_items[{index}]"
            sub = Checker({field: item}, today=c.today)
            value = sub.integer(field, 0, 5)
            if sub.errors:
                c.fail(field, f"section {index + 1} must be a score from 0 to 5, or unanswered")
            cleaned.append(value)  # type: ignore[union-attr]
        if all(v is None for v in cleaned or ()):
            cleaned = None
        c.clean["odi_items"] = cleaned
    if not c.errors and c.clean.get("nrs") is None and c.clean.get("odi_items") is None:
        c.fail("nrs", "record an NRS pain score, ODI section scores, or both")


def summarize(d: Mapping[str, Any]) -> str:
    parts = []
    if d.get("nrs") is not None:
        parts.append(f"NRS {d['nrs']}/10")
    items = d.get("odi_items")
    if items:
        percent = scores.odi_percent(tuple(items))
        if percent is None:
            unanswered = sum(1 for i in items if i is None)
            parts.append(f"ODI not scored ({unanswered} sections unanswered)")
        else:
            parts.append(f"ODI {percent:.1f} % ({words(scores.odi_band(percent))})")
    return " · ".join(parts)


@dataclass(frozen=True)
class OutcomeRecord:
    nrs: int | None = declared("Pain now, NRS (0-10)", "integer", high=10)
    # Ten section scores 0-5, None for an unanswered section; None: ODI not taken.
    # Checked and entered by hand (a form of its own).
    odi_items: list[int | None] | None = declared("Oswestry Disability Index", "integer", high=5)


KIND = Kind(
    name="outcome",
    label="Outcome measures",
    model=OutcomeMeasure,
    order=20,
    menu_text="&Outcome measures (NRS, ODI)…",
    style=Style("#6a3d9a", "bars", "▮"),
    record=OutcomeRecord,
    validate=_validate,
    summarize=summarize,
    example={"nrs": 6, "odi_items": [2, 2, 2, 2, 2, 2, 2, None, 2, 2]},
    unlisted_columns=("odi_tenths",),  # derived from odi_items by the model, never entered
)
