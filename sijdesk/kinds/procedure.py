"""Procedure: SIJ fusion, radiofrequency ablation or another intervention."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, words
from sijdesk.kinds.injection import INJECTION_SIDES
from sijdesk.models.clinical import Procedure

PROCEDURES = ("sij_fusion", "radiofrequency_ablation", "other")
_NAMES = {"sij_fusion": "SIJ fusion", "radiofrequency_ablation": "radiofrequency ablation"}


def summarize(d: Mapping[str, Any]) -> str:
    name = _NAMES.get(d.get("procedure", ""), words(d.get("procedure")))
    return f"{name} · {d.get('side', '')}"


@dataclass(frozen=True)
class ProcedureRecord:
    procedure: str = declared("Procedure", "choice", PROCEDURES, required=True)
    side: str = declared("Side", "choice", INJECTION_SIDES, required=True)
    surgeon: str = declared("Surgeon", "text", max_length=200)
    notes: str = declared("Notes", "notes", max_length=20_000)


KIND = Kind(
    name="procedure",
    label="Procedure",
    model=Procedure,
    order=70,
    menu_text="&Procedure…",
    date_label="Date of the procedure",
    style=Style("#b71c1c", "cross", "✚"),
    record=ProcedureRecord,
    summarize=summarize,
    example={"procedure": "sij_fusion", "side": "left"},
)
