"""Parsing episode facts: types, ranges, paths of errors, and the round trip back to JSON."""

from __future__ import annotations

import math
from datetime import date

import pytest

from sijdesk.pathway import (
    FACT_KEYS,
    Baseline,
    Facts,
    FactsError,
    Injection,
    Provocation,
    facts_from_json,
    facts_to_dict,
    parse_facts,
)
from tests.pathway.pathway_support import READY_FOR_FUSION, TODAY, facts_of

INJ0 = {"date": "2024-01-01", "kind": "diagnostic"}
ODI_OK = [0] * 10


def odi_with(index, value):
    items = list(ODI_OK)
    items[index] = value
    return items


INVALID_OBJECTS = [
    # unknown keys, top level and nested
    ({"frobnicate": 1}, "frobnicate"),
    ({1: 2}, "1"),
    ({"provocation": {"frobnicate": True}}, "provocation.frobnicate"),
    ({"baseline": {"vas": 3}}, "baseline.vas"),
    ({"conservative": {"sessions": 3}}, "conservative.sessions"),
    ({"injections": [dict(INJ0, side="left")]}, "injections[0].side"),
    # integers
    ({"age": "40"}, "age"),
    ({"age": True}, "age"),
    ({"age": 40.5}, "age"),
    ({"age": 121}, "age"),
    ({"age": -1}, "age"),
    ({"age": []}, "age"),
    ({"age": {}}, "age"),
    ({"age": {1, 2}}, "age"),
    ({"age": math.inf}, "age"),
    ({"nrs": 11}, "nrs"),
    ({"nrs": 5.5}, "nrs"),
    ({"nrs": False}, "nrs"),
    # numbers
    ({"symptom_weeks": -1}, "symptom_weeks"),
    ({"symptom_weeks": "3"}, "symptom_weeks"),
    ({"symptom_weeks": True}, "symptom_weeks"),
    ({"symptom_weeks": math.nan}, "symptom_weeks"),
    ({"odi_percent": 100.1}, "odi_percent"),
    ({"odi_percent": -0.1}, "odi_percent"),
    # choices and lists
    ({"pain_region": "left"}, "pain_region"),
    ({"pain_region": 1}, "pain_region"),
    ({"pain_sites": "buttock"}, "pain_sites"),
    ({"pain_sites": ["knee"]}, "pain_sites[0]"),
    ({"pain_sites": [None]}, "pain_sites[0]"),
    ({"pain_sites": ["buttock", "groin", "buttock"]}, "pain_sites[2]"),
    ({"functional": [1]}, "functional[0]"),
    ({"red_flags": ["fever", "fever"]}, "red_flags[1]"),
    ({"inflammatory": ["young"]}, "inflammatory[0]"),
    ({"symptoms": ["cramp"]}, "symptoms[0]"),
    ({"nsaid_cautions": ["smoking"]}, "nsaid_cautions[0]"),
    ({"declines": ["therapy"]}, "declines[0]"),
    ({"declines": {"injection": True}}, "declines"),
    # booleans
    ({"provocation": []}, "provocation"),
    ({"provocation": {"distraction": 1}}, "provocation.distraction"),
    ({"provocation": {"gaenslen_left": "yes"}}, "provocation.gaenslen_left"),
    ({"fortin_finger": 0}, "fortin_finger"),
    ({"nicotine": "no"}, "nicotine"),
    ({"rheumatology_cleared": 1}, "rheumatology_cleared"),
    # ODI items
    ({"odi_items": "x"}, "odi_items"),
    ({"odi_items": [0] * 9}, "odi_items"),
    ({"odi_items": [0] * 11}, "odi_items"),
    ({"odi_items": odi_with(3, 6)}, "odi_items[3]"),
    ({"odi_items": odi_with(3, True)}, "odi_items[3]"),
    ({"odi_items": odi_with(0, 2.5)}, "odi_items[0]"),
    ({"odi_items": [0] * 11 + [9]}, "odi_items[11]"),
    # objects
    ({"baseline": "x"}, "baseline"),
    ({"baseline": {"nrs": 11}}, "baseline.nrs"),
    ({"baseline": {"odi_percent": 101}}, "baseline.odi_percent"),
    ({"conservative": []}, "conservative"),
    ({"conservative": {"weeks": -1}}, "conservative.weeks"),
    ({"conservative": {"response": "great"}}, "conservative.response"),
    # injections
    ({"injections": {}}, "injections"),
    ({"injections": [None]}, "injections[0]"),
    ({"injections": ["2024-01-01"]}, "injections[0]"),
    ({"injections": [{"kind": "diagnostic"}]}, "injections[0].date"),
    ({"injections": [{"date": "2024-01-01"}]}, "injections[0].kind"),
    ({"injections": [{"date": None, "kind": "diagnostic"}]}, "injections[0].date"),
    ({"injections": [INJ0, dict(INJ0, relief_percent=101)]}, "injections[1].relief_percent"),
    ({"injections": [dict(INJ0, relief_percent=True)]}, "injections[0].relief_percent"),
    ({"injections": [dict(INJ0, relief_weeks=-1)]}, "injections[0].relief_weeks"),
    ({"injections": [dict(INJ0, kind="block")]}, "injections[0].kind"),
    # dates
    ({"injections": [dict(INJ0, date="2024-02-30")]}, "injections[0].date"),
    ({"as_of": "2024-13-01"}, "as_of"),
    ({"as_of": "2024-1-01"}, "as_of"),
    ({"as_of": "20240101"}, "as_of"),
    ({"as_of": 20240101}, "as_of"),
    ({"as_of": "2024-06-01T00:00"}, "as_of"),
    ({"as_of": "\uff12\uff10\uff12\uff14-01-01"}, "as_of"),
    ({"as_of": "0000-01-01"}, "as_of"),
]


@pytest.mark.choice(
    "unknown-key-path",
    "null-lists",
    "odi-items-length-last",
    "injection-date-and-kind",
    "strict-dates",
)
@pytest.mark.parametrize(("obj", "path"), INVALID_OBJECTS)
def test_invalid_facts_name_the_offending_path(obj, path):
    with pytest.raises(FactsError) as caught:
        parse_facts(obj, today=TODAY)
    assert caught.value.path == path
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert "\n" not in text


INVALID_TEXTS = [
    ('{"nrs": NaN}', "nrs"),
    ('{"age": NaN}', "age"),
    ('{"symptom_weeks": Infinity}', "symptom_weeks"),
    ('{"symptom_weeks": 1e400}', "symptom_weeks"),
    ('{"nicotine": NaN}', "nicotine"),
    ('{"pain_region": NaN}', "pain_region"),
    ('{"as_of": NaN}', "as_of"),
    ('{"pain_sites": NaN}', "pain_sites"),
    ('{"pain_sites": [NaN]}', "pain_sites[0]"),
    ('{"baseline": NaN}', "baseline"),
    ('{"odi_items": NaN}', "odi_items"),
    ('{"odi_items": [0, 0, 0, -Infinity, 0, 0, 0, 0, 0, 0]}', "odi_items[3]"),
    ('{"injections": [NaN]}', "injections[0]"),
    (
        '{"injections": [{"date": "2024-01-01", "kind": "therapeutic", "relief_percent": NaN}]}',
        "injections[0].relief_percent",
    ),
    ('{"age": 40, "age": 41}', "age"),
    ('{"baseline": {"nrs": 1, "nrs": 2}}', "baseline.nrs"),
    ('{"provocation": {"distraction": true, "distraction": true}}', "provocation.distraction"),
    # the first error in input order is reported
    ('{"age": "x", "nrs": true}', "age"),
    ('{"nrs": 1, "age": "x", "nrs": 2}', "age"),
    ('{"nrs": 1, "nrs": 2, "age": "x"}', "nrs"),
    ('{"age": 1, "frobnicate": 1, "nrs": true}', "frobnicate"),
    ('{"injections": [{"kind": "x", "date": "bad"}]}', "injections[0].kind"),
    ('{"injections": [{"frob": 1}], "age": true}', "injections[0].frob"),
    ('{"odi_items": [9, 0], "age": true}', "odi_items[0]"),
    ('{"odi_items": [0, 0], "age": true}', "odi_items"),
]


@pytest.mark.choice("nan-and-repeated-keys")
@pytest.mark.parametrize(("text", "path"), INVALID_TEXTS)
def test_invalid_json_text_names_the_offending_path(text, path):
    with pytest.raises(FactsError) as caught:
        facts_from_json(text, today=TODAY)
    assert caught.value.path == path
    assert path in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "{",
        '{"age": 40,}',
        "",
        "[1, 2",
        "{'age': 40}",
        "{} {}",
        '{"age": ' + "9" * 5000 + "}",
        '{"baseline": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
)
@pytest.mark.choice("malformed-input")
def test_malformed_json_is_reported_without_a_path(text):
    with pytest.raises(FactsError) as caught:
        facts_from_json(text, today=TODAY)
    assert caught.value.path == ""
    assert "malformed JSON" in str(caught.value)


@pytest.mark.choice("malformed-input")
@pytest.mark.parametrize("obj", [[], "x", 3, None])
def test_facts_must_be_an_object(obj):
    with pytest.raises(FactsError, match="must be a JSON object") as caught:
        parse_facts(obj, today=TODAY)
    assert caught.value.path == ""


@pytest.mark.choice("nan-and-repeated-keys")
def test_nan_literal_is_called_malformed_json():
    with pytest.raises(FactsError, match="malformed JSON: NaN"):
        facts_from_json('{"nrs": NaN}', today=TODAY)


def test_integer_fields_accept_integral_floats():
    facts = facts_of({"age": 40.0, "nrs": 5.0, "odi_items": [1.0] * 10, "baseline": {"nrs": 7.0}})
    assert facts.age == 40 and type(facts.age) is int
    assert facts.nrs == 5 and type(facts.nrs) is int
    assert facts.odi_items == (1,) * 10
    assert type(facts.baseline.nrs) is int


def test_number_fields_keep_the_number_as_given():
    facts = facts_of({"symptom_weeks": 8.5, "odi_percent": 40})
    assert facts.symptom_weeks == 8.5
    assert facts.odi_percent == 40 and type(facts.odi_percent) is int


def test_as_of_absent_or_null_is_today():
    assert facts_of({}).as_of == TODAY
    assert facts_of({"as_of": None}).as_of == TODAY
    assert facts_of({"as_of": "2024-02-29"}).as_of == date(2024, 2, 29)


@pytest.mark.choice("null-lists", "provocation-absent")
def test_absent_and_null_mean_unknown():
    facts = facts_of(
        {
            "age": None,
            "provocation": None,
            "baseline": {},
            "conservative": {},
            "pain_sites": None,
            "injections": None,
        }
    )
    assert facts.age is None
    assert facts.provocation is None
    assert facts.baseline == Baseline()
    assert facts.conservative.weeks is None and facts.conservative.response is None
    assert facts.pain_sites == ()
    assert facts.injections == ()


@pytest.mark.choice("provocation-absent")
def test_a_provocation_test_left_out_is_not_done():
    facts = facts_of({"provocation": {"distraction": True}})
    assert facts.provocation == Provocation(distraction=True)
    assert facts.provocation.results() == (True, None, None, None, None, None)


def test_identical_injections_are_allowed():
    facts = facts_of({"injections": [INJ0, INJ0]})
    assert len(facts.injections) == 2


def test_list_entries_keep_input_order():
    facts = facts_of({"symptoms": ["spasm", "flare"]})
    assert facts.symptoms == ("spasm", "flare")


def test_facts_round_trip_through_the_json_shape():
    facts = facts_of(
        dict(
            READY_FOR_FUSION,
            odi_items=[1, None, 2, 3, 4, 5, 0, 1, 2, 3],
            baseline={"nrs": 8, "odi_percent": 50.5},
            red_flags=["fever"],
            symptoms=["flare"],
            nicotine=True,
            rheumatology_cleared=False,
            fortin_finger=True,
        )
    )
    shape = facts_to_dict(facts)
    assert list(shape) == list(FACT_KEYS)
    assert parse_facts(shape, today=date(1999, 1, 1)) == facts


def test_facts_to_dict_of_empty_facts():
    shape = facts_to_dict(Facts())
    assert shape["as_of"] is None
    assert shape["provocation"] is None and shape["baseline"] is None
    assert shape["conservative"] is None and shape["odi_items"] is None
    assert shape["injections"] == []
    assert parse_facts(shape, today=TODAY) == Facts(as_of=TODAY)


@pytest.mark.choice("facts-need-as-of")
def test_facts_built_directly_turn_lists_into_tuples():
    facts = Facts(
        as_of=date(2024, 1, 1),
        pain_sites=["buttock"],
        red_flags=None,
        odi_items=[1] * 10,
        injections=[Injection(date=date(2024, 1, 1), kind="diagnostic")],
    )
    assert facts.pain_sites == ("buttock",)
    assert facts.red_flags == ()
    assert facts.odi_items == (1,) * 10
    assert isinstance(facts.injections, tuple)
    assert facts == Facts(
        as_of=date(2024, 1, 1),
        pain_sites=("buttock",),
        odi_items=(1,) * 10,
        injections=(Injection(date=date(2024, 1, 1), kind="diagnostic"),),
    )


def test_fact_keys_are_the_contract_input_keys():
    assert FACT_KEYS == (
        "as_of",
        "age",
        "pain_region",
        "pain_sites",
        "symptom_weeks",
        "functional",
        "provocation",
        "fortin_finger",
        "nrs",
        "odi_items",
        "odi_percent",
        "baseline",
        "red_flags",
        "inflammatory",
        "conservative",
        "injections",
        "symptoms",
        "nsaid_cautions",
        "declines",
        "nicotine",
        "rheumatology_cleared",
    )
