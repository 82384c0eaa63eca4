"""Pathway decision: what the clinician did with the advice (made by the pathway service)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sijdesk.kinds.declare import Field, Kind, Style, first_line, words
from sijdesk.models.clinical import PathwayDecision
from sijdesk.validation import Checker


def summarize(d: Mapping[str, Any]) -> str:
    step = words(d.get("advised_step")) or "no step (urgent referral)"
    if d.get("decision") == "accepted":
        return f"accepted advice: {step}"
    chosen = words(d.get("chosen_step")) or "other"
    return f"OVERRIDDEN: advised {step}, chose {chosen} · {first_line(d.get('reason', ''))}"


def _built_by_the_service(c: Checker) -> None:
    """The pathway service builds and checks decisions; no form records one."""


KIND = Kind(
    name="decision",
    label="Pathway decision",
    model=PathwayDecision,
    order=200,
    style=Style("#8e24aa", "star", "★"),
    fields=(
        Field("decision", "Decision", "choice", ("accepted", "overridden")),
        Field("advised_step", "Advised step", "text"),
        Field("chosen_step", "Chosen step", "text"),
        Field("reason", "Reason", "notes"),
        Field("pathway_version", "Pathway version", "text"),
        Field("facts_snapshot", "Facts (snapshot)", "text"),
        Field("advice_snapshot", "Advice (snapshot)", "text"),
    ),
    validate=_built_by_the_service,
    summarize=summarize,
)
