"""Scores read by the rules: ODI percent and band, the provocation cluster, the response.

All arithmetic on decimals is exact: numbers are taken as written (``str``) and
compared as fractions, so 20.45 rounds to 20.5 and a 10-point ODI fall is 10.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sijdesk.pathway.facts import Baseline, Conservative, Provocation
from sijdesk.pathway.thresholds import Thresholds
from sijdesk.pathway.vocab import NON_GAENSLEN_TESTS, PROVOCATION_TESTS

Number = int | float


def exact(value: Number) -> Fraction:
    """The number as written, as an exact fraction (0.1 is 1/10, not its binary neighbour)."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def round_half_away(value: Number | Decimal) -> float:
    """Round to one decimal, halves away from zero (20.25 -> 20.3, unlike ``round``)."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return float(number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def odi_percent(items: Sequence[int | None]) -> float | None:
    """ODI percent from the ten section answers (0-5, None unanswered).

    sum / (5 x answered) x 100, rounded half away from zero to one decimal;
    None when two or more sections are unanswered (Fairbank & Pynsent 2000).
    """
    answered = [item for item in items if item is not None]
    if len(items) - len(answered) > 1 or not answered:
        return None
    return round_half_away(Decimal(sum(answered) * 100) / Decimal(5 * len(answered)))


def odi_band(percent: Number | None) -> str | None:
    """Band of an ODI percent (read after rounding to one decimal); None without a score."""
    if percent is None:
        return None
    value = exact(round_half_away(percent))
    for limit, band in ((20, "minimal"), (40, "moderate"), (60, "severe"), (80, "crippled")):
        if value <= limit:
            return band
    return "bed_bound"


def current_odi(odi_items: Sequence[int | None] | None, percent: Number | None) -> float | None:
    """The current ODI: from the items when present (alone), else the given percent, rounded."""
    if odi_items is not None:
        return odi_percent(odi_items)
    return None if percent is None else round_half_away(percent)


@dataclass(frozen=True)
class ClusterResult:
    """The Laslett cluster: ``result`` is positive, negative or incomplete."""

    result: str
    positives: int
    positives_of_four: int
    not_done: int
    not_done_of_four: int


def cluster(provocation: Provocation | None, thresholds: Thresholds) -> ClusterResult:
    """Count the six results (Gaenslen left and right separately; None = not done).

    Positive at >= cluster_min_of_six of six or >= cluster_min_of_four of the four
    non-Gaenslen tests; negative when neither can be reached even if every test not
    done were positive; else incomplete.
    """
    results = dict.fromkeys(PROVOCATION_TESTS, None)
    if provocation is not None:
        results = dict(zip(PROVOCATION_TESTS, provocation.results(), strict=True))
    positives = sum(value is True for value in results.values())
    not_done = sum(value is None for value in results.values())
    four = [results[name] for name in NON_GAENSLEN_TESTS]
    positives_of_four = sum(value is True for value in four)
    not_done_of_four = sum(value is None for value in four)
    six_needed = thresholds.cluster_min_of_six
    four_needed = thresholds.cluster_min_of_four
    if positives >= six_needed or positives_of_four >= four_needed:
        result = "positive"
    elif positives + not_done < six_needed and positives_of_four + not_done_of_four < four_needed:
        result = "negative"
    else:
        result = "incomplete"
    return ClusterResult(result, positives, positives_of_four, not_done, not_done_of_four)


def measure_change(
    baseline: Number, current: Number, mic_points: Number, mic_percent: Number
) -> str:
    """good / partial / none for one measure (lower is better).

    good when it fell by at least ``mic_points`` or by at least ``mic_percent`` of the
    baseline (a baseline of 0 cannot show a percentage); partial when it fell by less;
    none when it did not fall.
    """
    fall = exact(baseline) - exact(current)
    if fall <= 0:
        return "none"
    if fall >= exact(mic_points) or fall * 100 >= exact(mic_percent) * exact(baseline):
        return "good"
    return "partial"


def response(
    conservative: Conservative | None,
    baseline: Baseline | None,
    nrs: int | None,
    odi: float | None,
    thresholds: Thresholds,
) -> str:
    """Response to conservative care: the recorded one, else derived from baseline/current.

    ``odi`` is the current ODI percent (already rounded); the baseline ODI is rounded
    the same way. good when either measure shows a minimal important change, partial
    when either fell at all, none when neither fell, unknown without any pair.
    """
    if conservative is not None and conservative.response is not None:
        return conservative.response
    changes = []
    if baseline is not None and baseline.nrs is not None and nrs is not None:
        changes.append(
            measure_change(baseline.nrs, nrs, thresholds.mic_nrs_points, thresholds.mic_percent)
        )
    if baseline is not None and baseline.odi_percent is not None and odi is not None:
        changes.append(
            measure_change(
                round_half_away(baseline.odi_percent),
                odi,
                thresholds.mic_odi_points,
                thresholds.mic_percent,
            )
        )
    for outcome in ("good", "partial", "none"):
        if outcome in changes:
            return outcome
    return "unknown"
