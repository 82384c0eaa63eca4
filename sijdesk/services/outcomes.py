"""The clinic's view of its own work: what became of the episodes it treated.

For a period (and, when asked, one clinician's episodes) the report counts the
episodes opened and closed and, for each step of the pathway, the episodes that
reached it and how many of them reached a minimal important change afterwards:
the pathway's own rule (CLINICAL.md), NRS down 2 points or 30 %, ODI down 10
points or 30 %, with the clinic's thresholds.

Definitions, each one sentence a clinician can check by hand:

- An episode belongs to the clinician who opened it (``Episode.created_by``).
- An episode *reached* a step on the date of its first current record of that
  step: a therapy session (conservative care), an injection, a spine surgery
  consult (surgical evaluation), a rheumatology consult. It counts for the
  period when that date lies in it.
- Its *baseline* is the last NRS and the last ODI on or before that date; its
  *follow-up* the last of the same measure after it. A measure with both is a
  pair; the episode *improved* when either pair shows a minimal important change.
- An episode with no baseline of either measure is counted as "no baseline
  measure"; one with a baseline but no later measure of the same kind as "no
  follow-up measure". Neither is counted as a failure.
- Injections are counted one by one, those dated in the period, by kind: how
  many have their relief recorded, how many of those brought 50 % and 75 %
  relief or more, and the median weeks it lasted where that was recorded.
- A referral letter counts once per episode and kind (the first in the period);
  the step it asked for is the first record of it on or after the letter's date
  in the same episode (physiotherapy: a therapy session; injection clinic: an
  injection; spine surgeon: a spine surgery consult or a procedure;
  rheumatology: a rheumatology consult). Urgent letters ask for no step here.
- Decisions on the pathway's advice dated in the period are counted by kind;
  the outcomes after them are counted as for a step, from each episode's first
  decision of that kind. Override reasons are grouped as typed, ignoring case
  and surrounding spaces; a reason given fewer than N times is only counted.
- A whole-clinic report also gives each clinician's part (the episodes they
  opened): episodes, decisions and the counts at each step, which add up to the
  clinic's; medians are given for the whole only.
- Superseded versions and records entered in error are never read.

Everything is counted in SQL (aggregates and window functions), never by loading
the clinic's patients; the same statements run on SQLite and PostgreSQL.
Small numbers protect patients: a count from 1 to ``minimum_cell - 1`` is shown
as "fewer than N", and a share or median over fewer than N episodes is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from sijdesk.db.engine import Database
from sijdesk.errors import ValidationError
from sijdesk.models import (
    ClinicSettings,
    Consult,
    Episode,
    GeneratedDocument,
    Injection,
    OutcomeMeasure,
    PathwayDecision,
    TimelineEvent,
    User,
    UserRole,
)
from sijdesk.services.context import CLINICAL_ROLES, Actor, ServiceBase
from sijdesk.services.documents import clinic_letterhead, letter_document_kind
from sijdesk.services.pathway_service import PathwayService

# The pathway's steps as the report shows them, in the pathway's order.
REPORT_STEPS: tuple[tuple[str, str], ...] = (
    ("conservative", "Conservative care"),
    ("injection", "Injection"),
    ("surgery_evaluation", "Surgical evaluation"),
    ("rheumatology", "Rheumatology"),
)
DEFAULT_MINIMUM_CELL = 5  # clinic_settings.report_min_cell (clinic.settings changes it)
# What the clinician did with the pathway's advice (a decision on the timeline).
DECISIONS: tuple[tuple[str, str], ...] = (
    ("accepted", "Advice followed"),
    ("overridden", "Advice overridden"),
)
INJECTION_KINDS: tuple[tuple[str, str], ...] = (
    ("diagnostic", "Diagnostic block"),
    ("therapeutic", "Therapeutic injection"),
)
# Each referral letter's kind, and the record that shows the step it asked for was
# taken: a timeline kind, with the consult's specialty where it is a consult.
REFERRAL_STEPS: tuple[tuple[str, str, tuple[tuple[str, str | None], ...]], ...] = (
    ("physiotherapy", "Physiotherapy", (("therapy", None),)),
    ("injection_clinic", "Injection clinic", (("injection", None),)),
    ("spine_surgeon", "Spine surgeon", (("consult", "spine_surgery"), ("procedure", None))),
    ("rheumatology", "Rheumatology", (("consult", "rheumatology"),)),
)


@dataclass(frozen=True)
class StepOutcome:
    """What became of the episodes that reached one step in the period."""

    step: str
    label: str
    reached: int
    measured: int  # with a baseline and a follow-up of the same measure
    improved: int  # of those, a minimal important change in NRS or ODI
    no_baseline: int
    no_follow_up: int
    nrs_pairs: int
    median_nrs_change: float | None  # follow-up minus baseline, NRS points
    odi_pairs: int
    median_odi_change: float | None  # follow-up minus baseline, ODI percentage points
    # The medians of the baseline and of the follow-up over the same pairs (the
    # before/after chart): NRS points and ODI percent.
    median_nrs_before: float | None = None
    median_nrs_after: float | None = None
    median_odi_before: float | None = None
    median_odi_after: float | None = None

    @property
    def improved_share(self) -> float | None:
        return self.improved / self.measured if self.measured else None


@dataclass(frozen=True)
class InjectionOutcome:
    """The injections of one kind given in the period, and the relief recorded."""

    purpose: str
    label: str
    given: int
    relief_recorded: int
    relief_50: int  # relief of 50 % or more
    relief_75: int  # relief of 75 % or more
    weeks_recorded: int
    median_weeks: float | None

    @property
    def relief_not_recorded(self) -> int:
        return self.given - self.relief_recorded


@dataclass(frozen=True)
class ReferralTiming:
    """Referral letters of one kind written in the period, and how long until the step
    they asked for was recorded in the same episode."""

    kind: str
    label: str
    letters: int
    followed: int  # the step was recorded on or after the letter's date
    median_days: float | None

    @property
    def not_yet(self) -> int:
        return self.letters - self.followed


@dataclass(frozen=True)
class ReportTable:
    heading: str  # above the table in the PDF and the window
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ClinicianOutcome:
    """One clinician's part of a whole-clinic report (the episodes they opened):
    their steps carry counts only, no medians."""

    name: str
    episodes_opened: int
    episodes_closed: int
    decisions: dict[str, int]
    steps: tuple[StepOutcome, ...]  # the steps their episodes reached, in order


@dataclass(frozen=True)
class ReportChart:
    """A bar chart of the report: one group of bars per category, one bar per series.
    A value is None where it may not be shown (too few episodes) or there is none;
    ``not_drawn`` says so in a sentence under the chart."""

    title: str
    axis: str  # what the value axis measures
    maximum: float
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    not_drawn: str


@dataclass(frozen=True)
class OutcomeReport:
    start: date
    end: date
    clinician: str | None  # a username; None: the whole clinic
    clinician_name: str | None
    episodes_opened: int
    episodes_closed: int
    steps: tuple[StepOutcome, ...]
    injections: tuple[InjectionOutcome, ...]
    referrals: tuple[ReferralTiming, ...]
    # Decisions on the pathway's advice in the period: how many of each, and what
    # became of the episodes after the first of each (as for a step).
    decisions: dict[str, int]
    decision_outcomes: tuple[StepOutcome, ...]
    override_reasons: tuple[tuple[str, int], ...]  # the most common, most first
    minimum_cell: int
    thresholds: dict[str, float]
    # Per clinician, in a whole-clinic report only (a report of one clinician's
    # episodes is that clinician's row).
    clinicians: tuple[ClinicianOutcome, ...] = ()

    def count(self, value: int) -> str:
        """A count as it may be shown: small numbers hidden."""
        if 0 < value < self.minimum_cell:
            return f"fewer than {self.minimum_cell}"
        return str(value)

    def share(self, part: int, whole: int) -> str:
        """A percentage of ``whole`` episodes, hidden when ``whole`` or ``part`` is small."""
        if whole == 0:
            return "none"
        if whole < self.minimum_cell or 0 < part < self.minimum_cell:
            return f"fewer than {self.minimum_cell}"
        return f"{round(100 * part / whole)} %"

    def median(self, value: float | None, pairs: int, *, signed: bool = True) -> str:
        if value is None or pairs == 0:
            return "none"
        if pairs < self.minimum_cell:
            return f"fewer than {self.minimum_cell}"
        if not signed:
            return f"{value:.1f}"
        return f"{value:+.1f}".replace("+0.0", "0.0")

    def shown_share(self, part: int, whole: int) -> float | None:
        """A percentage as a chart may draw it: None where ``share`` hides it."""
        if whole < self.minimum_cell or 0 < part < self.minimum_cell:
            return None
        return 100 * part / whole

    def shown_median(self, value: float | None, pairs: int) -> float | None:
        """A median as a chart may draw it: None where ``median`` hides it."""
        return None if value is None or pairs < self.minimum_cell else value

    def summary(self) -> list[tuple[str, str]]:
        """The lines above the tables: what the report covers and its totals."""
        return [
            ("Period", f"{self.start.isoformat()} to {self.end.isoformat()}"),
            ("Episodes of", self.clinician_name or "the whole clinic"),
            ("Episodes opened", self.count(self.episodes_opened)),
            ("Episodes closed", self.count(self.episodes_closed)),
            ("Advice followed", self.count(self.decisions.get("accepted", 0))),
            ("Advice overridden", self.count(self.decisions.get("overridden", 0))),
        ]

    def tables(self) -> list[ReportTable]:
        """The report's tables of text (the CSV, the PDF and the window show these),
        small numbers already hidden."""
        outcome_columns = (
            "Measured",
            "Improved",
            "Share improved",
            "No baseline",
            "No follow-up",
            "Median NRS change",
            "Median ODI change",
        )
        shown = [(r, n) for r, n in self.override_reasons if n >= self.minimum_cell]
        others = self.decisions.get("overridden", 0) - sum(n for _, n in shown)
        reasons = [(reason, str(number)) for reason, number in shown]
        if others:
            reasons.append(("other reasons", self.count(others)))
        return [
            ReportTable(
                "What became of the episodes at each step",
                ("Step", "Reached", *outcome_columns),
                tuple(self._outcome_row(step) for step in self.steps),
            ),
            ReportTable(
                "Pain and disability before and after each step: medians of the measured episodes",
                (
                    "At the step",
                    "NRS pairs",
                    "NRS before",
                    "NRS after",
                    "ODI pairs",
                    "ODI before",
                    "ODI after",
                ),
                tuple(
                    (
                        step.label,
                        self.count(step.nrs_pairs),
                        self.median(step.median_nrs_before, step.nrs_pairs, signed=False),
                        self.median(step.median_nrs_after, step.nrs_pairs, signed=False),
                        self.count(step.odi_pairs),
                        self.median(step.median_odi_before, step.odi_pairs, signed=False),
                        self.median(step.median_odi_after, step.odi_pairs, signed=False),
                    )
                    for step in self.steps
                ),
            ),
            ReportTable(
                "The pathway's advice: followed or overridden",
                ("After the decision", "Episodes", *outcome_columns),
                tuple(self._outcome_row(group) for group in self.decision_outcomes),
            ),
            ReportTable(
                f"Override reasons given {self.minimum_cell} times or more",
                ("Override reasons", "Times given"),
                tuple(reasons),
            ),
            ReportTable(
                "Injections",
                (
                    "Injections by kind",
                    "Given",
                    "Relief recorded",
                    "Relief 50 % or more",
                    "Relief 75 % or more",
                    "Relief not recorded",
                    "Median weeks of relief",
                ),
                tuple(
                    (
                        kind.label,
                        self.count(kind.given),
                        self.count(kind.relief_recorded),
                        self.share(kind.relief_50, kind.relief_recorded),
                        self.share(kind.relief_75, kind.relief_recorded),
                        self.count(kind.relief_not_recorded),
                        self.median(kind.median_weeks, kind.weeks_recorded, signed=False),
                    )
                    for kind in self.injections
                ),
            ),
            ReportTable(
                "From a referral letter to the step it asked for",
                (
                    "Referral letters",
                    "Letters",
                    "Step taken",
                    "Not yet",
                    "Median days to the step",
                ),
                tuple(
                    (
                        referral.label,
                        self.count(referral.letters),
                        self.count(referral.followed),
                        self.count(referral.not_yet),
                        self.median(referral.median_days, referral.followed, signed=False),
                    )
                    for referral in self.referrals
                ),
            ),
            *self._clinician_tables(),
        ]

    def _clinician_tables(self) -> list[ReportTable]:
        """Each clinician's episodes side by side (whole-clinic reports only)."""
        if not self.clinicians:
            return []
        steps = []
        for person in self.clinicians:
            for step in person.steps:
                steps.append(
                    (
                        f"{person.name}: {step.label}",
                        self.count(step.reached),
                        self.count(step.measured),
                        self.count(step.improved),
                        self.share(step.improved, step.measured),
                        self.count(step.no_baseline),
                        self.count(step.no_follow_up),
                    )
                )
        return [
            ReportTable(
                "Each clinician's episodes",
                (
                    "Clinician",
                    "Episodes opened",
                    "Episodes closed",
                    "Advice followed",
                    "Advice overridden",
                ),
                tuple(
                    (
                        person.name,
                        self.count(person.episodes_opened),
                        self.count(person.episodes_closed),
                        self.count(person.decisions.get("accepted", 0)),
                        self.count(person.decisions.get("overridden", 0)),
                    )
                    for person in self.clinicians
                ),
            ),
            ReportTable(
                "What became of each clinician's episodes at each step",
                (
                    "Clinician and step",
                    "Reached",
                    "Measured",
                    "Improved",
                    "Share improved",
                    "No baseline",
                    "No follow-up",
                ),
                tuple(steps),
            ),
        ]

    def charts(self) -> list[ReportChart]:
        """The report's charts (the window and the PDF draw these): the share improved
        after each step, and the median NRS and ODI before and after it. Values hidden
        in the tables are not drawn."""
        labels = tuple(step.label for step in self.steps)

        def chart(title, axis, maximum, series) -> ReportChart:
            missing = [
                label
                for index, label in enumerate(labels)
                if any(values[index] is None for _, values in series)
            ]
            not_drawn = (
                f"Not drawn, with fewer than {self.minimum_cell} episodes measured or "
                f"none: {', '.join(missing)}."
                if missing
                else ""
            )
            return ReportChart(title, axis, maximum, labels, tuple(series), not_drawn)

        steps = self.steps

        def before_after(measure: str) -> list[tuple[str, tuple[float | None, ...]]]:
            """The medians before and after each step of one measure ("nrs", "odi")."""
            return [
                (
                    when.capitalize(),
                    tuple(
                        self.shown_median(
                            getattr(s, f"median_{measure}_{when}"), getattr(s, f"{measure}_pairs")
                        )
                        for s in steps
                    ),
                )
                for when in ("before", "after")
            ]

        return [
            chart(
                "Share of the measured episodes that improved after each step",
                "% of episodes",
                100,
                [("Improved", tuple(self.shown_share(s.improved, s.measured) for s in steps))],
            ),
            chart(
                "Pain (NRS 0-10) before and after each step, medians",
                "NRS",
                10,
                before_after("nrs"),
            ),
            chart(
                "Disability (ODI %) before and after each step, medians",
                "ODI %",
                100,
                before_after("odi"),
            ),
        ]

    def notes(self) -> list[str]:
        """How to read the report, in a few sentences (the PDF and the window)."""
        t = self.thresholds
        n = self.minimum_cell

        def number(value: float) -> str:
            return f"{value:g}"

        return [
            "An episode reached a step on the date of its first record of it: a therapy "
            "session, an injection, or a consult. Its baseline is the last pain score (NRS) "
            "and the last ODI on or before that date; its follow-up is the last of the same "
            "measure after it. Measured: episodes with a baseline and a follow-up of the "
            "same measure. Improved: of those, episodes with a minimal important change.",
            f"A minimal important change is pain down {number(t['mic_nrs_points'])} points or "
            f"ODI down {number(t['mic_odi_points'])} points, or either down "
            f"{number(t['mic_percent'])} % of the baseline (the clinic's pathway settings).",
            "Changes are the follow-up less the baseline: a negative median means the "
            "episodes improved.",
            "Episodes without a baseline or a follow-up measure are counted as such, never "
            "as failures.",
            f'To protect patients, counts from 1 to {n - 1} show as "fewer than {n}", and '
            f"no share or median is given for fewer than {n} episodes.",
        ]

    def title(self) -> str:
        return "Outcome report"

    def about(self) -> str:
        return f"episodes of {self.clinician_name or 'the whole clinic'}"

    def period(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def rows(self) -> list[tuple[str, ...]]:
        """The whole report as lines of text, as the CSV holds it: the summary, then
        each table's header and rows."""
        rows: list[tuple[str, ...]] = list(self.summary())
        for table in self.tables():
            rows.append(table.header)
            rows.extend(table.rows)
        return rows

    def _outcome_row(self, step: StepOutcome) -> tuple[str, ...]:
        return (
            step.label,
            self.count(step.reached),
            self.count(step.measured),
            self.count(step.improved),
            self.share(step.improved, step.measured),
            self.count(step.no_baseline),
            self.count(step.no_follow_up),
            self.median(step.median_nrs_change, step.nrs_pairs),
            self.median(step.median_odi_change, step.odi_pairs),
        )

    def csv_bytes(self) -> bytes:
        """The table as CSV (UTF-8 with a byte order mark, which spreadsheet programs
        need to read accents), small numbers hidden as in the window; a name that
        starts like a formula is escaped, as in the patient export."""
        import csv
        import io

        from sijdesk.services.patient_csv import safe_cell

        out = io.StringIO(newline="")
        writer = csv.writer(out, dialect=csv.excel)
        for row in self.rows():
            writer.writerow([safe_cell(cell) for cell in row])
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _current(event: Any) -> ColumnElement[bool]:
    """``event`` (a TimelineEvent alias) is a current, valid version."""
    newer = aliased(TimelineEvent)
    return and_(
        event.entered_in_error.is_(False),
        ~select(newer.id).where(newer.replaces_id == event.id).exists(),
    )


def _step_starts(step: str, start: date, end: date, clinician_id: int | None) -> Select:
    """(episode_id, started): the first current record of ``step`` per episode, for
    episodes whose first such record lies in the period. A step is one of
    REPORT_STEPS, or a pathway decision ("accepted", "overridden")."""
    event = aliased(TimelineEvent)
    stmt = select(event.episode_id.label("episode_id"), func.min(event.event_date).label("started"))
    if step in ("surgery_evaluation", "rheumatology"):
        specialty = "spine_surgery" if step == "surgery_evaluation" else "rheumatology"
        stmt = stmt.join(Consult, Consult.id == event.id).where(
            event.kind == "consult", Consult.specialty == specialty
        )
    elif step in dict(DECISIONS):
        stmt = stmt.join(PathwayDecision, PathwayDecision.id == event.id).where(
            event.kind == "decision", PathwayDecision.decision == step
        )
    else:
        stmt = stmt.where(event.kind == ("therapy" if step == "conservative" else "injection"))
    stmt = stmt.where(_current(event))
    if clinician_id is not None:
        stmt = stmt.join(Episode, Episode.id == event.episode_id).where(
            Episode.created_by_id == clinician_id
        )
    return stmt.group_by(event.episode_id).having(func.min(event.event_date).between(start, end))


def _measures(starts: Any) -> Any:
    """Per episode of ``starts`` with any outcome measure: its last NRS and ODI (tenths)
    on or before the start (nrs0, odi0) and its last of each after it (nrs1, odi1),
    NULL where none. One pass over those episodes' current outcome measures, ranked
    by date with window functions (a lookup per episode and measure took seconds at
    100,000 episodes); episodes without any measure are not in it."""
    event = aliased(TimelineEvent)
    outcome = OutcomeMeasure.__table__.alias("outcome")  # its own columns, no second join
    after = case((event.event_date > starts.c.started, 1), else_=0)
    newest_first = (event.event_date.desc(), event.id.desc())
    ranked = (
        select(
            starts.c.episode_id,
            after.label("after"),
            outcome.c.nrs.label("nrs"),
            outcome.c.odi_tenths.label("odi"),
            func.row_number()
            .over(
                partition_by=(starts.c.episode_id, after, outcome.c.nrs.is_(None)),
                order_by=newest_first,
            )
            .label("nrs_rank"),
            func.row_number()
            .over(
                partition_by=(starts.c.episode_id, after, outcome.c.odi_tenths.is_(None)),
                order_by=newest_first,
            )
            .label("odi_rank"),
        )
        .select_from(starts)
        .join(event, and_(event.episode_id == starts.c.episode_id, event.kind == "outcome"))
        .join(outcome, outcome.c.id == event.id)
        .where(_current(event))
        .subquery("ranked")
    )

    def last(measure: str, later: int) -> Any:
        value = ranked.c[measure]
        chosen = and_(ranked.c.after == later, ranked.c[f"{measure}_rank"] == 1, value.is_not(None))
        return func.max(case((chosen, value), else_=None))

    return (
        select(
            ranked.c.episode_id,
            last("nrs", 0).label("nrs0"),
            last("nrs", 1).label("nrs1"),
            last("odi", 0).label("odi0"),
            last("odi", 1).label("odi1"),
        )
        .group_by(ranked.c.episode_id)
        .cte("measures")
    )


def _fraction(value: float) -> Fraction:
    return Fraction(Decimal(str(value)))


def _improved(before: Any, after: Any, points: Fraction, percent: Fraction, scale: int) -> Any:
    """SQL: the measure fell by at least ``points`` (in the measure's unit; values are
    stored times ``scale``) or by at least ``percent`` of the baseline. Whole numbers
    only, so a change of exactly the threshold counts, as in the pathway."""
    fall = before - after
    return and_(
        before.is_not(None),
        after.is_not(None),
        fall > 0,
        or_(
            fall * points.denominator >= points.numerator * scale,
            fall * 100 * percent.denominator >= before * percent.numerator,
        ),
    )


def _median(change: Any, pair: Any, measures: Any) -> Any:
    """SQL: the median of ``change`` over the episodes of ``measures`` with ``pair``."""
    ranked = (
        select(
            change.label("v"),
            func.row_number().over(order_by=change).label("rn"),
            func.count().over().label("n"),
        )
        .select_from(measures)
        .where(pair)
        .subquery()
    )
    middle = (ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2
    return (
        select(func.avg(ranked.c.v * 1.0))
        .where(or_(ranked.c.rn == middle[0], ranked.c.rn == middle[1]))
        .scalar_subquery()
    )


class OutcomeService(ServiceBase):
    log_name = "outcomes"

    def __init__(self, db: Database, actor: Actor, *, clock=date.today, pathway: PathwayService):
        super().__init__(db, actor, clock=clock)
        self.pathway = pathway

    def report(
        self,
        start: date | None = None,
        end: date | None = None,
        *,
        clinician: str | None = None,
        output: str = "window",
    ) -> OutcomeReport:
        """The outcome report of a period (default: the twelve months to today), for
        the clinic or one clinician's episodes. Audited with the period, the clinician
        and where it went (``output``: window, pdf or csv)."""
        self.require(CLINICAL_ROLES, "see the clinic's outcome report")
        end = end or self.today()
        start = start or (end - timedelta(days=365) + timedelta(days=1))
        if start > end:
            raise ValidationError({"start": "must be on or before the end of the period"})
        thresholds = self.pathway.thresholds()
        nrs_points = _fraction(thresholds.mic_nrs_points)
        odi_points = _fraction(thresholds.mic_odi_points)
        percent = _fraction(thresholds.mic_percent)
        with self.db.read() as session:
            clinician_id, clinician_name = self._clinician(session, clinician)
            opened_by, closed_by = self._episodes(session, start, end, clinician_id)
            step_results = [
                self._step(
                    session, step, label, start, end, clinician_id, nrs_points, odi_points, percent
                )
                for step, label in REPORT_STEPS
            ]
            steps = tuple(whole for whole, _ in step_results)
            decision_outcomes = tuple(
                self._step(
                    session, key, label, start, end, clinician_id, nrs_points, odi_points, percent
                )[0]
                for key, label in DECISIONS
            )
            decisions_by, reasons = self._decisions(session, start, end, clinician_id)
            decisions = {
                key: sum(made.get(key, 0) for made in decisions_by.values()) for key, _ in DECISIONS
            }
            breakdown = (
                ()
                if clinician_id is not None
                else self._breakdown(session, opened_by, closed_by, decisions_by, step_results)
            )
            injections = tuple(
                self._injections(session, purpose, label, start, end, clinician_id)
                for purpose, label in INJECTION_KINDS
            )
            referrals = tuple(
                self._referral(session, kind, label, records, start, end, clinician_id)
                for kind, label, records in REFERRAL_STEPS
            )
            minimum = self._minimum_cell(session)
        self.audit_read(
            "report",
            "outcomes",
            None,
            summary=f"outcome report {start.isoformat()} to {end.isoformat()}",
            details={
                "from": start.isoformat(),
                "to": end.isoformat(),
                "clinician_id": clinician_id,
                "output": output,
            },
        )
        return OutcomeReport(
            start=start,
            end=end,
            clinician=clinician,
            clinician_name=clinician_name,
            episodes_opened=sum(opened_by.values()),
            episodes_closed=sum(closed_by.values()),
            steps=steps,
            injections=injections,
            referrals=referrals,
            decisions=decisions,
            decision_outcomes=decision_outcomes,
            override_reasons=reasons,
            clinicians=breakdown,
            minimum_cell=minimum,
            thresholds={
                "mic_nrs_points": float(thresholds.mic_nrs_points),
                "mic_odi_points": float(thresholds.mic_odi_points),
                "mic_percent": float(thresholds.mic_percent),
            },
        )

    def minimum_cell(self) -> int:
        """Counts from 1 to this less one are hidden in the report."""
        self.require(CLINICAL_ROLES, "see the clinic's outcome report")
        with self.db.read() as session:
            return self._minimum_cell(session)

    def clinicians(self) -> list[tuple[str, str]]:
        """(username, name) of everyone who may open episodes (clinicians and
        administrators, active or not: a report may cover those who left), by name."""
        self.require(CLINICAL_ROLES, "see the clinic's outcome report")
        with self.db.read() as session:
            rows = session.execute(
                select(User.username, User.display_name)
                .where(
                    select(UserRole.user_id)
                    .where(UserRole.user_id == User.id, UserRole.role.in_(CLINICAL_ROLES))
                    .exists()
                )
                .order_by(User.display_name, User.username)
            ).all()
        return [(username, name) for username, name in rows]

    def pdf(self, report: OutcomeReport) -> bytes:
        """The report on the clinic's letterhead (made with output="pdf", which the
        audit event records)."""
        self.require(CLINICAL_ROLES, "print the clinic's outcome report")
        from sijdesk.reports.outcome_report import render_outcome_report

        with self.db.read() as session:
            letterhead = clinic_letterhead(session)
        return render_outcome_report(
            title=report.title(),
            about=report.about(),
            detail=report.period(),
            summary=report.summary(),
            tables=report.tables(),
            notes=report.notes(),
            charts=report.charts(),
            letterhead=letterhead,
        )

    def _clinician(self, session: Session, username: str | None) -> tuple[int | None, str | None]:
        if not username:
            return None, None
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            raise ValidationError({"clinician": f"there is no user named {username!r}"})
        return user.id, user.display_name

    def _minimum_cell(self, session: Session) -> int:
        settings = session.get(ClinicSettings, 1)
        return (settings.report_min_cell if settings else None) or DEFAULT_MINIMUM_CELL

    def _step(
        self,
        session: Session,
        step: str,
        label: str,
        start: date,
        end: date,
        clinician_id: int | None,
        nrs_points: Fraction,
        odi_points: Fraction,
        percent: Fraction,
    ) -> tuple[StepOutcome, dict[int, StepOutcome]]:
        """The step's outcome for the episodes asked for, and its counts per clinician
        (by the clinician who opened each episode; medians only for the whole)."""
        # CTEs read more than once are computed once (SQLite and PostgreSQL alike).
        starts = _step_starts(step, start, end, clinician_id).cte("starts")
        measures = _measures(starts)
        nrs0, nrs1, odi0, odi1 = (measures.c[name] for name in ("nrs0", "nrs1", "odi0", "odi1"))
        nrs_pair = and_(nrs0.is_not(None), nrs1.is_not(None))
        odi_pair = and_(odi0.is_not(None), odi1.is_not(None))
        any_pair = or_(nrs_pair, odi_pair)
        any_baseline = or_(nrs0.is_not(None), odi0.is_not(None))
        improved = or_(
            _improved(nrs0, nrs1, nrs_points, percent, 1),
            _improved(odi0, odi1, odi_points, percent, 10),
        )

        def flag(condition: Any) -> Any:
            return case((condition, 1), else_=0)

        # One row per episode with measures and one per episode that reached the step,
        # summed per clinician who opened the episode. The measured rows come first:
        # with `starts` read first, at the top of the statement, SQLite built a Bloom
        # filter over every timeline record (about 80 ms a step at 100,000 patients).
        reached = (
            select(Episode.created_by_id, literal(1), *([literal(0)] * 6))
            .select_from(starts)
            .join(Episode, Episode.id == starts.c.episode_id)
        )
        measured = (
            select(
                Episode.created_by_id.label("clinician_id"),
                literal(0),
                flag(any_pair),
                flag(and_(any_pair, improved)),
                flag(any_baseline),
                flag(and_(any_baseline, ~any_pair)),
                flag(nrs_pair),
                flag(odi_pair),
            )
            .select_from(measures)
            .join(starts, starts.c.episode_id == measures.c.episode_id)
            .join(Episode, Episode.id == starts.c.episode_id)
        )
        both = union_all(measured, reached).subquery("both")
        columns = list(both.c)[1:]  # reached, paired, improved, baseline, unpaired, NRS, ODI
        # The medians (the whole's, uncorrelated) are computed once, repeated on each row.
        found = session.execute(
            select(
                both.c.clinician_id,
                *(func.sum(column) for column in columns),
                _median(nrs1 - nrs0, nrs_pair, measures),
                _median(odi1 - odi0, odi_pair, measures),
                _median(nrs0, nrs_pair, measures),
                _median(nrs1, nrs_pair, measures),
                _median(odi0, odi_pair, measures),
                _median(odi1, odi_pair, measures),
            ).group_by(both.c.clinician_id)
        ).all()
        rows = []
        for row in found:
            n, paired, better, baseline, unpaired, nrs, odi = (int(v) for v in row[1:8])
            # reached, measured, improved, no baseline, no follow-up, NRS and ODI pairs
            rows.append((row[0], n, paired, better, n - baseline, unpaired, nrs, odi, *row[8:]))

        def figure(value: Any, scale: int = 1) -> float | None:
            return None if value is None else float(value) / scale

        def counts(values: tuple[int, ...]) -> dict[str, int]:
            names = ("reached", "measured", "improved", "no_baseline", "no_follow_up")
            return dict(zip((*names, "nrs_pairs", "odi_pairs"), values, strict=True))

        def outcome(values: tuple[int, ...], medians: tuple[Any, ...] | None) -> StepOutcome:
            m = medians or (None,) * 6
            return StepOutcome(
                step=step,
                label=label,
                **counts(values),
                median_nrs_change=figure(m[0]),
                median_odi_change=figure(m[1], 10),
                median_nrs_before=figure(m[2]),
                median_nrs_after=figure(m[3]),
                median_odi_before=figure(m[4], 10),
                median_odi_after=figure(m[5], 10),
            )

        per_clinician = {
            int(row[0]): outcome(tuple(int(v) for v in row[1:8]), None) for row in rows
        }
        whole = tuple(sum(int(row[i]) for row in rows) for i in range(1, 8))
        return outcome(whole, tuple(rows[0][8:14]) if rows else None), per_clinician

    def _of_clinician(self, stmt: Select, event: Any, clinician_id: int | None) -> Select:
        if clinician_id is None:
            return stmt
        return stmt.join(Episode, Episode.id == event.episode_id).where(
            Episode.created_by_id == clinician_id
        )

    def _decisions(
        self, session: Session, start: date, end: date, clinician_id: int | None
    ) -> tuple[dict[int, dict[str, int]], tuple[tuple[str, int], ...]]:
        """How many decisions of each kind are dated in the period, per clinician (who
        opened the episode), and the override reasons given most often (as typed,
        ignoring case and the spaces around)."""
        event = aliased(TimelineEvent)
        decision = PathwayDecision.__table__.alias("decision")
        opened_by = (
            select(Episode.created_by_id).where(Episode.id == event.episode_id).scalar_subquery()
        )
        made_stmt = (
            select(decision.c.decision, decision.c.reason, opened_by.label("clinician_id"))
            .select_from(event)
            .join(decision, decision.c.id == event.id)
            .where(event.kind == "decision", event.event_date.between(start, end), _current(event))
        )
        if clinician_id is not None:
            made_stmt = made_stmt.where(opened_by == clinician_id)
        made = made_stmt.cte("made")
        counts: dict[int, dict[str, int]] = {}
        for who, kind, number in session.execute(
            select(made.c.clinician_id, made.c.decision, func.count()).group_by(
                made.c.clinician_id, made.c.decision
            )
        ):
            counts.setdefault(int(who), {})[str(kind)] = int(number)
        reason = func.lower(func.trim(made.c.reason))
        reasons = session.execute(
            select(reason, func.count())
            .where(made.c.decision == "overridden", reason != "")
            .group_by(reason)
            .order_by(func.count().desc(), reason)
            .limit(50)
        ).all()
        return counts, tuple((str(text), int(number)) for text, number in reasons)

    def _episodes(
        self, session: Session, start: date, end: date, clinician_id: int | None
    ) -> tuple[dict[int, int], dict[int, int]]:
        """Episodes opened (by ``created_at``) and closed (by ``closed_on``) in the
        period, per clinician who opened them."""
        opened_from, opened_to = _day_bounds(start, end)
        found: list[dict[int, int]] = []
        for condition in (
            and_(Episode.created_at >= opened_from, Episode.created_at < opened_to),
            Episode.closed_on.between(start, end),
        ):
            stmt = select(Episode.created_by_id, func.count()).where(condition)
            if clinician_id is not None:
                stmt = stmt.where(Episode.created_by_id == clinician_id)
            rows = session.execute(stmt.group_by(Episode.created_by_id)).all()
            found.append({int(who): int(number) for who, number in rows})
        return found[0], found[1]

    def _breakdown(
        self,
        session: Session,
        opened: dict[int, int],
        closed: dict[int, int],
        decisions: dict[int, dict[str, int]],
        step_results: list[tuple[StepOutcome, dict[int, StepOutcome]]],
    ) -> tuple[ClinicianOutcome, ...]:
        """Each clinician with anything in the period, by name: their episodes opened
        and closed, decisions and what became of their episodes at each step."""
        ids = set(opened) | set(closed) | set(decisions)
        for _, per_clinician in step_results:
            ids |= set(per_clinician)
        if not ids:
            return ()
        names = dict(
            session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
        )
        people = []
        for who in sorted(ids, key=lambda i: (names.get(i, ""), i)):
            steps = tuple(
                per_clinician[who] for _, per_clinician in step_results if who in per_clinician
            )
            people.append(
                ClinicianOutcome(
                    name=names.get(who) or f"user {who}",
                    episodes_opened=opened.get(who, 0),
                    episodes_closed=closed.get(who, 0),
                    decisions={key: decisions.get(who, {}).get(key, 0) for key, _ in DECISIONS},
                    steps=steps,
                )
            )
        return tuple(people)

    def _injections(
        self,
        session: Session,
        purpose: str,
        label: str,
        start: date,
        end: date,
        clinician_id: int | None,
    ) -> InjectionOutcome:
        """Every current injection of ``purpose`` dated in the period, one row each."""
        event = aliased(TimelineEvent)
        shot = Injection.__table__.alias("shot")
        given_stmt = (
            select(shot.c.relief_percent.label("relief"), shot.c.relief_weeks.label("weeks"))
            .select_from(event)
            .join(shot, shot.c.id == event.id)
            .where(
                event.kind == "injection",
                event.event_date.between(start, end),
                shot.c.purpose == purpose,
                _current(event),
            )
        )
        given = self._of_clinician(given_stmt, event, clinician_id).cte("given")
        relief, weeks = given.c.relief, given.c.weeks

        def counted(condition: Any) -> Any:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        row = session.execute(
            select(
                func.count(),
                counted(relief.is_not(None)),
                counted(relief >= 50),
                counted(relief >= 75),
                counted(weeks.is_not(None)),
                _median(weeks, weeks.is_not(None), given),
            ).select_from(given)
        ).one()
        return InjectionOutcome(
            purpose=purpose,
            label=label,
            given=int(row[0]),
            relief_recorded=int(row[1]),
            relief_50=int(row[2]),
            relief_75=int(row[3]),
            weeks_recorded=int(row[4]),
            median_weeks=None if row[5] is None else float(row[5]),
        )

    def _referral(
        self,
        session: Session,
        kind: str,
        label: str,
        records: tuple[tuple[str, str | None], ...],
        start: date,
        end: date,
        clinician_id: int | None,
    ) -> ReferralTiming:
        """The first letter of ``kind`` per episode dated in the period, and the first
        record of the step it asked for on or after it."""
        letter = aliased(TimelineEvent)
        document = GeneratedDocument.__table__.alias("document")
        letters_stmt = (
            select(
                letter.episode_id.label("episode_id"),
                func.min(letter.event_date).label("written"),
            )
            .select_from(letter)
            .join(document, document.c.id == letter.id)
            .where(
                letter.kind == "document",
                document.c.document_kind == letter_document_kind(kind),
                _current(letter),
            )
            .group_by(letter.episode_id)
            .having(func.min(letter.event_date).between(start, end))
        )
        letters = self._of_clinician(letters_stmt, letter, clinician_id).cte("letters")
        step = aliased(TimelineEvent)
        consult = Consult.__table__.alias("consult")
        asked = or_(
            *(
                step.kind == record_kind
                if specialty is None
                else and_(
                    step.kind == record_kind,
                    select(consult.c.id)
                    .where(consult.c.id == step.id, consult.c.specialty == specialty)
                    .exists(),
                )
                for record_kind, specialty in records
            )
        )
        taken = (
            select(func.min(step.event_date))
            .where(
                step.episode_id == letters.c.episode_id,
                step.event_date >= letters.c.written,
                asked,
                _current(step),
            )
            .scalar_subquery()
        )
        timed = select(_days_between(taken, letters.c.written, session).label("days")).cte("timed")
        days = timed.c.days
        row = session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((days.is_not(None), 1), else_=0)), 0),
                _median(days, days.is_not(None), timed),
            ).select_from(timed)
        ).one()
        return ReferralTiming(
            kind=kind,
            label=label,
            letters=int(row[0]),
            followed=int(row[1]),
            median_days=None if row[2] is None else float(row[2]),
        )


def _days_between(later: Any, earlier: Any, session: Session) -> Any:
    """SQL: whole days from ``earlier`` to ``later`` (NULL when either is NULL)."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return later - earlier  # PostgreSQL: date minus date is a number of days


def _day_bounds(start: date, end: date) -> tuple[Any, Any]:
    """The period as UTC datetimes [start 00:00, the day after end 00:00)."""
    from datetime import UTC, datetime, time

    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )
