"""Pathway decision: what the clinician did with the advice (made by the pathway service)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, first_line, words
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


@dataclass(frozen=True)
class DecisionRecord:
    """What the clinician did with the advice, with a snapshot of the advice."""

    decision: str = declared("Decision", "choice", ("accepted", "overridden"))
    advised_step: str | None = declared("Advised step", "text")
    chosen_step: str | None = declared("Chosen step", "text")
    reason: str = declared("Reason", "notes")
    pathway_version: str = declared("Pathway version", "text")
    facts_snapshot: dict[str, Any] = declared("Facts (snapshot)", "text")
    advice_snapshot: dict[str, Any] = declared("Advice (snapshot)", "text")


KIND = Kind(
    name="decision",
    label="Pathway decision",
    model=PathwayDecision,
    order=200,
    style=Style("#8e24aa", "star", "★"),
    record=DecisionRecord,
    validate=_built_by_the_service,
    summarize=summarize,
)
