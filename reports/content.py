"""Everything a document needs, gathered from the services into plain dataclasses.

The document modules (letters, care plan) read only these dataclasses, so
they can be tested without a database and the content of a document is
fixed before layout starts. :func:`gather_episode` is the one place that
calls the services; it uses the same services (and so the same permissions
and the same pathway advice) as the window and the command line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sijdesk import pathway
from sijdesk.pathway import Advice
from sijdesk.reports.styles import Letterhead, PageIdentity

# -- people ---------------------------------------------------------------------------


def _is_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


@dataclass(frozen=True)
class PatientInfo:
    """The patient's identifiers and contact details."""

    id: int
    record_number: str
    given_names: str
    family_name: str
    date_of_birth: date
    sex: str = "unknown"
    address: str = ""
    phone: str = ""
    referring_practitioner: str = ""
    gp_contact_id: int | None = None  # the family doctor in the clinic's address book

    @classmethod
    def of(cls, patient) -> PatientInfo:
        """From anything with a patient's fields (a service's PatientDetails or the model)."""
        return cls(
            id=patient.id,
            record_number=patient.record_number,
            given_names=patient.given_names,
            family_name=patient.family_name,
            date_of_birth=patient.date_of_birth,
            sex=patient.sex,
            address=patient.address or "",
            phone=patient.phone or "",
            referring_practitioner=patient.referring_practitioner or "",
            gp_contact_id=getattr(patient, "gp_contact_id", None),
        )

    @property
    def display_name(self) -> str:
        """``FAMILY, Given``: the form used on every page and in lists."""
        return f"{self.family_name.upper()}, {self.given_names}"

    @property
    def full_name(self) -> str:
        """The name as written in a sentence (family name first for Chinese names)."""
        if _is_cjk(self.family_name) and _is_cjk(self.given_names):
            return f"{self.family_name}{self.given_names}"
        return f"{self.given_names} {self.family_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def identity(self) -> PageIdentity:
        return PageIdentity(self.display_name, self.date_of_birth, self.record_number)


@dataclass(frozen=True)
class Signer:
    """The clinician who signs a letter or a care plan."""

    name: str
    credentials: str = ""
    signature_png: bytes | None = None


# -- the record -----------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeInfo:
    id: int
    side: str
    onset_date: date | None
    title: str
    status: str

    @property
    def side_words(self) -> str:
        return {
            "left": "the left sacroiliac joint",
            "right": "the right sacroiliac joint",
            "bilateral": "both sacroiliac joints",
        }.get(self.side, "the sacroiliac joint (side not recorded)")

    @property
    def injection_target(self) -> str:
        """The joint(s) an injection would go into, as the letter says it."""
        return {
            "left": "the left sacroiliac joint",
            "right": "the right sacroiliac joint",
            "bilateral": "both sacroiliac joints",
        }.get(self.side, "the affected sacroiliac joint")


@dataclass(frozen=True)
class ExamFindings:
    """The latest assessment, with provocation results from the latest one that tested."""

    day: date
    pain_region: str | None
    pain_sites: tuple[str, ...]
    functional: tuple[str, ...]
    red_flags: tuple[str, ...]
    inflammatory: tuple[str, ...]
    symptoms: tuple[str, ...]
    nsaid_cautions: tuple[str, ...]
    nicotine: bool | None
    findings: str
    provocation_date: date | None = None
    provocation: Mapping[str, bool | None] = field(default_factory=dict)
    fortin_finger: bool | None = None

    @property
    def tests_done(self) -> int:
        return sum(1 for v in self.provocation.values() if v is not None)

    @property
    def tests_positive(self) -> int:
        return sum(1 for v in self.provocation.values() if v)


@dataclass(frozen=True)
class OutcomePoint:
    day: date
    nrs: int | None
    odi_percent: float | None

    @property
    def odi_band(self) -> str | None:
        return pathway.odi_band(self.odi_percent)


@dataclass(frozen=True)
class TherapySummary:
    sessions: int = 0
    first: date | None = None
    last: date | None = None
    components: tuple[str, ...] = ()
    latest_response: str | None = None
    latest_response_date: date | None = None

    def weeks_to(self, as_of: date) -> float:
        return 0.0 if self.first is None else (as_of - self.first).days / 7


@dataclass(frozen=True)
class InjectionRow:
    day: date
    purpose: str
    side: str
    agent: str
    image_guidance: str
    pain_before: int | None
    pain_after: int | None
    relief_percent: float | None
    relief_weeks: float | None
    performed_by: str


@dataclass(frozen=True)
class MedicationRow:
    start: date
    category: str
    name: str
    stop: date | None
    reason: str
    cautions: str

    def current_on(self, day: date) -> bool:
        return self.start <= day and (self.stop is None or self.stop >= day)


@dataclass(frozen=True)
class ConsultRow:
    day: date
    specialty: str
    clinician: str
    outcome: str
    inflammatory_disease_excluded: bool | None


@dataclass(frozen=True)
class ProcedureRow:
    day: date
    procedure: str
    side: str
    surgeon: str


@dataclass(frozen=True)
class DeclineRow:
    day: date
    treatment: str
    reason: str


@dataclass(frozen=True)
class DeclaredSection:
    """Events of a kind that words itself in documents (sijdesk/kinds), dated lines."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class AllergyNote:
    """The allergy status as documents print it (gathered from the allergy service)."""

    state: str  # "not_recorded", "none_known" or "listed"
    line: str  # "Allergies: none known (recorded 2026-11-19)." and so on

    @property
    def stands_out(self) -> bool:
        """Printed in bold: a list to act on, or a question nobody has asked yet."""
        return self.state != "none_known"


NOT_RECORDED = AllergyNote("not_recorded", "Allergies: not recorded.")


@dataclass(frozen=True)
class EpisodeContent:
    """Everything a letter or a care plan about one episode prints."""

    as_of: date
    letterhead: Letterhead
    signer: Signer
    patient: PatientInfo
    episode: EpisodeInfo
    exam: ExamFindings | None
    outcomes: tuple[OutcomePoint, ...]
    therapy: TherapySummary
    injections: tuple[InjectionRow, ...]
    medications: tuple[MedicationRow, ...]
    consults: tuple[ConsultRow, ...]
    procedures: tuple[ProcedureRow, ...]
    declines: tuple[DeclineRow, ...]
    advice: Advice | None
    closed_by: str | None = None
    current_step: str | None = None
    declared: tuple[DeclaredSection, ...] = ()
    # A document that was not told says "not recorded", never nothing.
    allergies: AllergyNote = NOT_RECORDED

    @property
    def pathway_version(self) -> str:
        return self.advice.pathway_version if self.advice else pathway.PATHWAY_VERSION

    @property
    def age(self) -> int:
        return self.patient.age_on(self.as_of)

    @property
    def symptom_weeks(self) -> float | None:
        onset = self.episode.onset_date
        return None if onset is None else (self.as_of - onset).days / 7

    def current_medications(self) -> list[MedicationRow]:
        return [m for m in self.medications if m.current_on(self.as_of)]

    def threshold(self, name: str, default: Any) -> Any:
        if self.advice is not None and name in self.advice.thresholds:
            return self.advice.thresholds[name]
        return default
