"""ODI, cluster and response scores, at their edges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sijdesk.pathway import (
    Baseline,
    Conservative,
    Provocation,
    cluster,
    current_odi,
    measure_change,
    odi_band,
    odi_percent,
    response,
    round_half_away,
)
from tests.pathway.pathway_support import thresholds_with


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        pytest.param([5] * 10, 100.0, id="all-answered-maximum"),
        pytest.param([3] * 10, 60.0, id="all-answered"),
        pytest.param([0] * 10, 0.0, id="all-zeros"),
        pytest.param([1] * 9 + [None], 20.0, id="one-null-uses-nine-answers"),
        pytest.param([None] + [5] * 9, 100.0, id="first-null"),
        pytest.param([2, 2, 2, 2, 2, 2, 2, 2, 1, None], 37.8, id="one-null-rounded"),
        pytest.param([0, 0, 0, 0, 0, 0, 0, 0, 1, None], 2.2, id="one-null-small"),
        pytest.param([5] * 8 + [None, None], None, id="two-nulls-no-score"),
        pytest.param([None] * 10, None, id="all-null-no-score"),
    ],
)
def test_odi_percent_from_items(items, expected):
    assert odi_percent(items) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (20.25, 20.3),
        (20.35, 20.4),
        (20.45, 20.5),
        (32.25, 32.3),
        (0.05, 0.1),
        (0.04, 0.0),
        (99.95, 100.0),
        (40, 40.0),
        (Decimal("12.25"), 12.3),
    ],
)
@pytest.mark.choice("exact-decimals")
def test_round_half_away_from_zero_reads_the_number_as_written(value, expected):
    assert round_half_away(value) == expected


@pytest.mark.choice("exact-decimals")
def test_round_half_away_differs_from_bankers_rounding():
    assert round(20.25, 1) == 20.2  # what the contract rules out
    assert round_half_away(20.25) == 20.3


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0, "minimal"),
        (20, "minimal"),
        (20.04, "minimal"),
        (20.05, "moderate"),
        (20.1, "moderate"),
        (40, "moderate"),
        (40.1, "severe"),
        (60, "severe"),
        (60.1, "crippled"),
        (80, "crippled"),
        (80.04, "crippled"),
        (80.1, "bed_bound"),
        (100, "bed_bound"),
        (None, None),
    ],
)
def test_odi_band_reads_the_rounded_percent(percent, band):
    assert odi_band(percent) == band


@pytest.mark.choice("odi-items-alone")
def test_current_odi_uses_items_alone_when_present():
    assert current_odi([5] * 8 + [None, None], 50) is None
    assert current_odi([1] * 10, 50) == 20.0
    assert current_odi(None, 32.25) == 32.3
    assert current_odi(None, None) is None


def _prov(**results):
    return Provocation(**results)


@pytest.mark.parametrize(
    ("provocation", "result", "positives"),
    [
        pytest.param(
            _prov(compression=True, gaenslen_left=True, gaenslen_right=True, distraction=False),
            "positive",
            3,
            id="3-of-6-with-both-gaenslen",
        ),
        pytest.param(_prov(distraction=True, thigh_thrust=True), "positive", 2, id="2-of-4"),
        pytest.param(
            _prov(
                sacral_thrust=True,
                gaenslen_left=True,
                **dict.fromkeys(
                    ["distraction", "thigh_thrust", "compression", "gaenslen_right"], False
                ),
            ),
            "negative",
            2,
            id="2-of-6-1-of-4-all-done",
        ),
        pytest.param(
            _prov(
                **dict.fromkeys(
                    [
                        "distraction",
                        "thigh_thrust",
                        "compression",
                        "sacral_thrust",
                        "gaenslen_left",
                        "gaenslen_right",
                    ],
                    False,
                )
            ),
            "negative",
            0,
            id="all-negative",
        ),
        pytest.param(
            _prov(
                distraction=True,
                thigh_thrust=False,
                compression=False,
                sacral_thrust=False,
                gaenslen_right=False,
            ),
            "negative",
            1,
            id="cannot-be-reached-whatever-the-remaining-test-shows",
        ),
        pytest.param(
            _prov(distraction=False, thigh_thrust=False, compression=False),
            "incomplete",
            0,
            id="three-gaenslen-and-sacral-not-done-could-still-reach-3",
        ),
        pytest.param(_prov(distraction=True), "incomplete", 1, id="one-positive-rest-not-done"),
        pytest.param(None, "incomplete", 0, id="no-provocation-recorded"),
        pytest.param(_prov(), "incomplete", 0, id="empty-provocation"),
    ],
)
def test_cluster(provocation, result, positives, defaults):
    found = cluster(provocation, defaults)
    assert (found.result, found.positives) == (result, positives)


def test_cluster_counts_gaenslen_left_and_right_separately(defaults):
    found = cluster(_prov(gaenslen_left=True, gaenslen_right=True), defaults)
    assert found.positives == 2
    assert found.positives_of_four == 0
    assert found.not_done == 4


def test_cluster_thresholds_are_read():
    strict = thresholds_with(cluster_min_of_four=3, cluster_min_of_six=4)
    assert cluster(_prov(distraction=True, thigh_thrust=True), strict).result == "incomplete"


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (8, 6, "good"),  # 2 points
        (8, 7, "partial"),  # 1 point, 12.5 %
        (3, 2, "good"),  # 1 point but 33 %
        (10, 8, "good"),
        (10, 9, "partial"),
        (5, 5, "none"),
        (5, 7, "none"),
        (0, 0, "none"),
    ],
)
def test_measure_change_nrs(baseline, current, expected, defaults):
    t = defaults
    assert measure_change(baseline, current, t.mic_nrs_points, t.mic_percent) == expected


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (46, 36, "good"),  # 10 points exactly
        (45.9, 36, "partial"),  # 9.9 points, 21.6 %
        (40.1, 30.1, "good"),  # 10 points, no float noise
        (20, 14, "good"),  # 6 points but 30 %
        (20, 14.1, "partial"),  # 29.5 %
        (30, 30, "none"),
    ],
)
def test_measure_change_odi(baseline, current, expected, defaults):
    t = defaults
    assert measure_change(baseline, current, t.mic_odi_points, t.mic_percent) == expected


@pytest.mark.choice("response-combined")
def test_measure_change_needs_a_real_fall_even_with_zero_mic():
    assert measure_change(5, 5, 0, 0) == "none"
    assert measure_change(5, 4.5, 0, 100) == "good"


@pytest.mark.choice("response-combined")
def test_response_prefers_the_recorded_one(defaults):
    recorded = Conservative(weeks=8, response="none")
    assert response(recorded, Baseline(nrs=8), 2, None, defaults) == "none"


@pytest.mark.choice("response-combined")
def test_response_either_measure_good_wins(defaults):
    assert response(None, Baseline(nrs=6, odi_percent=40), 6, 30.0, defaults) == "good"
    assert response(None, Baseline(nrs=7, odi_percent=40), 6, 40.0, defaults) == "partial"
    assert response(None, Baseline(nrs=6, odi_percent=40), 7, 45.0, defaults) == "none"


@pytest.mark.choice("baseline-odi-rounded")
def test_response_rounds_the_baseline_odi(defaults):
    # 40.05 rounds to 40.1; a fall to 30.1 is then exactly 10 points
    assert response(None, Baseline(odi_percent=40.05), None, 30.1, defaults) == "good"


@pytest.mark.parametrize(
    ("conservative", "baseline", "nrs", "odi"),
    [
        (None, None, 5, 30.0),
        (Conservative(weeks=4), Baseline(), 5, 30.0),
        (None, Baseline(nrs=5), None, 30.0),
        (None, Baseline(odi_percent=30), 5, None),
    ],
)
def test_response_unknown_without_a_pair(conservative, baseline, nrs, odi, defaults):
    assert response(conservative, baseline, nrs, odi, defaults) == "unknown"
