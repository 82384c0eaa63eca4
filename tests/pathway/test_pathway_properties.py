"""Property tests: invariants of the advice for any valid facts, and errors for invalid ones."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sijdesk.pathway import (
    COMPONENTS,
    CRITERIA_IDS,
    DECLINES,
    FUNCTIONAL,
    INFLAMMATORY,
    MEDICATION_CATEGORIES,
    MISSING_FACTS,
    NSAID_CAUTIONS,
    PAIN_REGIONS,
    PAIN_SITES,
    PROVOCATION_TESTS,
    RED_FLAGS,
    REFERRALS,
    STEPS,
    SYMPTOMS,
    TRIAGES,
    Advice,
    FactsError,
    advise,
    facts_to_dict,
    load_default_thresholds,
    parse_facts,
    parse_thresholds,
)
from tests.pathway.pathway_support import TODAY

PROPERTY_SETTINGS = settings(
    max_examples=500,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

DATES = st.dates(min_value=date(2022, 1, 1), max_value=date(2025, 12, 31))


def _optional(strategy):
    return st.one_of(st.none(), strategy)


def _integer(low, high):
    """Integers, sometimes written as integral floats (40.0)."""
    return st.one_of(st.integers(low, high), st.integers(low, high).map(float))


def _number(low, high, near=()):
    """Numbers in range, with the interesting boundary values drawn often."""
    return st.one_of(
        st.integers(low, int(high)),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
        st.sampled_from([v for v in near if low <= v <= high] or [low]),
    )


def _enum_list(vocabulary):
    return st.lists(st.sampled_from(vocabulary), unique=True)


INJECTION = st.fixed_dictionaries(
    {"date": DATES.map(date.isoformat), "kind": st.sampled_from(["diagnostic", "therapeutic"])},
    optional={
        "relief_percent": _optional(_number(0, 100, (49, 50, 74, 75, 76))),
        "relief_weeks": _optional(_number(0, 40, (5, 6, 12))),
    },
)

FACTS = st.fixed_dictionaries(
    {},
    optional={
        "as_of": _optional(DATES.map(date.isoformat)),
        "age": _optional(_integer(0, 120)),
        "pain_region": _optional(st.sampled_from(PAIN_REGIONS)),
        "pain_sites": _enum_list(PAIN_SITES),
        "symptom_weeks": _optional(_number(0, 200, (12, 13, 25, 26, 27))),
        "functional": _enum_list(FUNCTIONAL),
        "provocation": _optional(
            st.fixed_dictionaries(
                {},
                optional={name: _optional(st.booleans()) for name in PROVOCATION_TESTS},
            )
        ),
        "fortin_finger": _optional(st.booleans()),
        "nrs": _optional(_integer(0, 10)),
        "odi_items": _optional(st.lists(_optional(_integer(0, 5)), min_size=10, max_size=10)),
        "odi_percent": _optional(_number(0, 100, (20, 20.05, 29.9, 29.95, 30, 40, 80.1))),
        "baseline": _optional(
            st.fixed_dictionaries(
                {},
                optional={
                    "nrs": _optional(_integer(0, 10)),
                    "odi_percent": _optional(_number(0, 100, (30, 40))),
                },
            )
        ),
        "red_flags": st.one_of(st.just([]), _enum_list(RED_FLAGS)),
        "inflammatory": _enum_list(INFLAMMATORY),
        "conservative": _optional(
            st.fixed_dictionaries(
                {},
                optional={
                    "weeks": _optional(_number(0, 100, (0, 5, 6, 7, 25, 26, 27))),
                    "response": _optional(st.sampled_from(["good", "partial", "none"])),
                },
            )
        ),
        "injections": st.lists(INJECTION, max_size=6),
        "symptoms": _enum_list(SYMPTOMS),
        "nsaid_cautions": _enum_list(NSAID_CAUTIONS),
        "declines": _enum_list(DECLINES),
        "nicotine": _optional(st.booleans()),
        "rheumatology_cleared": _optional(st.booleans()),
    },
)

THRESHOLDS = st.fixed_dictionaries(
    {},
    optional={
        "block_threshold": _number(0, 100, (50, 75, 80)),
        "confirm_blocks": st.integers(1, 3),
        "max_diagnostic_blocks": st.integers(1, 3),
        "min_weeks_between_therapeutic": _number(0, 20, (8, 12)),
        "repeat_min_weeks": _number(0, 20, (6, 12)),
        "older_age": st.integers(50, 80),
        "neuropathic_agent_advisable": st.booleans(),
        "cluster_min_of_six": st.integers(1, 7),
        "cluster_min_of_four": st.integers(1, 5),
    },
)


@pytest.mark.choice("criteria-every-triage", "missing-sorted", "output-lists")
@PROPERTY_SETTINGS
@given(obj=FACTS, clinic=THRESHOLDS)
def test_every_valid_facts_object_gives_coherent_advice(obj, clinic):
    thresholds = parse_thresholds(clinic, base=load_default_thresholds())
    facts = parse_facts(obj, today=TODAY)
    advice = advise(facts, thresholds)
    data = advice.to_dict()

    assert data["triage"] in TRIAGES
    assert (data["step"] is None) == (data["triage"] == "urgent_referral")
    assert data["step"] is None or data["step"] in STEPS
    if data["step"] in ("injection", "surgery_evaluation"):
        assert data["triage"] == "sij_pathway"
    assert (data["injection_purpose"] is not None) == (data["step"] == "injection")
    assert data["injection_purpose"] in (None, "diagnostic", "therapeutic")
    assert data["referral"] is None or data["referral"] in REFERRALS

    ids = [c["id"] for c in data["criteria"]]
    assert ids == list(CRITERIA_IDS)
    assert all(c["met"] in (True, False, None) for c in data["criteria"])
    by_group = {
        g: [c["met"] for c in data["criteria"] if c["group"] == g] for g in ("injection", "fusion")
    }
    if data["triage"] == "sij_pathway":
        assert (data["step"] == "surgery_evaluation") == all(m is True for m in by_group["fusion"])
        if data["step"] == "conservative":
            assert not all(m is True for m in by_group["injection"])

    assert data["missing"] == sorted(set(data["missing"]))
    assert set(data["missing"]) <= set(MISSING_FACTS)
    unknown = [c for c in data["criteria"] if c["met"] is None]
    assert bool(unknown) <= bool(data["missing"])

    component_ids = [c["id"] for c in data["components"]]
    assert component_ids == [c for c in COMPONENTS if c in component_ids]
    categories = [m["category"] for m in data["medications"]]
    assert categories == [c for c in MEDICATION_CATEGORIES if c in categories]
    assert all(isinstance(m["advisable"], bool) for m in data["medications"])
    if data["step"] is None:
        assert component_ids == [] and categories == []
    if data["step"] == "conservative":
        assert component_ids

    assert data["thresholds"] == thresholds.to_dict()
    assert data["scores"]["cluster"] in ("positive", "negative", "incomplete")
    assert all(isinstance(w, str) and w for w in data["warnings"])
    assert all(isinstance(s, str) and s for s in data["rationale"])

    # deterministic, JSON-serialisable, and it reads back
    assert advise(parse_facts(copy.deepcopy(obj), today=TODAY), thresholds).to_dict() == data
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert Advice.from_dict(json.loads(text)) == advice
    # the facts' own JSON shape gives the same facts, hence the same advice
    assert parse_facts(facts_to_dict(facts), today=date(2000, 1, 1)) == facts


# --- invalid objects ------------------------------------------------------------------------

# For each top-level key: (bad value, path of the error relative to the key)
BAD_VALUES: dict[str, list[tuple[object, str]]] = {
    "as_of": [("2024-13-01", ""), (20240101, ""), (True, ""), ("2024-6-1", "")],
    "age": [(121, ""), (-1, ""), (40.5, ""), (True, ""), ("40", "")],
    "pain_region": [("left", ""), (1, "")],
    "pain_sites": [("buttock", ""), (["knee"], "[0]"), (["buttock", "buttock"], "[1]")],
    "symptom_weeks": [(-0.5, ""), (False, ""), ("3", "")],
    "functional": [(["weak"], "[0]"), ({}, "")],
    "provocation": [([], ""), ({"distraction": 1}, ".distraction"), ({"x": True}, ".x")],
    "fortin_finger": [(1, ""), ("true", "")],
    "nrs": [(11, ""), (True, ""), (4.5, "")],
    "odi_items": [([0] * 9, ""), ([0, 0, 0, 6] + [0] * 6, "[3]"), ([True] + [0] * 9, "[0]")],
    "odi_percent": [(100.5, ""), (-1, ""), (True, "")],
    "baseline": [("x", ""), ({"nrs": 12}, ".nrs"), ({"odi": 3}, ".odi")],
    "red_flags": [(["fever", "fever"], "[1]"), (["flu"], "[0]")],
    "inflammatory": [(["young"], "[0]")],
    "conservative": [({"weeks": -1}, ".weeks"), ({"response": "ok"}, ".response"), (3, "")],
    "injections": [
        ([{"date": "2024-01-01"}], "[0].kind"),
        (
            [{"date": "2024-01-01", "kind": "diagnostic", "relief_percent": 101}],
            "[0].relief_percent",
        ),
        ([None], "[0]"),
    ],
    "symptoms": [(["cramp"], "[0]")],
    "nsaid_cautions": [(["smoking"], "[0]")],
    "declines": [(["injection", "injection"], "[1]")],
    "nicotine": [(0, "")],
    "rheumatology_cleared": [("yes", "")],
}


@PROPERTY_SETTINGS
@given(obj=FACTS, data=st.data())
def test_every_mutated_facts_object_names_the_mutated_path(obj, data):
    mutation = data.draw(st.sampled_from(["unknown", "bad_value"]), label="mutation")
    obj = dict(obj)
    if mutation == "unknown":
        key = data.draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in BAD_VALUES))
        obj[key] = data.draw(st.none() | st.integers() | st.booleans())
        expected = key
    else:
        key = data.draw(st.sampled_from(sorted(BAD_VALUES)), label="key")
        value, suffix = data.draw(st.sampled_from(BAD_VALUES[key]), label="bad")
        obj[key] = value
        expected = key + suffix
    try:
        parse_facts(obj, today=TODAY)
    except FactsError as exc:
        assert exc.path == expected
        assert expected in str(exc)
    else:
        raise AssertionError(f"no error for {expected}")


@PROPERTY_SETTINGS
@given(obj=FACTS, index=st.integers(0, 5), value=st.sampled_from([101, -1, True, "50"]))
def test_a_bad_relief_in_any_injection_names_that_injection(obj, index, value):
    injections = [dict(i) for i in obj.get("injections", [])]
    if not injections:
        injections = [{"date": "2024-01-01", "kind": "therapeutic"}]
    index %= len(injections)
    injections[index]["relief_percent"] = value
    obj = dict(obj, injections=injections)
    try:
        parse_facts(obj, today=TODAY)
    except FactsError as exc:
        assert exc.path == f"injections[{index}].relief_percent"
    else:
        raise AssertionError("no error")
