"""Shared episodes and helpers for the pathway tests."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from sijdesk.pathway import (
    Facts,
    Thresholds,
    advise,
    load_default_thresholds,
    parse_facts,
    parse_thresholds,
)
from tests.conftest import TODAY

AS_OF = date(2024, 6, 1)
#: What parse_facts is told "today" is (the suite's one "today"); vignettes set as_of.

DROP = object()

#: Below the belt, 8 weeks of partly helpful therapy, positive cluster (distraction and
#: thigh thrust), no injection yet: a diagnostic block is advised.
READY_FOR_INJECTION: dict[str, Any] = {
    "as_of": AS_OF.isoformat(),
    "age": 50,
    "pain_region": "below_belt",
    "symptom_weeks": 20,
    "conservative": {"weeks": 8, "response": "partial"},
    "provocation": {
        "distraction": True,
        "thigh_thrust": True,
        "compression": False,
        "sacral_thrust": False,
        "gaenslen_left": False,
        "gaenslen_right": False,
    },
    "nrs": 6,
    "odi_percent": 36,
}

#: 40 weeks of symptoms, 30 of failed care, 3 positive tests, two positive blocks and a
#: therapeutic injection that helped: surgical evaluation is advised.
READY_FOR_FUSION: dict[str, Any] = {
    "as_of": AS_OF.isoformat(),
    "age": 50,
    "pain_region": "below_belt",
    "symptom_weeks": 40,
    "conservative": {"weeks": 30, "response": "none"},
    "provocation": {
        "distraction": True,
        "thigh_thrust": True,
        "compression": True,
        "sacral_thrust": False,
        "gaenslen_left": False,
        "gaenslen_right": False,
    },
    "nrs": 6,
    "odi_percent": 40,
    "injections": [
        {"date": "2023-10-01", "kind": "diagnostic", "relief_percent": 80},
        {"date": "2023-11-01", "kind": "diagnostic", "relief_percent": 90},
        {"date": "2024-01-15", "kind": "therapeutic", "relief_percent": 60, "relief_weeks": 8},
    ],
}


def merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with top-level ``changes`` (``DROP`` removes a key)."""
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if value is DROP:
            result.pop(key, None)
        else:
            result[key] = copy.deepcopy(value)
    return result


def days_before(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


def therapeutic(days: int, relief: float | None = 60, weeks: float | None = 8) -> dict:
    return {
        "date": days_before(days),
        "kind": "therapeutic",
        "relief_percent": relief,
        "relief_weeks": weeks,
    }


def block(days: int, relief: float | None) -> dict:
    return {"date": days_before(days), "kind": "diagnostic", "relief_percent": relief}


def facts_of(obj: dict[str, Any]) -> Facts:
    return parse_facts(obj, today=TODAY)


def thresholds_with(**values: Any) -> Thresholds:
    return parse_thresholds(values, base=load_default_thresholds())


def advice_of(obj: dict[str, Any], thresholds: Thresholds | None = None) -> dict[str, Any]:
    return advise(facts_of(obj), thresholds or load_default_thresholds()).to_dict()


def met(advice: dict[str, Any], criterion_id: str) -> bool | None:
    (found,) = [c for c in advice["criteria"] if c["id"] == criterion_id]
    return found["met"]


def criterion(advice: dict[str, Any], criterion_id: str) -> dict[str, Any]:
    (found,) = [c for c in advice["criteria"] if c["id"] == criterion_id]
    return found
