"""A free-text clinical note."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, first_line
from sijdesk.models.clinical import Note


def summarize(d: Mapping[str, Any]) -> str:
    return first_line(d.get("text", ""))


@dataclass(frozen=True)
class NoteRecord:
    text: str = declared("Note", "notes", required=True, max_length=50_000, lines=8)


KIND = Kind(
    name="note",
    label="Note",
    model=Note,
    order=90,
    menu_text="&Note…",
    style=Style("#455a64", "lines", "≡"),
    record=NoteRecord,
    summarize=summarize,
    example={"text": "Discussed goals: walk the dog daily."},
)
