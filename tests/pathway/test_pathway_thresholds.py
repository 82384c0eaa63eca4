"""Thresholds: the shipped defaults, a clinic's file, and the checks on both."""

from __future__ import annotations

import json
import math
from importlib import resources

import pytest

from sijdesk.pathway import (
    THRESHOLD_NAMES,
    Thresholds,
    ThresholdsError,
    load_default_thresholds,
    load_thresholds_file,
    parse_thresholds,
)
from sijdesk.pathway import thresholds as thresholds_module

CONTRACT_DEFAULTS = {
    "cluster_min_of_six": 3,
    "cluster_min_of_four": 2,
    "mic_nrs_points": 2,
    "mic_odi_points": 10,
    "mic_percent": 30,
    "block_threshold": 75,
    "negative_block_below": 50,
    "max_diagnostic_blocks": 2,
    "confirm_blocks": 2,
    "injection_min_conservative_weeks": 6,
    "max_injections_per_year": 4,
    "min_weeks_between_therapeutic": 8,
    "repeat_min_relief": 50,
    "repeat_min_weeks": 6,
    "fusion_min_weeks": 26,
    "fusion_min_positive_tests": 3,
    "fusion_min_nrs": 5,
    "fusion_min_odi": 30,
    "inflammatory_min_features": 4,
    "inflammatory_min_weeks": 12,
    "older_age": 65,
    "neuropathic_agent_advisable": False,
}


def test_shipped_defaults_are_the_contract_values_in_contract_order(defaults):
    assert defaults.to_dict() == CONTRACT_DEFAULTS
    assert list(defaults.to_dict()) == list(CONTRACT_DEFAULTS) == list(THRESHOLD_NAMES)


@pytest.mark.choice("thresholds-file-entries")
def test_shipped_file_names_exactly_the_22_thresholds_each_with_a_source():
    text = resources.files("sijdesk.resources").joinpath("pathway_thresholds.json").read_text()
    shipped = json.loads(text)
    assert list(shipped) == list(THRESHOLD_NAMES)
    assert len(shipped) == 22
    for name, entry in shipped.items():
        assert set(entry) == {"value", "source"}, name
        assert entry["source"].strip(), name


@pytest.mark.parametrize(
    ("name", "source_part"),
    [
        ("cluster_min_of_six", "Laslett 2005, Man Ther 10:207"),
        ("mic_percent", "Ostelo 2008"),
        ("block_threshold", "L39402"),
        ("max_injections_per_year", "L39402"),
        ("min_weeks_between_therapeutic", "ASIPP 2013"),
        ("fusion_min_weeks", "NASS 2015"),
        ("fusion_min_odi", "INSITE"),
        ("inflammatory_min_features", "ASAS 2009"),
        ("older_age", "Beers"),
        ("neuropathic_agent_advisable", "NICE NG59"),
    ],
)
def test_shipped_sources_name_the_citations(defaults, name, source_part):
    assert source_part in defaults.source(name)


def test_defaults_are_loaded_once():
    assert load_default_thresholds() is load_default_thresholds()


def test_a_clinic_file_overrides_some_names_only(defaults):
    clinic = parse_thresholds(
        {"block_threshold": 50, "repeat_min_weeks": {"value": 12, "source": "LCD L39402"}},
        base=defaults,
    )
    assert clinic.block_threshold == 50
    assert clinic.repeat_min_weeks == 12
    assert clinic.source("repeat_min_weeks") == "LCD L39402"
    assert "Clinic setting" in clinic.source("block_threshold")
    assert "default 75" in clinic.source("block_threshold")
    assert clinic.confirm_blocks == 2
    assert clinic.source("confirm_blocks") == defaults.source("confirm_blocks")


@pytest.mark.choice("thresholds-file-entries")
def test_a_clinic_value_equal_to_the_default_keeps_the_default_source(defaults):
    same = parse_thresholds({"block_threshold": {"value": 75}}, base=defaults)
    assert same.source("block_threshold") == defaults.source("block_threshold")
    assert same == defaults


@pytest.mark.choice("threshold-ranges")
def test_a_count_written_as_integral_float_is_stored_as_int(defaults):
    clinic = parse_thresholds({"confirm_blocks": 3.0, "older_age": 70.5}, base=defaults)
    assert clinic.confirm_blocks == 3 and type(clinic.confirm_blocks) is int
    assert clinic.older_age == 70.5


def test_without_a_base_every_name_is_needed():
    values = dict(CONTRACT_DEFAULTS)
    complete = parse_thresholds(values)
    assert complete.to_dict() == CONTRACT_DEFAULTS
    assert complete.source("older_age") == "Clinic setting"
    del values["older_age"]
    with pytest.raises(ThresholdsError) as caught:
        parse_thresholds(values)
    assert caught.value.name == "older_age"


@pytest.mark.parametrize(
    ("obj", "name"),
    [
        ({"block_treshold": 50}, "block_treshold"),
        ({"block_threshold": 101}, "block_threshold"),
        ({"block_threshold": -1}, "block_threshold"),
        ({"block_threshold": "75"}, "block_threshold"),
        ({"block_threshold": True}, "block_threshold"),
        ({"block_threshold": None}, "block_threshold"),
        ({"block_threshold": math.nan}, "block_threshold"),
        ({"block_threshold": [75]}, "block_threshold"),
        ({"mic_percent": 100.5}, "mic_percent"),
        ({"confirm_blocks": 0}, "confirm_blocks"),
        ({"confirm_blocks": 2.5}, "confirm_blocks"),
        ({"confirm_blocks": False}, "confirm_blocks"),
        ({"max_injections_per_year": -4}, "max_injections_per_year"),
        ({"fusion_min_weeks": -1}, "fusion_min_weeks"),
        ({"repeat_min_weeks": {}}, "repeat_min_weeks.value"),
        ({"older_age": 121}, "older_age"),
        ({"fusion_min_nrs": 11}, "fusion_min_nrs"),
        ({"mic_nrs_points": 10.5}, "mic_nrs_points"),
        ({"neuropathic_agent_advisable": 1}, "neuropathic_agent_advisable"),
        ({"neuropathic_agent_advisable": "true"}, "neuropathic_agent_advisable"),
        ({"block_threshold": {"value": 200, "source": "x"}}, "block_threshold"),
        ({"block_threshold": {"value": 50, "note": "x"}}, "block_threshold.note"),
        ({"block_threshold": {"value": 50, "source": 3}}, "block_threshold.source"),
        ({"block_threshold": {"source": "x"}}, "block_threshold.value"),
        ({"older_age": 70, "frob": 1}, "frob"),
    ],
)
@pytest.mark.choice("threshold-ranges")
def test_invalid_thresholds_name_the_threshold(obj, name, defaults):
    with pytest.raises(ThresholdsError) as caught:
        parse_thresholds(obj, base=defaults)
    assert caught.value.name == name
    assert str(caught.value).startswith(f"{name}: ")


@pytest.mark.parametrize("obj", [[], "x", None, 3])
def test_thresholds_must_be_an_object(obj, defaults):
    with pytest.raises(ThresholdsError, match="must be a JSON object") as caught:
        parse_thresholds(obj, base=defaults)
    assert caught.value.name == ""


def test_thresholds_are_frozen_and_comparable(defaults):
    with pytest.raises(AttributeError):
        defaults.block_threshold = 50  # type: ignore[misc]
    with pytest.raises(TypeError):
        defaults.sources["block_threshold"] = "x"  # type: ignore[index]
    again = Thresholds(**defaults.to_dict(), sources=dict(defaults.sources))
    assert again == defaults


def _write(tmp_path, text, name="clinic.json"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_thresholds_file(tmp_path):
    path = _write(tmp_path, '\ufeff{"block_threshold": 50, "neuropathic_agent_advisable": true}')
    clinic = load_thresholds_file(path)
    assert clinic.block_threshold == 50
    assert clinic.neuropathic_agent_advisable is True
    assert clinic.older_age == 65


@pytest.mark.parametrize(
    ("text", "name", "fragment"),
    [
        ('{"block_threshold": 50, "block_threshold": 60}', "block_threshold", "repeated"),
        ('{"block_threshold": {"value": 50, "value": 60}}', "block_threshold.value", "repeated"),
        ('{"block_threshold": NaN}', "block_threshold", "malformed JSON"),
        ('{"block_threshold": 50,', "", "malformed JSON"),
        ('{"block_threshold": ' + "[" * 100_000 + "]" * 100_000 + "}", "", "nested too deeply"),
        ("[]", "", "JSON object"),
        ('{"frob": 1, "block_threshold": 500}', "frob", "unknown"),
    ],
)
@pytest.mark.choice("thresholds-file-entries")
def test_load_thresholds_file_errors_name_the_threshold(tmp_path, text, name, fragment):
    path = _write(tmp_path, text)
    with pytest.raises(ThresholdsError) as caught:
        load_thresholds_file(path)
    assert caught.value.name == name
    assert fragment in str(caught.value)
    assert str(path) in str(caught.value)


def test_load_thresholds_file_unreadable(tmp_path):
    with pytest.raises(ThresholdsError, match="cannot be read"):
        load_thresholds_file(tmp_path / "missing.json")
    with pytest.raises(ThresholdsError, match="cannot be read"):
        load_thresholds_file(tmp_path)
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"block_threshold": 50} \xe9')
    with pytest.raises(ThresholdsError, match="not UTF-8"):
        load_thresholds_file(bad)


@pytest.fixture
def shipped_text(monkeypatch):
    """Replace the shipped file's text; the cache is cleared before and after."""
    current = {"text": ""}
    monkeypatch.setattr(thresholds_module, "_read_default_text", lambda: current["text"])
    load_default_thresholds.cache_clear()
    yield current
    load_default_thresholds.cache_clear()


def _shipped(**changes):
    text = resources.files("sijdesk.resources").joinpath("pathway_thresholds.json").read_text()
    data = json.loads(text)
    for name, entry in changes.items():
        if entry is None:
            del data[name]
        else:
            data[name] = entry
    return json.dumps(data)


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"older_age": None}, "older_age"),
        ({"older_age": 65}, "older_age"),
        ({"older_age": {"value": 65}}, "older_age.source"),
        ({"older_age": {"value": 65, "source": " "}}, "older_age.source"),
        ({"older_age": {"value": 165, "source": "x"}}, "older_age"),
        ({"extra_rule": {"value": 1, "source": "x"}}, "extra_rule"),
    ],
)
def test_an_invalid_shipped_file_is_a_clear_error(shipped_text, changes, name):
    shipped_text["text"] = _shipped(**changes)
    with pytest.raises(ThresholdsError) as caught:
        load_default_thresholds()
    assert caught.value.name == name
    assert "shipped thresholds file" in str(caught.value)
    assert name in str(caught.value)


def test_shipped_file_that_is_not_json_is_a_clear_error(shipped_text):
    shipped_text["text"] = "{"
    with pytest.raises(ThresholdsError, match="shipped thresholds file .*malformed JSON"):
        load_default_thresholds()


def test_the_real_shipped_file_passes_the_strict_checks(shipped_text):
    shipped_text["text"] = _shipped()
    assert load_default_thresholds().to_dict() == CONTRACT_DEFAULTS
