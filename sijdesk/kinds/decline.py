"""The patient declined a treatment the pathway might offer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, first_line
from sijdesk.models.clinical import Decline

DECLINABLE = ("injection", "surgery")


def summarize(d: Mapping[str, Any]) -> str:
    text = f"declined {d.get('treatment', '')}"
    if d.get("reason"):
        text += f" · {first_line(d['reason'])}"
    return text


@dataclass(frozen=True)
class DeclineRecord:
    treatment: str = declared("Treatment declined", "choice", DECLINABLE, required=True)
    reason: str = declared("Patient's reason", "notes")


KIND = Kind(
    name="decline",
    label="Patient declined",
    model=Decline,
    order=80,
    menu_text="Patient &declined…",
    style=Style("#616161", "nosign", "⊘"),
    record=DeclineRecord,
    summarize=summarize,
    example={"treatment": "injection", "reason": "needle phobia"},
)
