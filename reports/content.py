"""Everything a document needs, gathered from the services into plain dataclasses.

The document modules (letters, care plan) read only these dataclasses, so
they can be tested without a database and the content of a document is
fixed before layout starts. :func:`gather_episode` is the one place that
calls the services; it uses the same services (and so the same permissions
and the same pathway advice) as the window and the command line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar

from sijdesk import pathway
from sijdesk.kinds import KINDS
from sijdesk.kinds.assessment import AssessmentRecord
from sijdesk.kinds.consult import ConsultRecord
from sijdesk.kinds.decline import DeclineRecord
from sijdesk.kinds.injection import InjectionRecord
from sijdesk.kinds.medication import MedicationRecord
from sijdesk.kinds.outcome import OutcomeRecord
from sijdesk.kinds.procedure import ProcedureRecord
from sijdesk.kinds.therapy import TherapyRecord
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

    date: date
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
    date: date
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
    date: date
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
    date: date
    specialty: str
    clinician: str
    outcome: str
    inflammatory_disease_excluded: bool | None


@dataclass(frozen=True)
class ProcedureRow:
    date: date
    procedure: str
    side: str
    surgeon: str


@dataclass(frozen=True)
class DeclineRow:
    date: date
    treatment: str
    reason: str


@dataclass(frozen=True)
class DeclaredSection:
    """Events of a kind that words itself in documents (sijdesk/kinds), dated lines."""

    heading: str
    lines: tuple[str, ...]


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


# -- gathering ------------------------------------------------------------------------


class _Services(Protocol):  # the parts of a Clinic that gathering uses
    patients: Any
    episodes: Any
    timeline: Any
    pathway: Any


PROVOCATION_TESTS = pathway.PROVOCATION_TESTS


def _exam(assessments: Sequence[tuple[date, AssessmentRecord]]) -> ExamFindings | None:
    if not assessments:
        return None
    when, latest = assessments[-1]
    tested = [
        (day, a)
        for day, a in assessments
        if any(getattr(a, t) is not None for t in PROVOCATION_TESTS)
    ]
    source_date, source = tested[-1] if tested else (None, None)
    return ExamFindings(
        date=when,
        pain_region=latest.pain_region,
        pain_sites=tuple(latest.pain_sites or ()),
        functional=tuple(latest.functional or ()),
        red_flags=tuple(latest.red_flags or ()),
        inflammatory=tuple(latest.inflammatory or ()),
        symptoms=tuple(latest.symptoms or ()),
        nsaid_cautions=tuple(latest.nsaid_cautions or ()),
        nicotine=latest.nicotine,
        findings=(latest.findings or "").strip(),
        provocation_date=source_date,
        provocation={t: getattr(source, t) for t in PROVOCATION_TESTS} if source else {},
        fortin_finger=source.fortin_finger if source else None,
    )


R = TypeVar("R")


def _records(entries: Sequence[Any], record_type: type[R]) -> list[tuple[date, R]]:
    """The (date, typed record) of each entry of one kind, oldest first."""
    return [(e.event_date, e.record) for e in entries if isinstance(e.record, record_type)]


def content_from_entries(
    *,
    as_of: date,
    letterhead: Letterhead,
    signer: Signer,
    patient: PatientInfo,
    episode: EpisodeInfo,
    entries: Sequence[Any],
    advice: Advice | None,
    closed_by: str | None = None,
    current_step: str | None = None,
) -> EpisodeContent:
    """Build the content from timeline entries (oldest first, current versions only)."""
    entries = [e for e in entries if not e.entered_in_error and e.event_date <= as_of]
    by_kind: dict[str, list[Any]] = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)

    outcomes = []
    for day, outcome in _records(entries, OutcomeRecord):
        odi = pathway.odi_percent(tuple(outcome.odi_items)) if outcome.odi_items else None
        if outcome.nrs is not None or odi is not None:
            outcomes.append(OutcomePoint(day, outcome.nrs, odi))

    sessions = _records(entries, TherapyRecord)
    components: list[str] = []
    for _day, session in sessions:
        for c in session.components or ():
            if c not in components:
                components.append(c)
    judged = [(day, session) for day, session in sessions if session.response]
    therapy = TherapySummary(
        sessions=len(sessions),
        first=sessions[0][0] if sessions else None,
        last=sessions[-1][0] if sessions else None,
        components=tuple(c for c in pathway.COMPONENTS if c in components)
        + tuple(c for c in components if c not in pathway.COMPONENTS),
        latest_response=judged[-1][1].response if judged else None,
        latest_response_date=judged[-1][0] if judged else None,
    )
    injections = tuple(
        InjectionRow(
            date=day,
            purpose=i.purpose or "",
            side=i.side or "",
            agent=i.agent or "",
            image_guidance=i.image_guidance or "",
            pain_before=i.pain_before,
            pain_after=i.pain_after,
            relief_percent=i.relief_percent,
            relief_weeks=i.relief_weeks,
            performed_by=i.performed_by or "",
        )
        for day, i in _records(entries, InjectionRecord)
    )
    medications = tuple(
        MedicationRow(
            start=day,
            category=m.category or "other",
            name=m.name or "",
            stop=m.stop_date,
            reason=m.reason or "",
            cautions=m.cautions or "",
        )
        for day, m in _records(entries, MedicationRecord)
    )
    consults = tuple(
        ConsultRow(
            day,
            c.specialty or "other",
            c.clinician or "",
            (c.outcome or "").strip(),
            c.inflammatory_disease_excluded,
        )
        for day, c in _records(entries, ConsultRecord)
    )
    procedures = tuple(
        ProcedureRow(day, p.procedure or "other", p.side or "", p.surgeon or "")
        for day, p in _records(entries, ProcedureRecord)
    )
    declines = tuple(
        DeclineRow(day, d.treatment or "", d.reason or "")
        for day, d in _records(entries, DeclineRecord)
    )
    return EpisodeContent(
        as_of=as_of,
        letterhead=letterhead,
        signer=signer,
        patient=patient,
        episode=episode,
        exam=_exam(_records(entries, AssessmentRecord)),
        outcomes=tuple(outcomes),
        therapy=therapy,
        injections=injections,
        medications=medications,
        consults=consults,
        procedures=procedures,
        declines=declines,
        declared=_declared_sections(by_kind),
        advice=advice,
        closed_by=closed_by,
        current_step=current_step,
    )


def gather_episode(
    services: _Services,
    episode_id: int,
    *,
    letterhead: Letterhead,
    signer: Signer,
) -> EpisodeContent:
    """Read one episode through the services (clinical roles only) and its advice."""
    episode = services.episodes.get(episode_id)
    details = services.patients.get(episode.patient_id)
    entries = services.timeline.entries(episode_id, newest_first=False)
    episode_advice = services.pathway.episode_advice(episode_id)
    closed_by = None
    if episode_advice.closed_by is not None:
        event = episode_advice.closed_by
        record = event.record
        fusion = isinstance(record, ProcedureRecord) and record.procedure == "sij_fusion"
        what = "SIJ fusion" if fusion else event.summary
        side = record.side if isinstance(record, ProcedureRecord) else None
        closed_by = f"{what}, {side} side, on {event.event_date.isoformat()}"
        if side == "bilateral":
            closed_by = f"{what} of both sides on {event.event_date.isoformat()}"
    return content_from_entries(
        as_of=episode_advice.as_of,
        letterhead=letterhead,
        signer=signer,
        patient=PatientInfo.of(details),
        episode=EpisodeInfo(
            episode.id, episode.side, episode.onset_date, episode.title or "", episode.status
        ),
        entries=entries,
        advice=episode_advice.advice,
        closed_by=closed_by,
        current_step=episode_advice.current_step,
    )


def _declared_sections(by_kind: Mapping[str, list[Any]]) -> tuple[DeclaredSection, ...]:
    """One section per kind that declares its wording, in the kinds' order."""
    sections = []
    for kind in KINDS.values():
        if kind.document is None or not by_kind.get(kind.name):
            continue
        lines = tuple(
            f"{e.event_date.isoformat()} {kind.document.line(e.record)}" for e in by_kind[kind.name]
        )
        sections.append(DeclaredSection(kind.document.heading, lines))
    return tuple(sections)
