"""Specialist consult (surgical, rheumatology, pain medicine) and its outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, first_line, words
from sijdesk.models.clinical import Consult

CONSULT_SPECIALTIES = ("spine_surgery", "rheumatology", "pain_medicine", "other")


def summarize(d: Mapping[str, Any]) -> str:
    text = words(d.get("specialty"))
    if d.get("inflammatory_disease_excluded") is True:
        text += " · inflammatory disease excluded"
    elif d.get("inflammatory_disease_excluded") is False:
        text += " · inflammatory disease not excluded"
    if d.get("outcome"):
        text += f" · {first_line(d['outcome'])}"
    return text


@dataclass(frozen=True)
class ConsultRecord:
    specialty: str = declared("Specialty", "choice", CONSULT_SPECIALTIES, required=True)
    clinician: str = declared("Clinician", "text", max_length=200)
    outcome: str = declared("Outcome", "notes", max_length=20_000)
    # Rheumatology: True when inflammatory disease was excluded.
    inflammatory_disease_excluded: bool | None = declared(
        "Inflammatory disease excluded",
        "yes_no",
        unknown_text="Not assessed",
        hint="For a rheumatology consult: Yes clears the patient for the SIJ pathway.",
    )


KIND = Kind(
    name="consult",
    label="Specialist consult",
    model=Consult,
    order=60,
    menu_text="Specialist &consult…",
    date_label="Date of the consult",
    style=Style("#795548", "person", "☺"),
    record=ConsultRecord,
    summarize=summarize,
    example={"specialty": "rheumatology", "inflammatory_disease_excluded": True},
)
