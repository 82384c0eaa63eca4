"""Clinical thresholds: the shipped defaults, a clinic's overrides, and their checks.

The defaults live in ``resources/pathway_thresholds.json`` (installed as
``sijdesk.resources``) as ``{name: {"value": ..., "source": "..."}}`` for every
name of CLINICAL.md section 3. A clinic's file may list some names only, as
``name: value`` or ``name: {"value": ..., "source": "..."}``; the others keep
their defaults. Any unknown name, wrong type or out-of-range value is a
:class:`ThresholdsError` naming the threshold.
"""

from __future__ import annotations

import functools
import json
import math
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from sijdesk.pathway._json import MalformedJson, NonFinite, decode, pairs_of

RESOURCE_PACKAGE = "sijdesk.resources"
RESOURCE_NAME = "pathway_thresholds.json"

Number = int | float

# name -> (kind, low, high); kinds: count (integer >= 1), number (low..high), boolean
_SPECS: dict[str, tuple[str, float | None, float | None]] = {
    "cluster_min_of_six": ("count", 1, None),
    "cluster_min_of_four": ("count", 1, None),
    "mic_nrs_points": ("number", 0, 10),
    "mic_odi_points": ("number", 0, 100),
    "mic_percent": ("number", 0, 100),
    "block_threshold": ("number", 0, 100),
    "negative_block_below": ("number", 0, 100),
    "max_diagnostic_blocks": ("count", 1, None),
    "confirm_blocks": ("count", 1, None),
    "injection_min_conservative_weeks": ("number", 0, None),
    "max_injections_per_year": ("count", 1, None),
    "min_weeks_between_therapeutic": ("number", 0, None),
    "repeat_min_relief": ("number", 0, 100),
    "repeat_min_weeks": ("number", 0, None),
    "fusion_min_weeks": ("number", 0, None),
    "fusion_min_positive_tests": ("count", 1, None),
    "fusion_min_nrs": ("number", 0, 10),
    "fusion_min_odi": ("number", 0, 100),
    "inflammatory_min_features": ("count", 1, None),
    "inflammatory_min_weeks": ("number", 0, None),
    "older_age": ("number", 0, 120),
    "neuropathic_agent_advisable": ("boolean", None, None),
}

#: Every threshold name, in the order of CLINICAL.md section 3.
THRESHOLD_NAMES: tuple[str, ...] = tuple(_SPECS)


class ThresholdsError(ValueError):
    """Invalid thresholds. ``name`` is the threshold (or key) at fault, '' for the whole file."""

    def __init__(self, name: str, message: str, *, origin: str = ""):
        self.name = name
        self.message = message
        self.origin = origin
        text = f"{name}: {message}" if name else message
        super().__init__(f"{origin}: {text}" if origin else text)


@dataclass(frozen=True, kw_only=True)
class Thresholds:
    """The threshold values the pathway uses, with the source of each (``sources``)."""

    cluster_min_of_six: int
    cluster_min_of_four: int
    mic_nrs_points: Number
    mic_odi_points: Number
    mic_percent: Number
    block_threshold: Number
    negative_block_below: Number
    max_diagnostic_blocks: int
    confirm_blocks: int
    injection_min_conservative_weeks: Number
    max_injections_per_year: int
    min_weeks_between_therapeutic: Number
    repeat_min_relief: Number
    repeat_min_weeks: Number
    fusion_min_weeks: Number
    fusion_min_positive_tests: int
    fusion_min_nrs: Number
    fusion_min_odi: Number
    inflammatory_min_features: int
    inflammatory_min_weeks: Number
    older_age: Number
    neuropathic_agent_advisable: bool
    sources: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", types.MappingProxyType(dict(self.sources)))

    def to_dict(self) -> dict[str, Number | bool]:
        """The flat ``{name: value}`` shape reported in the advice."""
        return {name: getattr(self, name) for name in THRESHOLD_NAMES}

    def source(self, name: str) -> str:
        """Where the value of ``name`` comes from ('' when not known)."""
        return self.sources.get(name, "")


assert tuple(f.name for f in fields(Thresholds))[:-1] == THRESHOLD_NAMES


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, (list, tuple)) else "an object"


def _check_value(name: str, value: Any) -> Number | bool:
    kind, low, high = _SPECS[name]
    if isinstance(value, NonFinite):
        raise ThresholdsError(name, f"malformed JSON: {value.literal} is not allowed")
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ThresholdsError(name, f"must be true or false, not {_describe(value)}")
        return value
    if kind == "count":
        wanted = "must be a positive integer"
    elif high is None:
        wanted = f"must be a number of at least {low}"
    else:
        wanted = f"must be a number from {low} to {high}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ThresholdsError(name, f"{wanted}, not {_describe(value)}")
    if not math.isfinite(value):
        raise ThresholdsError(name, f"{wanted}, not {value}")
    if kind == "count":
        if not float(value).is_integer():
            raise ThresholdsError(name, f"{wanted}, not {_describe(value)}")
        value = int(value)
    if value < low or (high is not None and value > high):
        raise ThresholdsError(name, f"{wanted}, not {_describe(value)}")
    return value


def _check_entry(name: str, entry: Any, strict: bool) -> tuple[Number | bool, str | None]:
    """One entry: a bare value, or ``{value, source}``; returns (value, source or None)."""
    if not isinstance(entry, Mapping):
        if strict:
            raise ThresholdsError(name, 'must be an object {"value": ..., "source": "..."}')
        return _check_value(name, entry), None
    seen: dict[str, Any] = {}
    for key, item in pairs_of(entry):
        if key not in ("value", "source"):
            raise ThresholdsError(f"{name}.{key}", "unknown key")
        if key in seen:
            raise ThresholdsError(f"{name}.{key}", "key repeated in one object")
        seen[key] = item
        if key == "value":
            _check_value(name, item)
        elif not isinstance(item, str) or (strict and not item.strip()):
            raise ThresholdsError(f"{name}.source", "must be a non-empty string")
    if "value" not in seen:
        raise ThresholdsError(f"{name}.value", "is required")
    if strict and "source" not in seen:
        raise ThresholdsError(f"{name}.source", "is required")
    return _check_value(name, seen["value"]), seen.get("source")


def _clinic_source(name: str, value: Number | bool, base: Thresholds | None) -> str:
    if base is None:
        return "Clinic setting"
    default = getattr(base, name)
    if value == default:
        return base.source(name)
    return f"Clinic setting (default {json.dumps(default)}: {base.source(name)})"


def _parse(obj: Any, base: Thresholds | None, strict: bool) -> Thresholds:
    if not isinstance(obj, Mapping):
        raise ThresholdsError("", f"thresholds must be a JSON object, not {_describe(obj)}")
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, entry in pairs_of(obj):
        if name not in _SPECS:
            raise ThresholdsError(str(name), "unknown threshold")
        if name in values:
            raise ThresholdsError(name, "threshold repeated in one object")
        value, source = _check_entry(name, entry, strict)
        values[name] = value
        sources[name] = source if source is not None else _clinic_source(name, value, base)
    for name in THRESHOLD_NAMES:
        if name not in values:
            if base is None:
                raise ThresholdsError(name, "missing")
            values[name] = getattr(base, name)
            sources[name] = base.source(name)
    return Thresholds(**values, sources=sources)


def parse_thresholds(obj: Mapping[str, Any], base: Thresholds | None = None) -> Thresholds:
    """Check a thresholds object; names it leaves out keep ``base``'s values.

    Without ``base`` every name must be present. Entries are ``name: value`` or
    ``name: {"value": ..., "source": "..."}``. Raises :class:`ThresholdsError`
    naming the first bad threshold in input order.
    """
    return _parse(obj, base, strict=False)


def _from_text(text: str, origin: str, base: Thresholds | None, strict: bool) -> Thresholds:
    try:
        obj = decode(text)
    except MalformedJson as exc:
        raise ThresholdsError("", str(exc), origin=origin) from None
    try:
        return _parse(obj, base, strict)
    except ThresholdsError as exc:
        raise ThresholdsError(exc.name, exc.message, origin=origin) from None


def _read_default_text() -> str:
    return resources.files(RESOURCE_PACKAGE).joinpath(RESOURCE_NAME).read_text(encoding="utf-8")


@functools.cache
def load_default_thresholds() -> Thresholds:
    """The shipped defaults, read and checked once (every name, each with a source).

    An invalid shipped file raises :class:`ThresholdsError` saying so.
    """
    origin = f"the shipped thresholds file ({RESOURCE_NAME}) is invalid"
    return _from_text(_read_default_text(), origin, None, strict=True)


def load_thresholds_file(path: str | Path) -> Thresholds:
    """A clinic's thresholds file on top of the shipped defaults."""
    origin = f"thresholds file {path}"
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ThresholdsError("", f"cannot be read: {exc.strerror or exc}", origin=origin) from None
    except UnicodeDecodeError:
        raise ThresholdsError("", "is not UTF-8 text", origin=origin) from None
    return _from_text(text, origin, load_default_thresholds(), strict=False)
