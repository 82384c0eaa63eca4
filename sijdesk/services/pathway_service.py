"""From an episode's record to pathway advice, and the clinician's decision on it.

CLINICAL.md §4 says how the facts are read from the record; the choices
it leaves open are written here:

- ``conservative.weeks`` counts from the first therapy session to today; an
  episode with no therapy session has 0 weeks of conservative care (a known
  fact: none yet), which is what makes the pathway offer a physiotherapy
  referral.
- ``conservative.response`` is the response of the most recent therapy
  session that recorded one; a later session without a judgement does not
  erase it.
- Weeks are days / 7, unrounded, so a threshold of 6 weeks is met on day 42.
- The baseline is the first measurement of each kind dated on or before the
  first therapy session, and only when a later measurement of that kind
  exists; an ODI whose answers cannot be scored is skipped for both.
- Events marked "entered in error" and superseded versions are never read.
- ``rheumatology_cleared`` is the latest rheumatology consult's "inflammatory
  disease excluded" answer.
- An SIJ fusion recorded as a procedure closes the pathway for the episode.

The pathway is decision support: nothing here changes the record except
``record_decision``, which the clinician asks for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sijdesk.errors import NotFound, UserError, ValidationError
from sijdesk.models import (
    Assessment,
    ClinicSettings,
    Consult,
    Decline,
    Episode,
    Injection,
    OutcomeMeasure,
    PathwayDecision,
    Patient,
    Procedure,
    TherapySession,
    TimelineEvent,
)
from sijdesk.pathway import (
    Advice,
    Facts,
    Thresholds,
    advise,
    facts_to_dict,
    load_default_thresholds,
    parse_thresholds,
)
from sijdesk.pathway import Baseline as FactBaseline
from sijdesk.pathway import Conservative as FactConservative
from sijdesk.pathway import Injection as FactInjection
from sijdesk.pathway import Provocation as FactProvocation
from sijdesk.pathway.scores import odi_percent
from sijdesk.pathway.vocab import STEPS
from sijdesk.services.context import ALL_ROLES, CLINICAL_ROLES, ServiceBase, covered_reads
from sijdesk.services.patients import age_on
from sijdesk.services.timeline import (
    TimelineEntry,
    TimelineService,
    current_events_stmt,
    current_patient_events_stmt,
    timeline_order,
)

PROVOCATION_FIELDS = (
    "distraction",
    "thigh_thrust",
    "compression",
    "sacral_thrust",
    "gaenslen_left",
    "gaenslen_right",
)


@dataclass(frozen=True)
class EpisodeAdvice:
    """What the step panel, the letters and the care plan show for one episode."""

    episode_id: int
    as_of: date
    facts: Facts
    advice: Advice | None
    closed_by: TimelineEntry | None = None
    current_step: str | None = None
    last_decision: TimelineEntry | None = None


@dataclass(frozen=True)
class Alert:
    """Something the patient header must show at a glance."""

    kind: str  # "red_flag" or "override"
    text: str
    day: date


def _weeks(since: date, as_of: date) -> float:
    return (as_of - since).days / 7


def build_facts(
    events: Iterable[TimelineEvent], *, born: date, onset: date | None, as_of: date
) -> Facts:
    """The pathway facts of an episode from its current, valid events (CLINICAL.md §4)."""
    events = sorted(
        (e for e in events if not e.entered_in_error and e.event_date <= as_of),
        key=lambda e: (e.event_date, e.root_id or e.id),
    )
    assessments = [e for e in events if isinstance(e, Assessment)]
    outcomes = [e for e in events if isinstance(e, OutcomeMeasure)]
    sessions = [e for e in events if isinstance(e, TherapySession)]
    injections = [e for e in events if isinstance(e, Injection)]

    latest = assessments[-1] if assessments else None
    tested = [a for a in assessments if any(getattr(a, t) is not None for t in PROVOCATION_FIELDS)]
    provocation_source = tested[-1] if tested else None

    nrs_events = [o for o in outcomes if o.nrs is not None]
    odi_events = [o for o in outcomes if o.odi_items and odi_percent(o.odi_items) is not None]

    first_session = sessions[0].event_date if sessions else None
    conservative_weeks = _weeks(first_session, as_of) if first_session else 0.0
    responses = [s.response for s in sessions if s.response]

    baseline_nrs = baseline_odi = None
    if first_session is not None:
        early_nrs = [o for o in nrs_events if o.event_date <= first_session]
        if early_nrs and early_nrs[0] is not nrs_events[-1]:
            baseline_nrs = early_nrs[0].nrs
        early_odi = [o for o in odi_events if o.event_date <= first_session]
        if early_odi and early_odi[0] is not odi_events[-1]:
            baseline_odi = odi_percent(early_odi[0].odi_items or ())
    baseline = (
        FactBaseline(nrs=baseline_nrs, odi_percent=baseline_odi)
        if baseline_nrs is not None or baseline_odi is not None
        else None
    )

    rheumatology = [
        c
        for c in events
        if isinstance(c, Consult)
        and c.specialty == "rheumatology"
        and c.inflammatory_disease_excluded is not None
    ]
    declines = {d.treatment for d in events if isinstance(d, Decline)}

    return Facts(
        as_of=as_of,
        age=age_on(born, as_of),
        pain_region=latest.pain_region if latest else None,
        pain_sites=tuple(latest.pain_sites) if latest else (),
        symptom_weeks=_weeks(onset, as_of) if onset else None,
        functional=tuple(latest.functional) if latest else (),
        provocation=(
            FactProvocation(**{t: getattr(provocation_source, t) for t in PROVOCATION_FIELDS})
            if provocation_source
            else None
        ),
        fortin_finger=provocation_source.fortin_finger if provocation_source else None,
        nrs=nrs_events[-1].nrs if nrs_events else None,
        odi_items=tuple(odi_events[-1].odi_items or ()) if odi_events else None,
        baseline=baseline,
        red_flags=tuple(latest.red_flags) if latest else (),
        inflammatory=tuple(latest.inflammatory) if latest else (),
        conservative=FactConservative(
            weeks=conservative_weeks, response=responses[-1] if responses else None
        ),
        injections=tuple(
            FactInjection(
                date=i.event_date,
                kind=i.purpose,
                relief_percent=i.relief_percent,
                relief_weeks=i.relief_weeks,
            )
            for i in injections
        ),
        symptoms=tuple(latest.symptoms) if latest else (),
        nsaid_cautions=tuple(latest.nsaid_cautions) if latest else (),
        declines=tuple(sorted(declines)),
        nicotine=latest.nicotine if latest else None,
        rheumatology_cleared=rheumatology[-1].inflammatory_disease_excluded
        if rheumatology
        else None,
    )


def _alerts_of(events: list[TimelineEvent]) -> list[Alert]:
    """Each episode's red flags (its latest assessment) and overrides, episode by episode."""
    alerts: list[Alert] = []
    latest_assessment: dict[int, Assessment] = {}
    for event in events:  # by episode, then date and entry order
        if isinstance(event, Assessment):
            latest_assessment[event.episode_id] = event
    for episode_id in sorted({e.episode_id for e in events}):
        assessment = latest_assessment.get(episode_id)
        if assessment is not None and assessment.red_flags:
            flags = ", ".join(f.replace("_", " ") for f in assessment.red_flags)
            alerts.append(Alert("red_flag", f"Red flag on record: {flags}", assessment.event_date))
        for decision in events:
            if (
                decision.episode_id == episode_id
                and isinstance(decision, PathwayDecision)
                and decision.decision == "overridden"
            ):
                alerts.append(
                    Alert(
                        "override",
                        f"Pathway advice overridden: {decision.reason}",
                        decision.event_date,
                    )
                )
    return alerts


class PathwayService(ServiceBase):
    """Advice for an episode, built from its record, and decisions about it."""

    log_name = "pathway"

    def __init__(self, db, actor, *, clock=date.today, timeline: TimelineService):
        """The clinic's timeline service is passed in (Clinic wires it), never copied."""
        super().__init__(db, actor, clock=clock)
        self._timeline = timeline

    def thresholds(self) -> Thresholds:
        """The shipped defaults with the clinic's own values over them."""
        self.require(ALL_ROLES, "read the pathway thresholds")
        with self.db.read() as session:
            return self._thresholds(session)

    def set_clinic_thresholds(self, values: dict[str, Any]) -> Thresholds:
        """Replace the clinic's own thresholds ({name: value}); an audited admin action.

        An empty mapping returns the clinic to the shipped defaults.
        """
        from sijdesk.models import utcnow
        from sijdesk.pathway import ThresholdsError

        self.require(frozenset({"admin"}), "change the pathway thresholds")
        try:
            merged = parse_thresholds(values, base=load_default_thresholds()) if values else None
        except ThresholdsError as exc:
            raise ValidationError({exc.name: str(exc)}) from exc
        with self.db.write() as session:
            settings = session.get(ClinicSettings, 1)
            if settings is None:
                raise UserError("This clinic database has no settings row; it may be damaged.")
            before = dict(settings.pathway_thresholds or {})
            settings.pathway_thresholds = dict(values)
            settings.updated_at = utcnow()
            settings.updated_by_id = self.actor.id
            self.audit(
                session,
                "update",
                "pathway_thresholds",
                1,
                summary="changed pathway thresholds",
                details={"before": before, "after": dict(values)},
            )
        return merged or load_default_thresholds()

    def _thresholds(self, session: Session) -> Thresholds:
        settings = session.get(ClinicSettings, 1)
        own = settings.pathway_thresholds if settings else None
        defaults = load_default_thresholds()
        return parse_thresholds(own, base=defaults) if own else defaults

    def _episode_events(self, session: Session, episode_id: int, *, order: list | None = None):
        episode = session.get(Episode, episode_id)
        if episode is None:
            raise NotFound(f"No episode with id {episode_id}.")
        patient = session.get(Patient, episode.patient_id)
        stmt = current_events_stmt(episode_id)
        if order is not None:
            stmt = stmt.order_by(*order)
        events = list(session.scalars(stmt))
        return episode, patient, events

    def facts_for_episode(self, episode_id: int) -> Facts:
        self.require(CLINICAL_ROLES, "read clinical records")
        with self.db.read() as session:
            episode, patient, events = self._episode_events(session, episode_id)
            facts = build_facts(
                events, born=patient.date_of_birth, onset=episode.onset_date, as_of=self.today()
            )
        self.audit_read(
            "pathway.facts",
            "episode",
            episode_id,
            patient_id=episode.patient_id,
            summary="read the facts the pathway uses",
        )
        return facts

    def episode_advice(self, episode_id: int) -> EpisodeAdvice:
        """The advice for an episode today, with where the patient is now."""
        self.require(CLINICAL_ROLES, "read clinical records")
        as_of = self.today()
        with self.db.read() as session:
            episode, patient, events = self._episode_events(session, episode_id)
            result = self._advice_in(session, episode, patient, events, as_of)
        self._audit_advice(episode, result)
        return result

    def episode_view(
        self,
        episode_id: int,
        *,
        kinds: Iterable[str] | None = None,
        include_removed: bool = False,
        newest_first: bool = True,
    ) -> tuple[list[TimelineEntry], EpisodeAdvice]:
        """The episode's timeline (as ``TimelineService.entries`` with these filters) and
        its advice, from one read of its events in one transaction: what the window
        shows when it opens a patient. Reading them apart read every event twice
        (about 10 of the 25 ms a 200-event patient took to read)."""
        self.require(CLINICAL_ROLES, "read clinical records")
        as_of = self.today()
        wanted = set(kinds) if kinds is not None else None
        with self.db.read() as session:
            episode, patient, events = self._episode_events(
                session, episode_id, order=timeline_order(newest_first)
            )
            shown = [
                e
                for e in events
                if (wanted is None or e.kind in wanted)
                and (include_removed or not e.entered_in_error)
            ]
            entries = self._timeline.entries_in(session, shown)
            result = self._advice_in(session, episode, patient, events, as_of)
        self._timeline._audit_timeline_read(episode, entries, wanted)
        self._audit_advice(episode, result)
        return entries, result

    def _advice_in(
        self, session: Session, episode: Episode, patient: Patient, events: list, as_of: date
    ) -> EpisodeAdvice:
        thresholds = self._thresholds(session)
        facts = build_facts(
            events, born=patient.date_of_birth, onset=episode.onset_date, as_of=as_of
        )
        valid = [e for e in events if not e.entered_in_error]
        fusions = [e for e in valid if isinstance(e, Procedure) and e.procedure == "sij_fusion"]
        decisions = sorted(
            (e for e in valid if isinstance(e, PathwayDecision)),
            key=lambda e: (e.event_date, e.id),
        )
        # Read in the same transaction as the facts, so they describe one moment.
        closed_by = self._timeline.entry_in(session, fusions[-1].id) if fusions else None
        last_decision = self._timeline.entry_in(session, decisions[-1].id) if decisions else None
        current_step = None
        if decisions:
            last = decisions[-1]
            current_step = last.advised_step if last.decision == "accepted" else last.chosen_step
        advice = None if closed_by else advise(facts, thresholds)
        return EpisodeAdvice(
            episode_id=episode.id,
            as_of=as_of,
            facts=facts,
            advice=advice,
            closed_by=closed_by,
            current_step=current_step,
            last_decision=last_decision,
        )

    def _audit_advice(self, episode: Episode, result: EpisodeAdvice) -> None:
        advice = result.advice
        self.audit_read(
            "advice.shown",
            "episode",
            episode.id,
            patient_id=episode.patient_id,
            summary=f"shown pathway advice: {advice.step}" if advice else "shown a closed pathway",
            details={
                "step": advice.step if advice else None,
                "pathway_version": advice.pathway_version if advice else None,
            },
        )

    def record_decision(
        self,
        episode_id: int,
        advice: Advice,
        *,
        accepted: bool,
        reason: str = "",
        chosen_step: str | None = None,
    ) -> TimelineEntry:
        """Store the clinician's answer to the advice shown, with a snapshot of it.

        Refuses when the record changed after the advice was shown (the
        clinician must see the new advice first) and an override without a
        reason.
        """
        self.require(CLINICAL_ROLES, "record pathway decisions")
        reason = (reason or "").strip()
        errors: dict[str, str] = {}
        if not accepted:
            if not reason:
                errors["reason"] = "an override needs a reason"
            if chosen_step is not None and chosen_step not in STEPS:
                errors["chosen_step"] = "must be one of: " + ", ".join(STEPS)
            if chosen_step == advice.step and not errors:
                errors["chosen_step"] = "is the advised step; accept the advice instead"
        if errors:
            raise ValidationError(errors)
        as_of = self.today()
        with self.db.write() as session:
            episode, patient, events = self._episode_events(session, episode_id)
            facts = build_facts(
                events, born=patient.date_of_birth, onset=episode.onset_date, as_of=as_of
            )
            fresh = advise(facts, self._thresholds(session))
            if fresh.to_dict() != advice.to_dict():
                raise ValidationError(
                    {
                        "advice": "the record changed after this advice was shown; "
                        "review the updated advice and decide again"
                    }
                )
            clean: dict[str, Any] = {
                "date": as_of,
                "decision": "accepted" if accepted else "overridden",
                "advised_step": advice.step,
                "chosen_step": advice.step if accepted else chosen_step,
                "reason": reason,
                "pathway_version": advice.pathway_version,
                "facts_snapshot": facts_to_dict(facts),
                "advice_snapshot": advice.to_dict(),
            }
            event = self._timeline.insert_event(session, episode, "decision", clean)
            event_id = event.id
        with covered_reads():  # the decision's own audit event covers reading it back
            return self._timeline.get(event_id)

    def patient_alerts(self, patient_id: int) -> list[Alert]:
        """Red flags in any episode's latest assessment, and every override on record."""
        self.require(CLINICAL_ROLES, "read clinical records")
        with self.db.read() as session:
            # One read of just the assessments and decisions, not every event of
            # every episode: this runs each time a patient is opened.
            events = session.scalars(
                current_patient_events_stmt(patient_id, ("assessment", "decision"))
            )
            alerts = _alerts_of(list(events))
        self.audit_read(
            "pathway.alerts",
            "patient",
            patient_id,
            patient_id=patient_id,
            summary=f"shown {len(alerts)} alerts",
        )
        return sorted(alerts, key=lambda a: (a.kind != "red_flag", a.day))
