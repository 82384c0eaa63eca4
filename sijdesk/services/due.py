"""The follow-up ("Due") list: whom to call back, and why, each morning.

Four rules, each about an open episode, with the clinic's intervals
(``clinic_settings.due_*_weeks``); "more than N weeks" means the row is due
from the day after the N weeks are over (with 6 weeks: day 43, not 42):

- ``outcome_overdue``: no outcome measure for more than 6 weeks (counted from
  the last measure, or from the episode's first record when it has none);
- ``relief_unrecorded``: an injection whose relief is still not recorded more
  than 2 weeks after it;
- ``referral_unanswered``: a referral letter (the latest of its kind in the
  episode) without the step it asked for recorded on or after it, more than
  12 weeks after it (an urgent letter: any consult or procedure);
- ``red_flag_unreferred``: the latest assessment records a red flag and no
  urgent referral letter was written on or after it (due at once).

A row is hidden by a mark for it: "contacted" or "booked" made on or after the
day the row became due, or "snoozed" through its last day. Marks are
append-only and audited. Reception sees names, phone numbers and "Follow-up
due"; clinicians and administrators see the reason. Counted and paged in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from sijdesk.errors import NotFound, ValidationError
from sijdesk.models import (
    MARK_KINDS,
    Assessment,
    ClinicSettings,
    Consult,
    Episode,
    FollowUpMark,
    GeneratedDocument,
    Injection,
    Patient,
    TimelineEvent,
)
from sijdesk.services.context import ALL_ROLES, CLINICAL_ROLES, ServiceBase
from sijdesk.services.documents import LETTER_PREFIX, clinic_letterhead
from sijdesk.services.outcomes import REFERRAL_STEPS, _current

NEUTRAL_REASON = "Follow-up due"
REASONS = {
    "outcome_overdue": "No outcome measure for more than {weeks} weeks",
    "relief_unrecorded": "Injection relief not recorded {weeks} weeks after it",
    "referral_unanswered": "Referral letter without the step it asked for after {weeks} weeks",
    "red_flag_unreferred": "Red flag recorded and no urgent referral",
}
PAGE = 100


@dataclass(frozen=True)
class DueRow:
    patient_id: int
    record_number: str
    name: str
    phone: str
    episode_id: int
    rule: str
    subject_id: int | None  # the injection, letter or assessment the rule is about
    since: date  # the first day the row was due
    reason: str  # neutral for reception


@dataclass(frozen=True)
class DuePage:
    rows: list[DueRow]
    total: int
    offset: int


@dataclass(frozen=True)
class DueIntervals:
    outcome_weeks: int = 6
    relief_weeks: int = 2
    referral_weeks: int = 12


def _add_days(day: Any, days: int, session: Session) -> Any:
    """SQL: ``day`` plus ``days`` days, as a date."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(day, f"{days:+d} days")
    return day + days  # PostgreSQL: date plus integer is a date


class DueService(ServiceBase):
    log_name = "due"

    def intervals(self) -> DueIntervals:
        self.require(ALL_ROLES, "see the follow-up list")
        with self.db.read() as session:
            return self._intervals(session)

    def _intervals(self, session: Session) -> DueIntervals:
        settings = session.get(ClinicSettings, 1)
        if settings is None:
            return DueIntervals()
        return DueIntervals(
            settings.due_outcome_weeks or 6,
            settings.due_relief_weeks or 2,
            settings.due_referral_weeks or 12,
        )

    def page(self, *, offset: int = 0, limit: int = PAGE) -> DuePage:
        """Rows of the list, longest due first; audited as one read of the list."""
        self.require(ALL_ROLES, "see the follow-up list")
        clinical = self.actor.has_any(CLINICAL_ROLES)
        with self.db.read() as session:
            intervals = self._intervals(session)
            due = self._due(session, intervals).subquery("due")
            # The total rides on each row of the page (a window over the same pass), so
            # the list is worked out once, not once to count and once for the page.
            rows = session.execute(
                select(
                    due,
                    Patient.id.label("patient_id"),
                    Patient.record_number,
                    Patient.given_names,
                    Patient.family_name,
                    Patient.phone,
                    func.count().over().label("total"),
                )
                .join(Episode, Episode.id == due.c.episode_id)
                .join(Patient, Patient.id == Episode.patient_id)
                .order_by(due.c.since, Patient.record_number, due.c.rule, due.c.subject_id)
                .offset(max(0, offset))
                .limit(max(1, min(limit, 1000)))
            ).all()
            if rows:
                total = int(rows[0].total)
            else:  # past the end (or an empty list): count on its own
                total = session.execute(select(func.count()).select_from(due)).scalar_one()
        weeks = {
            "outcome_overdue": intervals.outcome_weeks,
            "relief_unrecorded": intervals.relief_weeks,
            "referral_unanswered": intervals.referral_weeks,
            "red_flag_unreferred": 0,
        }
        result = [
            DueRow(
                patient_id=row.patient_id,
                record_number=row.record_number,
                name=f"{row.given_names} {row.family_name}".strip(),
                phone=row.phone or "",
                episode_id=row.episode_id,
                rule=row.rule,
                subject_id=row.subject_id,
                since=row.since if isinstance(row.since, date) else date.fromisoformat(row.since),
                reason=REASONS[row.rule].format(weeks=weeks[row.rule])
                if clinical
                else NEUTRAL_REASON,
            )
            for row in rows
        ]
        if offset == 0:
            self.audit_read("due.view", "follow_up", None, details={"rows": total})
        return DuePage(result, total, offset)

    def count(self) -> int:
        """How many rows the list has (the toolbar's badge); not audited, names nothing."""
        self.require(ALL_ROLES, "see the follow-up list")
        with self.db.read() as session:
            due = self._due(session, self._intervals(session)).subquery("due")
            return session.execute(select(func.count()).select_from(due)).scalar_one()

    def mark(
        self,
        row: DueRow,
        kind: str,
        *,
        note: str = "",
        until: date | None = None,
    ) -> None:
        """Record that the row was dealt with: contacted, booked (a note), or snoozed
        until a day. Audited; the row leaves the list."""
        self.require(ALL_ROLES, "mark the follow-up list")
        errors: dict[str, str] = {}
        if kind not in MARK_KINDS:
            errors["kind"] = "must be contacted, booked or snoozed"
        note = (note or "").strip()
        if len(note) > 2000:
            errors["note"] = "is too long (at most 2000 characters)"
        if kind == "snoozed":
            if until is None:
                errors["until"] = "say until which day"
            elif until <= self.today():
                errors["until"] = "must be a day after today"
            elif until > self.today() + timedelta(days=366):
                errors["until"] = "must be within a year"
        if errors:
            raise ValidationError(errors)
        with self.db.write() as session:
            episode = session.get(Episode, row.episode_id)
            if episode is None:
                raise NotFound("That episode no longer exists.")
            mark = FollowUpMark(
                episode_id=row.episode_id,
                rule=row.rule,
                subject_id=row.subject_id,
                kind=kind,
                note=note,
                until=until if kind == "snoozed" else None,
                marked_on=self.today(),
                created_by_id=self.actor.id,
            )
            session.add(mark)
            session.flush()
            self.audit(
                session,
                f"due.{kind}",
                "follow_up_mark",
                mark.id,
                patient_id=episode.patient_id,
                details={"rule": row.rule, "episode_id": row.episode_id},
            )

    def call_list_pdf(self, *, limit: int = 500) -> bytes:
        """The list printed for calling (the longest due first, at most ``limit`` rows),
        in the words the acting user's role sees; audited."""
        page = self.page(limit=limit)
        from sijdesk.reports.call_list import render_call_list

        with self.db.read() as session:
            letterhead = clinic_letterhead(session)
        pdf = render_call_list(
            [
                (row.since.isoformat(), row.record_number, row.name, row.phone, row.reason)
                for row in page.rows
            ],
            printed_on=self.today(),
            total=page.total,
            letterhead=letterhead,
        )
        self.audit_read("due.print", "follow_up", None, details={"rows": len(page.rows)})
        return pdf

    # -- the rules, in SQL ------------------------------------------------------------------------

    def _due(self, session: Session, intervals: DueIntervals):
        today = self.today()
        rules = [
            self._outcome_overdue(session, today, intervals.outcome_weeks),
            self._relief_unrecorded(session, today, intervals.relief_weeks),
            self._referral_unanswered(session, today, intervals.referral_weeks),
            self._red_flag_unreferred(),
        ]
        rows = union_all(*rules).subquery("rules")
        mark = aliased(FollowUpMark)
        handled = (
            select(mark.id)
            .where(
                mark.episode_id == rows.c.episode_id,
                mark.rule == rows.c.rule,
                or_(
                    mark.subject_id == rows.c.subject_id,
                    and_(mark.subject_id.is_(None), rows.c.subject_id.is_(None)),
                ),
                or_(
                    and_(mark.kind.in_(("contacted", "booked")), mark.marked_on >= rows.c.since),
                    and_(mark.kind == "snoozed", mark.until >= today),
                ),
            )
            .exists()
        )
        return select(rows).where(~handled)

    def _open(self, event: Any) -> Any:
        return (
            select(Episode.id)
            .where(Episode.id == event.episode_id, Episode.status == "open")
            .exists()
        )

    def _outcome_overdue(self, session: Session, today: date, weeks: int):
        """Open episodes whose last outcome measure (or, with none, first record) is more
        than ``weeks`` old. Each database's planner has its own fastest form (at 100,000
        patients): SQLite looks up each open episode's last measure and first record by
        index (the count 0.4 s; grouping every record took 0.8 s); PostgreSQL groups
        every current record of the open episodes in one pass (0.6 s; the lookups made
        the whole list take 3 s there)."""
        if session.get_bind().dialect.name != "sqlite":
            return self._outcome_overdue_grouped(session, today, weeks)
        measure = aliased(TimelineEvent)
        first = aliased(TimelineEvent)
        last_measure = (
            select(func.max(measure.event_date))
            .where(
                measure.kind == "outcome",
                measure.episode_id == Episode.id,
                _current(measure),
            )
            .scalar_subquery()
        )
        first_record = (
            select(func.min(first.event_date))
            .where(first.episode_id == Episode.id, _current(first))
            .scalar_subquery()
        )
        anchors = (
            select(
                Episode.id.label("episode_id"),
                func.coalesce(last_measure, first_record).label("anchor"),
            )
            .where(Episode.status == "open")
            .subquery("anchors")
        )
        return select(
            anchors.c.episode_id,
            literal("outcome_overdue").label("rule"),
            null().label("subject_id"),
            _add_days(anchors.c.anchor, weeks * 7 + 1, session).label("since"),
        ).where(anchors.c.anchor < today - timedelta(weeks=weeks))

    def _outcome_overdue_grouped(self, session: Session, today: date, weeks: int):
        event = aliased(TimelineEvent)
        last_measure = func.max(case((event.kind == "outcome", event.event_date), else_=None))
        anchor = func.coalesce(last_measure, func.min(event.event_date))
        return (
            select(
                event.episode_id.label("episode_id"),
                literal("outcome_overdue").label("rule"),
                null().label("subject_id"),
                _add_days(anchor, weeks * 7 + 1, session).label("since"),
            )
            .join(Episode, Episode.id == event.episode_id)
            .where(Episode.status == "open", _current(event))
            .group_by(event.episode_id)
            .having(anchor < today - timedelta(weeks=weeks))
        )

    def _relief_unrecorded(self, session: Session, today: date, weeks: int):
        event = aliased(TimelineEvent)
        shot = Injection.__table__.alias("shot")
        return (
            select(
                event.episode_id.label("episode_id"),
                literal("relief_unrecorded").label("rule"),
                event.id.label("subject_id"),
                _add_days(event.event_date, weeks * 7 + 1, session).label("since"),
            )
            .join(shot, shot.c.id == event.id)
            .where(
                event.kind == "injection",
                shot.c.relief_percent.is_(None),
                event.event_date < today - timedelta(weeks=weeks),
                self._open(event),
                _current(event),
            )
        )

    def _referral_unanswered(self, session: Session, today: date, weeks: int):
        letter = aliased(TimelineEvent)
        document = GeneratedDocument.__table__.alias("document")
        latest = aliased(TimelineEvent)
        later_document = GeneratedDocument.__table__.alias("later_document")
        newer_letter = (
            select(latest.id)
            .join(later_document, later_document.c.id == latest.id)
            .where(
                latest.episode_id == letter.episode_id,
                latest.kind == "document",
                later_document.c.document_kind == document.c.document_kind,
                or_(
                    latest.event_date > letter.event_date,
                    and_(latest.event_date == letter.event_date, latest.id > letter.id),
                ),
                _current(latest),
            )
            .exists()
        )
        step = aliased(TimelineEvent)
        consult = Consult.__table__.alias("consult")
        asked_for = []
        for kind, _label, records in REFERRAL_STEPS:
            options = []
            for record_kind, specialty in records:
                if specialty is None:
                    options.append(step.kind == record_kind)
                else:
                    options.append(
                        and_(
                            step.kind == record_kind,
                            select(consult.c.id)
                            .where(consult.c.id == step.id, consult.c.specialty == specialty)
                            .exists(),
                        )
                    )
            asked_for.append(and_(document.c.document_kind == LETTER_PREFIX + kind, or_(*options)))
        asked_for.append(
            and_(
                document.c.document_kind == LETTER_PREFIX + "urgent",
                step.kind.in_(("consult", "procedure")),
            )
        )
        answered = (
            select(step.id)
            .where(
                step.episode_id == letter.episode_id,
                step.event_date >= letter.event_date,
                or_(*asked_for),
                _current(step),
            )
            .exists()
        )
        return (
            select(
                letter.episode_id.label("episode_id"),
                literal("referral_unanswered").label("rule"),
                letter.id.label("subject_id"),
                _add_days(letter.event_date, weeks * 7 + 1, session).label("since"),
            )
            .join(document, document.c.id == letter.id)
            .where(
                letter.kind == "document",
                document.c.document_kind.like(LETTER_PREFIX + "%"),
                letter.event_date < today - timedelta(weeks=weeks),
                self._open(letter),
                _current(letter),
                ~newer_letter,
                ~answered,
            )
        )

    def _red_flag_unreferred(self):
        event = aliased(TimelineEvent)
        assessment = Assessment.__table__.alias("assessment")
        newer = aliased(TimelineEvent)
        later_assessment = (
            select(newer.id)
            .where(
                newer.episode_id == event.episode_id,
                newer.kind == "assessment",
                or_(
                    newer.event_date > event.event_date,
                    and_(newer.event_date == event.event_date, newer.id > event.id),
                ),
                _current(newer),
            )
            .exists()
        )
        letter = aliased(TimelineEvent)
        document = GeneratedDocument.__table__.alias("document")
        urgent_letter = (
            select(letter.id)
            .join(document, document.c.id == letter.id)
            .where(
                letter.episode_id == event.episode_id,
                letter.kind == "document",
                document.c.document_kind == LETTER_PREFIX + "urgent",
                letter.event_date >= event.event_date,
                _current(letter),
            )
            .exists()
        )
        return (
            select(
                event.episode_id.label("episode_id"),
                literal("red_flag_unreferred").label("rule"),
                event.id.label("subject_id"),
                event.event_date.label("since"),
            )
            .join(assessment, assessment.c.id == event.id)
            .where(
                event.kind == "assessment",
                func.json_array_length(assessment.c.red_flags) > 0,
                self._open(event),
                _current(event),
                ~later_assessment,
                ~urgent_letter,
            )
        )
