"""The pathway: facts and thresholds in, advice out (CLINICAL.md section 3).

Pure: no clock, no file, no database. Every criterion of section 3 is listed
every time, in the order of :data:`~sijdesk.pathway.vocab.CRITERIA_IDS`.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sijdesk.pathway.facts import Facts, Injection
from sijdesk.pathway.scores import (
    ClusterResult,
    cluster,
    current_odi,
    exact,
    odi_band,
    response,
)
from sijdesk.pathway.thresholds import Thresholds
from sijdesk.pathway.vocab import (
    CRITERIA_IDS,
    FUNCTIONAL,
    NSAID_CAUTIONS,
    label,
)

PATHWAY_VERSION = "1.0.0"

#: The annual limit counts therapeutic injections from as_of minus this many days.
ANNUAL_WINDOW_DAYS = 364

_MOTOR_COMPLAINTS = ("lost_hip_mobility", "locked_up", "weakness", "inhibition", "off_movement")

_SRC_RED_FLAGS = "AHCPR 1994 acute low back problems guideline; NICE NG59"
_SRC_BELT_LINE = "Belt-line rule, SIJ clinicians' guide"
_SRC_CHOICE = "Patient's recorded choice"
_SRC_NASS = "NASS 2015 coverage recommendations"
_SRC_ODI = "Fairbank & Pynsent 2000, Spine 25:2940 (ODI scoring)"


# --- the advice ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One rule weighed: ``met`` True, False, or None when unknown."""

    id: str
    group: str
    label: str
    met: bool | None
    detail: str
    source: str


@dataclass(frozen=True)
class Component:
    """A conservative-care component that fits, and why."""

    id: str
    reason: str


@dataclass(frozen=True)
class Medication:
    """A medication category indicated by a symptom; ``advisable`` may be False."""

    category: str
    advisable: bool
    reason: str
    cautions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scores:
    """The scores the rules read."""

    odi_percent: float | None
    odi_band: str | None
    cluster: str
    cluster_positives: int
    response: str
    positive_blocks: int


@dataclass(frozen=True, kw_only=True)
class Advice:
    """The pathway's advice; :meth:`to_dict` gives the JSON output of ``sijdesk advise``."""

    pathway_version: str
    thresholds: Mapping[str, int | float | bool] = field(hash=False)
    triage: str
    step: str | None
    injection_purpose: str | None
    components: tuple[Component, ...]
    medications: tuple[Medication, ...]
    criteria: tuple[Criterion, ...]
    scores: Scores
    missing: tuple[str, ...]
    referral: str | None
    warnings: tuple[str, ...]
    rationale: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "thresholds", types.MappingProxyType(dict(self.thresholds)))

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id (KeyError when there is none)."""
        for item in self.criteria:
            if item.id == criterion_id:
                return item
        raise KeyError(criterion_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON output shape of CLINICAL.md section 2."""
        scores = self.scores
        return {
            "pathway_version": self.pathway_version,
            "thresholds": dict(self.thresholds),
            "triage": self.triage,
            "step": self.step,
            "injection_purpose": self.injection_purpose,
            "components": [{"id": c.id, "reason": c.reason} for c in self.components],
            "medications": [
                {
                    "category": m.category,
                    "advisable": m.advisable,
                    "reason": m.reason,
                    "cautions": list(m.cautions),
                }
                for m in self.medications
            ],
            "criteria": [
                {
                    "id": c.id,
                    "group": c.group,
                    "label": c.label,
                    "met": c.met,
                    "detail": c.detail,
                    "source": c.source,
                }
                for c in self.criteria
            ],
            "scores": {
                "odi_percent": scores.odi_percent,
                "odi_band": scores.odi_band,
                "cluster": scores.cluster,
                "cluster_positives": scores.cluster_positives,
                "response": scores.response,
                "positive_blocks": scores.positive_blocks,
            },
            "missing": list(self.missing),
            "referral": self.referral,
            "warnings": list(self.warnings),
            "rationale": list(self.rationale),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Advice:
        """Read back a stored :meth:`to_dict` snapshot (keys it does not know are ignored)."""
        scores = data["scores"]
        return cls(
            pathway_version=data["pathway_version"],
            thresholds=data["thresholds"],
            triage=data["triage"],
            step=data["step"],
            injection_purpose=data["injection_purpose"],
            components=tuple(Component(c["id"], c["reason"]) for c in data["components"]),
            medications=tuple(
                Medication(m["category"], m["advisable"], m["reason"], tuple(m["cautions"]))
                for m in data["medications"]
            ),
            criteria=tuple(
                Criterion(c["id"], c["group"], c["label"], c["met"], c["detail"], c["source"])
                for c in data["criteria"]
            ),
            scores=Scores(
                odi_percent=scores["odi_percent"],
                odi_band=scores["odi_band"],
                cluster=scores["cluster"],
                cluster_positives=scores["cluster_positives"],
                response=scores["response"],
                positive_blocks=scores["positive_blocks"],
            ),
            missing=tuple(data["missing"]),
            referral=data["referral"],
            warnings=tuple(data["warnings"]),
            rationale=tuple(data["rationale"]),
        )


# --- formatting helpers -------------------------------------------------------------------


def fmt(value: int | float) -> str:
    """A number as a clinician writes it: 8, 8.5, 33.3 (no trailing .0)."""
    if isinstance(value, float):
        return format(value, ".15g")
    return str(value)


def _plural(count: int, singular: str) -> str:
    return f"{count} {singular if count == 1 else singular + 's'}"


def _join(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _labels(ids: Iterable[str]) -> list[str]:
    return [label(i) for i in ids]


def lower_first(text: str) -> str:
    """Lower-case the first letter for use inside a sentence, unless it starts an acronym."""
    first_word = text.split(" ", 1)[0]
    if not text or first_word.isupper():
        return text
    return text[0].lower() + text[1:]


def _lower_labels(ids: Iterable[str]) -> str:
    return _join([lower_first(label(i)) for i in ids])


def _sources(thresholds: Thresholds, *names: str, extra: Sequence[str] = ()) -> str:
    """The distinct parts of the named thresholds' sources, then ``extra``, joined by '; '."""
    seen: list[str] = []
    for text in [thresholds.source(name) for name in names] + list(extra):
        for part in text.split("; "):
            if part and part not in seen:
                seen.append(part)
    return "; ".join(seen)


def _injection_list(injections: Sequence[Injection]) -> str:
    return "; ".join(f"{i.date.isoformat()}: {fmt(i.relief_percent)}%" for i in injections)  # type: ignore[arg-type]


# --- the derived state of one episode --------------------------------------------------------


@dataclass(frozen=True)
class _State:
    facts: Facts
    thresholds: Thresholds
    as_of: dt.date
    injections: tuple[Injection, ...]
    therapeutic: tuple[Injection, ...]
    blocks_with_result: tuple[Injection, ...]
    positive_blocks: tuple[Injection, ...]
    pending: tuple[Injection, ...]
    pending_blocks: tuple[Injection, ...]
    cluster: ClusterResult
    odi: float | None
    response: str


def _state(facts: Facts, thresholds: Thresholds) -> _State:
    if facts.as_of is None:
        raise ValueError("Facts.as_of must be set: the pathway does not read the clock")
    as_of = facts.as_of
    # only entries on or before as_of count; sorted by date, input order within a date
    injections = tuple(sorted((i for i in facts.injections if i.date <= as_of), key=_by_date))
    blocks = [i for i in injections if i.kind == "diagnostic"]
    with_result = tuple(i for i in blocks if i.relief_percent is not None)
    odi = current_odi(facts.odi_items, facts.odi_percent)
    return _State(
        facts=facts,
        thresholds=thresholds,
        as_of=as_of,
        injections=injections,
        therapeutic=tuple(i for i in injections if i.kind == "therapeutic"),
        blocks_with_result=with_result,
        positive_blocks=tuple(
            i
            for i in with_result
            if exact(i.relief_percent) >= exact(thresholds.block_threshold)  # type: ignore[arg-type]
        ),
        pending=tuple(i for i in injections if i.relief_percent is None),
        pending_blocks=tuple(i for i in blocks if i.relief_percent is None),
        cluster=cluster(facts.provocation, thresholds),
        odi=odi,
        response=response(facts.conservative, facts.baseline, facts.nrs, odi, thresholds),
    )


def _by_date(injection: Injection) -> dt.date:
    return injection.date


# A rule returns (met, detail, fact that kept it unknown or None).
_Outcome = tuple[bool | None, str, str | None]


# --- triage criteria --------------------------------------------------------------------------


def _red_flag(s: _State) -> _Outcome:
    flags = s.facts.red_flags
    if flags:
        return True, f"Red flags recorded: {_join(_labels(flags))}", None
    return False, "No red flag recorded", None


def _inflammatory(s: _State) -> _Outcome:
    t = s.thresholds
    count = len(set(s.facts.inflammatory))
    weeks = s.facts.symptom_weeks
    features = f"{count} of 5 inflammatory features (needs {t.inflammatory_min_features})"
    needs_weeks = f"needs more than {fmt(t.inflammatory_min_weeks)}"
    if weeks is None:
        detail = f"{features}; duration of symptoms not recorded ({needs_weeks} weeks)"
    else:
        detail = f"{features}; {fmt(weeks)} weeks of symptoms ({needs_weeks})"
    if count < t.inflammatory_min_features:
        return False, detail, None
    if weeks is None:
        return None, detail, "symptom_weeks"
    return exact(weeks) > exact(t.inflammatory_min_weeks), detail, None


def _below_belt(s: _State) -> _Outcome:
    region = s.facts.pain_region
    if region is None:
        return None, "Pain region not recorded", "pain_region"
    return region in ("below_belt", "both"), f"Pain region: {label(region).lower()}", None


# --- injection criteria ------------------------------------------------------------------------


def _weeks_of_care(s: _State, needed: int | float, what: str) -> _Outcome:
    conservative = s.facts.conservative
    weeks = None if conservative is None else conservative.weeks
    if weeks is None:
        return None, f"Weeks of {what} not recorded (needs {fmt(needed)})", "conservative"
    detail = f"{fmt(weeks)} weeks of {what} (needs {fmt(needed)})"
    return exact(weeks) >= exact(needed), detail, None


def _response_detail(s: _State) -> str:
    facts = s.facts
    if facts.conservative is not None and facts.conservative.response is not None:
        return f"Response to conservative care recorded as {s.response}"
    baseline = facts.baseline
    pairs = []
    if baseline is not None and baseline.nrs is not None and facts.nrs is not None:
        pairs.append(f"NRS {baseline.nrs} to {facts.nrs}")
    if baseline is not None and baseline.odi_percent is not None and s.odi is not None:
        pairs.append(f"ODI {fmt(baseline.odi_percent)}% to {fmt(s.odi)}%")
    if not pairs:
        return "Response not recorded, and no baseline with a current score to compare"
    return f"Response {s.response} ({'; '.join(pairs)})"


def _response_criterion(s: _State) -> _Outcome:
    detail = _response_detail(s)
    if s.response == "unknown":
        return None, detail, "baseline"
    return s.response in ("none", "partial"), detail, None


def _cluster_detail(c: ClusterResult, t: Thresholds) -> str:
    detail = (
        f"Cluster {c.result}: {c.positives} of 6 tests positive, {c.positives_of_four} of the"
        f" 4 non-Gaenslen (needs {t.cluster_min_of_six} of 6 or {t.cluster_min_of_four} of 4)"
    )
    if c.not_done:
        detail += f"; {c.not_done} not done"
    return detail


def _cluster_criterion(s: _State) -> _Outcome:
    detail = _cluster_detail(s.cluster, s.thresholds)
    if s.cluster.result == "incomplete":
        return None, detail, "provocation"
    return s.cluster.result == "positive", detail, None


def _declined(s: _State, what: str) -> _Outcome:
    if what in s.facts.declines:
        return False, f"The patient declined {what}", None
    return True, f"No decline of {what} recorded", None


def _annual_limit(s: _State) -> _Outcome:
    start = s.as_of - dt.timedelta(days=ANNUAL_WINDOW_DAYS)
    count = sum(1 for i in s.therapeutic if i.date >= start)
    limit = s.thresholds.max_injections_per_year
    detail = (
        f"{_plural(count, 'therapeutic injection')} from {start.isoformat()} to"
        f" {s.as_of.isoformat()} (must be fewer than {limit})"
    )
    return count < limit, detail, None


def _interval(s: _State) -> _Outcome:
    if not s.therapeutic:
        return True, "No therapeutic injection recorded", None
    latest = s.therapeutic[-1].date
    days = (s.as_of - latest).days
    needed = s.thresholds.min_weeks_between_therapeutic
    detail = (
        f"{_plural(days, 'day')} since the therapeutic injection of {latest.isoformat()}"
        f" (needs {fmt(needed)} weeks)"
    )
    return Fraction(days, 7) >= exact(needed), detail, None


def _repeat_relief(s: _State) -> _Outcome:
    if not s.therapeutic:
        return True, "No therapeutic injection recorded", None
    t = s.thresholds
    latest_date = s.therapeutic[-1].date
    latest = [i for i in s.therapeutic if i.date == latest_date]
    outcomes: list[bool | None] = []
    parts: list[str] = []
    for injection in latest:
        percent, weeks = injection.relief_percent, injection.relief_weeks
        fails = (percent is not None and exact(percent) < exact(t.repeat_min_relief)) or (
            weeks is not None and exact(weeks) < exact(t.repeat_min_weeks)
        )
        if fails:
            outcomes.append(False)
        elif percent is None or weeks is None:
            outcomes.append(None)
        else:
            outcomes.append(True)
        relief = "relief not recorded" if percent is None else f"{fmt(percent)}% relief"
        lasting = "duration not recorded" if weeks is None else f"for {fmt(weeks)} weeks"
        parts.append(f"{relief}, {lasting}")
    detail = (
        f"Therapeutic injection of {latest_date.isoformat()}: {'; '.join(parts)}"
        f" (needs {fmt(t.repeat_min_relief)}% for {fmt(t.repeat_min_weeks)} weeks)"
    )
    if False in outcomes:
        return False, detail, None
    if None in outcomes:
        return None, detail, "injections"
    return True, detail, None


def _blocks_allow(s: _State) -> _Outcome:
    t = s.thresholds
    if s.pending:
        dates = _join([i.date.isoformat() for i in s.pending])
        noun = "injection" if len(s.pending) == 1 else "injections"
        return None, f"Result not recorded for the {noun} of {dates}", "injections"
    done = len(s.blocks_with_result)
    positive = len(s.positive_blocks)
    detail = (
        f"{_plural(done, 'diagnostic block')} with a result, {positive} at or above"
        f" {fmt(t.block_threshold)}% (SIJ unlikely after {t.max_diagnostic_blocks} with none)"
    )
    return not (done >= t.max_diagnostic_blocks and positive == 0), detail, None


# --- fusion criteria ---------------------------------------------------------------------------


def _symptom_weeks(s: _State) -> _Outcome:
    weeks = s.facts.symptom_weeks
    needed = s.thresholds.fusion_min_weeks
    if weeks is None:
        return (
            None,
            f"Duration of symptoms not recorded (needs {fmt(needed)} weeks)",
            "symptom_weeks",
        )
    return (
        exact(weeks) >= exact(needed),
        f"{fmt(weeks)} weeks of symptoms (needs {fmt(needed)})",
        None,
    )


def _therapeutic_injection(s: _State) -> _Outcome:
    count = len(s.therapeutic)
    if count:
        return True, f"{_plural(count, 'therapeutic injection')} recorded", None
    return False, "No therapeutic injection recorded", None


def _confirmed_blocks(s: _State) -> _Outcome:
    needed = s.thresholds.confirm_blocks
    positive = len(s.positive_blocks)
    waiting = len(s.pending_blocks)
    detail = (
        f"{_plural(positive, 'positive diagnostic block')} at or above"
        f" {fmt(s.thresholds.block_threshold)}% (needs {needed})"
    )
    if waiting:
        detail += f"; {waiting} awaiting a result"
    if positive >= needed:
        return True, detail, None
    if positive + waiting >= needed:
        return None, detail, "injections"
    return False, detail, None


def _provocation_tests(s: _State) -> _Outcome:
    c = s.cluster
    needed = s.thresholds.fusion_min_positive_tests
    detail = f"{c.positives} of 6 provocation tests positive (needs {needed})"
    if c.not_done:
        detail += f"; {c.not_done} not done"
    if c.positives >= needed:
        return True, detail, None
    if c.positives + c.not_done < needed:
        return False, detail, None
    return None, detail, "provocation"


def _nrs(s: _State) -> _Outcome:
    needed = s.thresholds.fusion_min_nrs
    if s.facts.nrs is None:
        return None, f"Pain score not recorded (needs {fmt(needed)}/10)", "nrs"
    return exact(s.facts.nrs) >= exact(needed), f"Pain {s.facts.nrs}/10 (needs {fmt(needed)})", None


def _odi(s: _State) -> _Outcome:
    needed = s.thresholds.fusion_min_odi
    if s.odi is None:
        return None, f"No ODI score (needs {fmt(needed)}%)", "odi"
    return exact(s.odi) >= exact(needed), f"ODI {s.odi:.1f}% (needs {fmt(needed)}%)", None


# --- the rule table ---------------------------------------------------------------------------


def _criteria(s: _State) -> list[tuple[Criterion, str | None]]:
    t = s.thresholds
    mic = ("mic_nrs_points", "mic_odi_points", "mic_percent")
    table: list[tuple[str, _Outcome, str]] = [
        ("triage.red_flag", _red_flag(s), _SRC_RED_FLAGS),
        (
            "triage.inflammatory",
            _inflammatory(s),
            _sources(t, "inflammatory_min_features", "inflammatory_min_weeks"),
        ),
        ("triage.below_belt", _below_belt(s), _SRC_BELT_LINE),
        (
            "injection.conservative_weeks",
            _weeks_of_care(s, t.injection_min_conservative_weeks, "conservative care"),
            _sources(t, "injection_min_conservative_weeks"),
        ),
        ("injection.response", _response_criterion(s), _sources(t, *mic)),
        (
            "injection.cluster",
            _cluster_criterion(s),
            _sources(t, "cluster_min_of_six", "cluster_min_of_four"),
        ),
        ("injection.not_declined", _declined(s, "injection"), _SRC_CHOICE),
        ("injection.annual_limit", _annual_limit(s), _sources(t, "max_injections_per_year")),
        ("injection.interval", _interval(s), _sources(t, "min_weeks_between_therapeutic")),
        (
            "injection.repeat_relief",
            _repeat_relief(s),
            _sources(t, "repeat_min_relief", "repeat_min_weeks"),
        ),
        (
            "injection.blocks_allow",
            _blocks_allow(s),
            _sources(t, "max_diagnostic_blocks", "block_threshold"),
        ),
        ("fusion.symptom_weeks", _symptom_weeks(s), _sources(t, "fusion_min_weeks")),
        (
            "fusion.conservative_weeks",
            _weeks_of_care(s, t.fusion_min_weeks, "non-surgical care"),
            _sources(t, "fusion_min_weeks"),
        ),
        ("fusion.response", _response_criterion(s), _sources(t, *mic, extra=(_SRC_NASS,))),
        ("fusion.therapeutic_injection", _therapeutic_injection(s), _SRC_NASS),
        (
            "fusion.confirmed_blocks",
            _confirmed_blocks(s),
            _sources(t, "confirm_blocks", "block_threshold"),
        ),
        (
            "fusion.provocation_tests",
            _provocation_tests(s),
            _sources(t, "fusion_min_positive_tests"),
        ),
        ("fusion.nrs", _nrs(s), _sources(t, "fusion_min_nrs")),
        ("fusion.odi", _odi(s), _sources(t, "fusion_min_odi", extra=(_SRC_ODI,))),
        ("fusion.not_declined", _declined(s, "surgery"), _SRC_CHOICE),
    ]
    result = []
    for criterion_id, (met, detail, missing), source in table:
        group = criterion_id.split(".", 1)[0]
        criterion = Criterion(criterion_id, group, label(criterion_id), met, detail, source)
        result.append((criterion, missing if met is None else None))
    assert tuple(c.id for c, _ in result) == CRITERIA_IDS
    return result


# --- triage, step, purpose, referral -----------------------------------------------------------


def _triage(by_id: Mapping[str, Criterion], facts: Facts) -> str:
    if by_id["triage.red_flag"].met:
        return "urgent_referral"
    if by_id["triage.inflammatory"].met and facts.rheumatology_cleared is not True:
        return "rheumatology_referral"
    if facts.pain_region == "above_belt":
        return "other_source"
    return "sij_pathway"


def _all_met(criteria: Iterable[Criterion], group: str) -> bool:
    return all(c.met is True for c in criteria if c.group == group)


def _step(triage: str, criteria: Sequence[Criterion]) -> str | None:
    if triage == "urgent_referral":
        return None
    if triage == "sij_pathway":
        if _all_met(criteria, "fusion"):
            return "surgery_evaluation"
        if _all_met(criteria, "injection"):
            return "injection"
    return "conservative"


def _purpose(s: _State) -> str:
    t = s.thresholds
    positive = len(s.positive_blocks)
    if positive >= t.confirm_blocks:
        return "therapeutic"
    if len(s.blocks_with_result) >= t.max_diagnostic_blocks and positive >= 1:
        return "therapeutic"
    return "diagnostic"


def _referral(triage: str, step: str | None, facts: Facts) -> str | None:
    if triage == "urgent_referral":
        return "urgent"
    if triage == "rheumatology_referral":
        return "rheumatology"
    if step == "injection":
        return "injection_clinic"
    if step == "surgery_evaluation":
        return "spine_surgeon"
    weeks = None if facts.conservative is None else facts.conservative.weeks
    if weeks is None or weeks == 0:
        return "physiotherapy"
    return None


# --- components and medications ----------------------------------------------------------------


def _components(facts: Facts, step: str | None) -> tuple[Component, ...]:
    if step is None:
        return ()
    functional = [name for name in FUNCTIONAL if name in facts.functional]
    result = []
    if "movement_restriction" in functional:
        result.append(
            Component(
                "met",
                "Movement restriction recorded: muscle energy techniques to restore joint"
                " movement.",
            )
        )
    motor = [name for name in functional if name in _MOTOR_COMPLAINTS]
    if motor:
        result.append(
            Component(
                "motor_retraining",
                f"{_lower_labels(motor).capitalize()} recorded: guided movement and motor pattern"
                " retraining.",
            )
        )
    support = []
    if "instability" in functional:
        support.append("instability")
    if "flare" in facts.symptoms:
        support.append("an acute flare")
    if support:
        result.append(
            Component(
                "manual_therapy_support",
                f"{_join(support).capitalize()} recorded: manual therapy with taping or an"
                " SIJ belt for support and short-term relief.",
            )
        )
    if not result and step == "conservative":
        result.append(
            Component(
                "motor_retraining",
                "No specific complaint recorded: guided movement and motor retraining as the"
                " default conservative care.",
            )
        )
    return tuple(result)


_NSAID_CAUTION_TEXT = {
    "gi_bleed_history": "History of gastrointestinal bleeding: NSAIDs raise the risk of"
    " bleeding again (NICE NG59).",
    "renal_disease": "Kidney disease: NSAIDs can worsen kidney function (NICE NG59).",
    "cardiovascular_disease": "Cardiovascular disease: NSAIDs raise the risk of heart attack"
    " and stroke (FDA 2015).",
    "anticoagulant": "Takes an anticoagulant: an NSAID adds to the bleeding risk (NICE NG59).",
    "pregnancy": "Pregnancy: avoid NSAIDs from 20 weeks of pregnancy (FDA 2020).",
}
_LOWEST_DOSE = "If used: the lowest effective dose for the shortest possible time (NICE NG59)."
_SHORT_COURSE = "Short course only (2-3 weeks)."
AGE_NOT_RECORDED = "age not recorded"


def _nsaid(facts: Facts, t: Thresholds) -> Medication:
    present = [name for name in NSAID_CAUTIONS if name in facts.nsaid_cautions]
    cautions = [_NSAID_CAUTION_TEXT[name] for name in present]
    older = facts.age is not None and exact(facts.age) >= exact(t.older_age)
    if older:
        cautions.append(
            f"Age {facts.age} ({fmt(t.older_age)} or over): higher risk of stomach, kidney"
            " and heart side effects (NICE NG59)."
        )
    cautions.append(_LOWEST_DOSE)
    if facts.age is None:
        return Medication("nsaid", False, AGE_NOT_RECORDED, tuple(cautions))
    if present or older:
        reasons = _labels(present) + ([f"age {facts.age}"] if older else [])
        reason = f"Acute flare recorded, but not advised because of: {_join(reasons).lower()}."
        return Medication("nsaid", False, reason, tuple(cautions))
    reason = "Acute flare recorded and no caution present: an NSAID may ease the flare."
    return Medication("nsaid", True, reason, tuple(cautions))


def _muscle_relaxant(facts: Facts, t: Thresholds) -> Medication:
    avoid = (
        f"Avoid from age {fmt(t.older_age)} (Beers criteria): sedation and falls in older adults."
    )
    if facts.age is None:
        return Medication("muscle_relaxant", False, AGE_NOT_RECORDED, (avoid, _SHORT_COURSE))
    if exact(facts.age) >= exact(t.older_age):
        reason = f"Muscle spasm recorded, but not advised at age {facts.age} (Beers criteria)."
        return Medication("muscle_relaxant", False, reason, (avoid, _SHORT_COURSE))
    reason = "Muscle spasm recorded: a short course of a muscle relaxant may help."
    return Medication("muscle_relaxant", True, reason, (_SHORT_COURSE,))


_NEURO_AGAINST = (
    "NICE NG59 advises against anticonvulsants for low back pain and (2020 update) against"
    " gabapentinoids and other antiepileptics for sciatica"
)
_FDA_BREATHING = (
    "FDA 2019: gabapentinoids taken with opioids or other CNS depressants can cause serious"
    " breathing problems."
)


def _neuropathic(t: Thresholds) -> Medication:
    if t.neuropathic_agent_advisable:
        reason = (
            f"Nerve-related pain recorded; this clinic's setting allows a neuropathic agent,"
            f" although {_NEURO_AGAINST}."
        )
    else:
        reason = f"Nerve-related pain recorded, but not advised: {_NEURO_AGAINST}."
    return Medication("neuropathic_agent", t.neuropathic_agent_advisable, reason, (_FDA_BREATHING,))


def _medications(facts: Facts, t: Thresholds, step: str | None) -> tuple[Medication, ...]:
    if step is None:
        return ()
    result = []
    if "flare" in facts.symptoms:
        result.append(_nsaid(facts, t))
    if "spasm" in facts.symptoms:
        result.append(_muscle_relaxant(facts, t))
    if "neuropathic" in facts.symptoms:
        result.append(_neuropathic(t))
    return tuple(result)


# --- warnings and rationale -------------------------------------------------------------------


def _warnings(s: _State, step: str | None) -> list[str]:
    t = s.thresholds
    warnings = []
    low = [
        i
        for i in s.blocks_with_result
        if exact(i.relief_percent) < exact(t.negative_block_below)  # type: ignore[arg-type]
    ]
    if low:
        warnings.append(
            f"Diagnostic block relief under {fmt(t.negative_block_below)}%"
            f" ({_injection_list(low)}): reconsider the SIJ as the source of pain."
        )
    done = s.blocks_with_result
    if len(done) >= t.max_diagnostic_blocks and not s.positive_blocks:
        warnings.append(
            f"{len(done)} diagnostic blocks have results and none reached"
            f" {fmt(t.block_threshold)}% ({_injection_list(done)}): the SIJ is unlikely to be"
            " the source; look for other pain generators."
        )
    below = [i for i in done if i not in s.positive_blocks]
    if s.positive_blocks and below:
        warnings.append(
            f"Diagnostic blocks disagree: at or above {fmt(t.block_threshold)}%"
            f" ({_injection_list(s.positive_blocks)}) but below it"
            f" ({_injection_list(below)})."
        )
    c = s.cluster
    if c.result == "negative":
        warnings.append(
            f"The provocation cluster is negative ({c.positives} of 6 tests positive,"
            f" {c.positives_of_four} of the 4 non-Gaenslen): SIJ pain is unlikely."
        )
    if s.pending:
        listed = _join([f"{label(i.kind).lower()} of {i.date.isoformat()}" for i in s.pending])
        warnings.append(f"No result recorded yet for the {listed}.")
    if step == "surgery_evaluation":
        if s.facts.nicotine is True:
            warnings.append(
                "The patient uses nicotine, which lowers the chance of a solid fusion;"
                " stopping before surgery is preferred."
            )
        if s.facts.fortin_finger is False:
            warnings.append(
                "The Fortin finger test was negative: the pain may not come from the SIJ."
            )
    return warnings


def _triage_sentences(s: _State, triage: str, by_id: Mapping[str, Criterion]) -> list[str]:
    facts = s.facts
    inflammatory = by_id["triage.inflammatory"]
    if triage == "urgent_referral":
        return [
            f"Red flag recorded ({_lower_labels(facts.red_flags)}): refer urgently; the routine"
            " SIJ pathway is suspended until it has been assessed."
        ]
    if triage == "rheumatology_referral":
        return [
            f"Inflammatory back pain pattern ({inflammatory.detail}): refer to rheumatology;"
            " conservative care only until a rheumatologist has cleared the patient."
        ]
    sentences = []
    if inflammatory.met:
        sentences.append(
            "Inflammatory features are present, but rheumatology has cleared the patient."
        )
    elif inflammatory.met is None:
        sentences.append(
            "Inflammatory features reach the threshold but the duration of symptoms is not"
            " recorded, so an inflammatory cause cannot be judged yet."
        )
    if triage == "other_source":
        sentences.append(
            "Pain above the belt line points to the facet joints or discs rather than the SIJ:"
            " consider those sources; conservative care meanwhile."
        )
    elif facts.pain_region is None:
        sentences.append("The pain region is not recorded; the SIJ pathway is followed.")
    else:
        sentences.append(f"{label(facts.pain_region)}: the SIJ pathway applies.")
    return sentences


def _shortfall(criteria: Sequence[Criterion], group: str) -> str:
    unmet = [lower_first(c.label) for c in criteria if c.group == group and c.met is False]
    unknown = [lower_first(c.label) for c in criteria if c.group == group and c.met is None]
    parts = []
    if unmet:
        parts.append(f"not met: {_join(unmet)}")
    if unknown:
        parts.append(f"not known: {_join(unknown)}")
    return "; ".join(parts)


def _step_sentences(
    s: _State, triage: str, step: str | None, purpose: str | None, criteria: Sequence[Criterion]
) -> list[str]:
    if step is None:
        return []
    if triage != "sij_pathway":
        return ["Injection and fusion are considered only on the SIJ pathway."]
    if step == "surgery_evaluation":
        supported = "; ".join(lower_first(c.detail) for c in criteria if c.group == "fusion")
        return [
            "Every fusion criterion is met: refer to a spine surgeon for evaluation of SIJ fusion.",
            f"What supports it: {supported}.",
            "For the surgeon to confirm, as they are not recorded here: other pain generators"
            " have been excluded, and imaging has been reviewed.",
        ]
    fusion_gap = f"Fusion evaluation is not advised yet ({_shortfall(criteria, 'fusion')})."
    if step == "injection":
        supported = "; ".join(lower_first(c.detail) for c in criteria if c.group == "injection")
        positive = len(s.positive_blocks)
        if purpose == "therapeutic":
            why = (
                f"a therapeutic injection, as diagnostic blocks support the SIJ as the source"
                f" ({positive} positive of {len(s.blocks_with_result)} with a result)"
            )
        else:
            why = (
                f"a diagnostic block, as the SIJ is not yet confirmed by blocks ({positive}"
                f" positive, {s.thresholds.confirm_blocks} needed)"
            )
        return [
            f"Every injection criterion is met: {why}.",
            f"What supports it: {supported}.",
            fusion_gap,
        ]
    return [
        "Conservative care continues; injection is not advised yet"
        f" ({_shortfall(criteria, 'injection')}).",
        fusion_gap,
    ]


def _rationale(
    s: _State,
    triage: str,
    step: str | None,
    purpose: str | None,
    criteria: Sequence[Criterion],
    missing: Sequence[str],
) -> list[str]:
    by_id = {c.id: c for c in criteria}
    sentences = _triage_sentences(s, triage, by_id)
    sentences += _step_sentences(s, triage, step, purpose, criteria)
    if missing:
        sentences.append(f"Missing to decide: {_lower_labels(missing)}.")
    return sentences


# --- the entry point ----------------------------------------------------------------------------


def advise(facts: Facts, thresholds: Thresholds) -> Advice:
    """The advice for one episode's facts under the given thresholds.

    Raises ValueError when ``facts.as_of`` is not set (the pathway reads no clock).
    """
    s = _state(facts, thresholds)
    evaluated = _criteria(s)
    criteria = [c for c, _ in evaluated]
    by_id = {c.id: c for c in criteria}
    missing = {fact for _, fact in evaluated if fact is not None}
    if s.cluster.result == "incomplete":
        missing.add("provocation")
    if s.odi is None:
        missing.add("odi")

    triage = _triage(by_id, facts)
    step = _step(triage, criteria)
    purpose = _purpose(s) if step == "injection" else None
    medications = _medications(facts, thresholds, step)
    if facts.age is None and any(m.category != "neuropathic_agent" for m in medications):
        missing.add("age")
    ordered_missing = tuple(sorted(missing))

    return Advice(
        pathway_version=PATHWAY_VERSION,
        thresholds=thresholds.to_dict(),
        triage=triage,
        step=step,
        injection_purpose=purpose,
        components=_components(facts, step),
        medications=medications,
        criteria=tuple(criteria),
        scores=Scores(
            odi_percent=s.odi,
            odi_band=odi_band(s.odi),
            cluster=s.cluster.result,
            cluster_positives=s.cluster.positives,
            response=s.response,
            positive_blocks=len(s.positive_blocks),
        ),
        missing=ordered_missing,
        referral=_referral(triage, step, facts),
        warnings=tuple(_warnings(s, step)),
        rationale=tuple(_rationale(s, triage, step, purpose, criteria, ordered_missing)),
    )
