"""Imaging result: an X-ray, MRI, CT, ultrasound or bone scan and what it showed.

A record of the study, not a reading of it: the pathway does not use imaging
(CLINICAL.md), but letters carry it so the person receiving the patient
knows what has been looked at already.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import DocumentWording, Kind, Style, declared, first_line
from sijdesk.models.clinical import ImagingResult

MODALITIES = ("xray", "mri", "ct", "ultrasound", "bone_scan", "other")
MODALITY_WORDS = {
    "xray": "X-ray",
    "mri": "MRI",
    "ct": "CT",
    "ultrasound": "Ultrasound",
    "bone_scan": "Bone scan",
    "other": "Other imaging",
}
REGIONS = ("pelvis_sij", "lumbar_spine", "hip", "other")
REGION_WORDS = {
    "pelvis_sij": "Pelvis and sacroiliac joints",
    "lumbar_spine": "Lumbar spine",
    "hip": "Hip",
    "other": "Other region",
}


def _study(modality: str | None, region: str | None) -> str:
    said = MODALITY_WORDS.get(modality or "", "Imaging")
    if region in (None, "", "other"):
        return said
    return f"{said} of the {REGION_WORDS.get(region or '', region or '').lower()}"


def _report(received: bool | None) -> str:
    if received is True:
        return "report received"
    if received is False:
        return "report awaited"
    return "report not recorded"


def summarize(d: Mapping[str, Any]) -> str:
    parts = [_study(d.get("modality"), d.get("region")), _report(d.get("report_received"))]
    if d.get("finding"):
        parts.append(first_line(d["finding"]))
    return " · ".join(parts)


def document_line(r: ImagingRecord) -> str:
    study = _study(r.modality, r.region)
    finding = (r.finding or "").strip().rstrip(".")
    text = f"{study}: {finding}" if finding else f"{study}: no finding recorded"
    return f"{text} ({_report(r.report_received)})."


@dataclass(frozen=True)
class ImagingRecord:
    modality: str = declared("Modality", "choice", MODALITIES, words=MODALITY_WORDS, required=True)
    region: str = declared("Region", "choice", REGIONS, words=REGION_WORDS, required=True)
    finding: str = declared(
        "Finding",
        "notes",
        max_length=20_000,
        hint="The report's conclusion, in a sentence or two.",
    )
    # True once the radiologist's report is in; None when not recorded.
    report_received: bool | None = declared("Report received", "yes_no")


KIND = Kind(
    name="imaging",
    label="Imaging result",
    model=ImagingResult,
    order=65,
    menu_text="Ima&ging result…",
    date_label="Date of the study",
    style=Style("#37474f", "square", "▣"),
    record=ImagingRecord,
    summarize=summarize,
    example={
        "modality": "mri",
        "region": "pelvis_sij",
        "finding": "No sacroiliitis; mild degenerative change of the left joint.",
        "report_received": True,
    },
    document=DocumentWording("Imaging", document_line),
)
