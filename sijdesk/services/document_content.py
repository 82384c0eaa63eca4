"""Gathering what a letter or care plan prints about one episode.

The documents service reads the record once, through the other services, and
hands the renderers (sijdesk/reports) a finished EpisodeContent; the
renderers never read the database or call a service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

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
from sijdesk.reports.content import (
    NOT_RECORDED,
    AllergyNote,
    ConsultRow,
    DeclaredSection,
    DeclineRow,
    EpisodeContent,
    EpisodeInfo,
    ExamFindings,
    InjectionRow,
    MedicationRow,
    OutcomePoint,
    PatientInfo,
    ProcedureRow,
    Signer,
    TherapySummary,
)
from sijdesk.reports.styles import Letterhead
from sijdesk.services.allergies import AllergyService
from sijdesk.services.episodes import EpisodeService
from sijdesk.services.pathway_service import PathwayService
from sijdesk.services.patients import PatientService
from sijdesk.services.timeline import TimelineService

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
        day=when,
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
    allergies: AllergyNote = NOT_RECORDED,
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
            day=day,
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
        allergies=allergies,
    )


def gather_episode(
    *,
    patients: PatientService,
    episodes: EpisodeService,
    timeline: TimelineService,
    pathway_service: PathwayService,
    allergies: AllergyService,
    episode_id: int,
    letterhead: Letterhead,
    signer: Signer,
) -> EpisodeContent:
    """Read one episode through the services (clinical roles only) and its advice."""
    episode = episodes.get(episode_id)
    details = patients.get(episode.patient_id)
    entries = timeline.entries(episode_id, newest_first=False)
    allergy_status = allergies.status(episode.patient_id)
    episode_advice = pathway_service.episode_advice(episode_id)
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
        allergies=AllergyNote(allergy_status.state, allergy_status.line),
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
