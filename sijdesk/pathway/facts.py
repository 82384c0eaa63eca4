"""The facts of one episode: dataclasses, strict parsing from JSON shapes, and back.

:func:`parse_facts` checks each value's own type and range (CLINICAL.md
section 2) and reports the first problem in input order as a
:class:`FactsError` whose ``path`` is spelled as in the input
(``odi_items[3]``, ``provocation.distraction``, ``injections[1].relief_percent``,
or an unknown key). Facts are never cross-checked against each other.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sijdesk.pathway._json import MalformedJson, NonFinite, decode, pairs_of
from sijdesk.pathway.vocab import (
    DECLINES,
    FUNCTIONAL,
    INFLAMMATORY,
    INJECTION_KINDS,
    NSAID_CAUTIONS,
    PAIN_REGIONS,
    PAIN_SITES,
    PROVOCATION_TESTS,
    RED_FLAGS,
    RESPONSES,
    SYMPTOMS,
)

ODI_SECTIONS = 10

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class FactsError(ValueError):
    """Invalid facts. ``path`` names the offending value as spelled in the input."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True, kw_only=True)
class Provocation:
    """The six Laslett cluster results: True reproduces the familiar pain, None not done."""

    distraction: bool | None = None
    thigh_thrust: bool | None = None
    compression: bool | None = None
    sacral_thrust: bool | None = None
    gaenslen_left: bool | None = None
    gaenslen_right: bool | None = None

    def results(self) -> tuple[bool | None, ...]:
        """The six results in contract order."""
        return tuple(getattr(self, name) for name in PROVOCATION_TESTS)


@dataclass(frozen=True, kw_only=True)
class Baseline:
    """NRS and ODI percent at the start of conservative care."""

    nrs: int | None = None
    odi_percent: float | None = None


@dataclass(frozen=True, kw_only=True)
class Conservative:
    """Conservative care so far: weeks and the recorded response."""

    weeks: float | None = None
    response: str | None = None


@dataclass(frozen=True, kw_only=True)
class Injection:
    """One SIJ injection; ``relief_percent`` None means its result is not recorded yet."""

    date: dt.date
    kind: str
    relief_percent: float | None = None
    relief_weeks: float | None = None


_LIST_FIELDS = (
    "pain_sites",
    "functional",
    "red_flags",
    "inflammatory",
    "injections",
    "symptoms",
    "nsaid_cautions",
    "declines",
)


@dataclass(frozen=True, kw_only=True)
class Facts:
    """The facts of one episode of care (CLINICAL.md section 2).

    None means unknown; list facts are tuples of what is present. Built by
    :func:`parse_facts` from JSON, or directly by Python code (lists given
    there are turned into tuples). ``as_of`` must be set before advising:
    the pathway reads no clock.
    """

    as_of: dt.date | None = None
    age: int | None = None
    pain_region: str | None = None
    pain_sites: tuple[str, ...] = ()
    symptom_weeks: float | None = None
    functional: tuple[str, ...] = ()
    provocation: Provocation | None = None
    fortin_finger: bool | None = None
    nrs: int | None = None
    odi_items: tuple[int | None, ...] | None = None
    odi_percent: float | None = None
    baseline: Baseline | None = None
    red_flags: tuple[str, ...] = ()
    inflammatory: tuple[str, ...] = ()
    conservative: Conservative | None = None
    injections: tuple[Injection, ...] = ()
    symptoms: tuple[str, ...] = ()
    nsaid_cautions: tuple[str, ...] = ()
    declines: tuple[str, ...] = ()
    nicotine: bool | None = None
    rheumatology_cleared: bool | None = None

    def __post_init__(self) -> None:
        for name in _LIST_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, () if value is None else tuple(value))
        if self.odi_items is not None and not isinstance(self.odi_items, tuple):
            object.__setattr__(self, "odi_items", tuple(self.odi_items))


# --- value checks -------------------------------------------------------------------------


def _kind(value: Any) -> str:
    """How a wrong value is described in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return type(value).__name__


def _plain(value: Any, path: str) -> Any:
    """Reject NaN/Infinity literals, which are malformed JSON."""
    if isinstance(value, NonFinite):
        raise FactsError(path, f"malformed JSON: {value.literal} is not allowed")
    return value


def _integer(path: str, value: Any, low: int, high: int) -> int | None:
    if _plain(value, path) is None:
        return None
    wanted = f"must be an integer from {low} to {high}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FactsError(path, f"{wanted}, not {_kind(value)}")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise FactsError(path, f"{wanted}, not {_kind(value)}")
        value = int(value)
    if not low <= value <= high:
        raise FactsError(path, f"{wanted}, not {value}")
    return value


def _number(path: str, value: Any, low: float, high: float | None) -> float | None:
    if _plain(value, path) is None:
        return None
    wanted = (
        f"must be a number from {low} to {high}"
        if high is not None
        else f"must be a number of at least {low}"
    )
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FactsError(path, f"{wanted}, not {_kind(value)}")
    if not math.isfinite(value):
        raise FactsError(path, f"{wanted}, not {value}")
    if value < low or (high is not None and value > high):
        raise FactsError(path, f"{wanted}, not {_kind(value)}")
    return value


def _boolean(path: str, value: Any) -> bool | None:
    if _plain(value, path) is None:
        return None
    if not isinstance(value, bool):
        raise FactsError(path, f"must be true, false or null, not {_kind(value)}")
    return value


def _choice(path: str, value: Any, vocabulary: tuple[str, ...]) -> str | None:
    if _plain(value, path) is None:
        return None
    if not isinstance(value, str) or value not in vocabulary:
        shown = json.dumps(value) if isinstance(value, str) else _kind(value)
        raise FactsError(path, f"must be one of {', '.join(vocabulary)}; not {shown}")
    return value


def _date(path: str, value: Any) -> dt.date | None:
    if _plain(value, path) is None:
        return None
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        shown = json.dumps(value) if isinstance(value, str) else _kind(value)
        raise FactsError(path, f"must be a date written YYYY-MM-DD, not {shown}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FactsError(path, f"{value} is not a calendar date") from None


def _list(path: str, value: Any) -> list[Any] | tuple[Any, ...]:
    if _plain(value, path) is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise FactsError(path, f"must be a list, not {_kind(value)}")
    return value


def _choice_list(path: str, value: Any, vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    result: list[str] = []
    for index, entry in enumerate(_list(path, value)):
        entry_path = f"{path}[{index}]"
        if _plain(entry, entry_path) is None:
            raise FactsError(entry_path, f"must be one of {', '.join(vocabulary)}; not null")
        item = cast(str, _choice(entry_path, entry, vocabulary))  # null refused above
        if item in result:
            raise FactsError(entry_path, f"{item} is listed twice")
        result.append(item)
    return tuple(result)


Checker = Callable[[str, Any], Any]


def _object(
    path: str,
    value: Any,
    fields: Mapping[str, Checker],
    required: tuple[str, ...] = (),
) -> dict[str, Any] | None:
    """Check an object's pairs in input order; None when null."""
    if _plain(value, path) is None:
        return None
    if not isinstance(value, Mapping):
        raise FactsError(path, f"must be an object, not {_kind(value)}")
    result: dict[str, Any] = {}
    for key, item in pairs_of(value):
        key_path = f"{path}.{key}" if path else str(key)
        if key not in fields:
            raise FactsError(key_path, "unknown key")
        if key in result:
            raise FactsError(key_path, "key repeated in one object")
        result[key] = fields[key](key_path, item)
    for key in required:
        if result.get(key) is None:
            raise FactsError(f"{path}.{key}", "is required")
    return result


def _odi_items(path: str, value: Any) -> tuple[int | None, ...] | None:
    if _plain(value, path) is None:
        return None
    items = _list(path, value)
    result = tuple(_integer(f"{path}[{i}]", item, 0, 5) for i, item in enumerate(items))
    if len(result) != ODI_SECTIONS:
        raise FactsError(path, f"must list exactly {ODI_SECTIONS} answers, not {len(result)}")
    return result


def _provocation(path: str, value: Any) -> Provocation | None:
    fields = _object(path, value, dict.fromkeys(PROVOCATION_TESTS, _boolean))
    return None if fields is None else Provocation(**fields)


def _baseline(path: str, value: Any) -> Baseline | None:
    fields = _object(
        path,
        value,
        {
            "nrs": lambda p, v: _integer(p, v, 0, 10),
            "odi_percent": lambda p, v: _number(p, v, 0, 100),
        },
    )
    return None if fields is None else Baseline(**fields)


def _conservative(path: str, value: Any) -> Conservative | None:
    fields = _object(
        path,
        value,
        {
            "weeks": lambda p, v: _number(p, v, 0, None),
            "response": lambda p, v: _choice(p, v, RESPONSES),
        },
    )
    return None if fields is None else Conservative(**fields)


_INJECTION_FIELDS: dict[str, Checker] = {
    "date": _date,
    "kind": lambda p, v: _choice(p, v, INJECTION_KINDS),
    "relief_percent": lambda p, v: _number(p, v, 0, 100),
    "relief_weeks": lambda p, v: _number(p, v, 0, None),
}


def _injections(path: str, value: Any) -> tuple[Injection, ...]:
    result = []
    for index, entry in enumerate(_list(path, value)):
        fields = _object(f"{path}[{index}]", entry, _INJECTION_FIELDS, ("date", "kind"))
        if fields is None:
            raise FactsError(f"{path}[{index}]", "must be an object, not null")
        result.append(Injection(**fields))
    return tuple(result)


def _enum_list(vocabulary: tuple[str, ...]) -> Checker:
    return lambda p, v: _choice_list(p, v, vocabulary)


_TOP_FIELDS: dict[str, Checker] = {
    "as_of": _date,
    "age": lambda p, v: _integer(p, v, 0, 120),
    "pain_region": lambda p, v: _choice(p, v, PAIN_REGIONS),
    "pain_sites": _enum_list(PAIN_SITES),
    "symptom_weeks": lambda p, v: _number(p, v, 0, None),
    "functional": _enum_list(FUNCTIONAL),
    "provocation": _provocation,
    "fortin_finger": _boolean,
    "nrs": lambda p, v: _integer(p, v, 0, 10),
    "odi_items": _odi_items,
    "odi_percent": lambda p, v: _number(p, v, 0, 100),
    "baseline": _baseline,
    "red_flags": _enum_list(RED_FLAGS),
    "inflammatory": _enum_list(INFLAMMATORY),
    "conservative": _conservative,
    "injections": _injections,
    "symptoms": _enum_list(SYMPTOMS),
    "nsaid_cautions": _enum_list(NSAID_CAUTIONS),
    "declines": _enum_list(DECLINES),
    "nicotine": _boolean,
    "rheumatology_cleared": _boolean,
}

#: The input keys of the facts, in contract order.
FACT_KEYS: tuple[str, ...] = tuple(_TOP_FIELDS)


def parse_facts(obj: Mapping[str, Any], *, today: dt.date) -> Facts:
    """Check and convert one facts object; ``today`` fills an absent or null ``as_of``.

    Raises :class:`FactsError` for the first problem in input order.
    """
    if not isinstance(obj, Mapping):
        raise FactsError("", f"the facts must be a JSON object, not {_kind(obj)}")
    fields = cast(dict[str, Any], _object("", obj, _TOP_FIELDS))  # a Mapping is never null
    if fields.get("as_of") is None:
        fields["as_of"] = today
    return Facts(**fields)


def facts_from_json(text: str, *, today: dt.date) -> Facts:
    """Decode JSON text strictly (no NaN, no repeated keys) and parse it as facts."""
    try:
        obj = decode(text)
    except MalformedJson as exc:
        raise FactsError("", str(exc)) from None
    return parse_facts(obj, today=today)


def facts_to_dict(facts: Facts) -> dict[str, Any]:
    """The JSON input shape of ``facts``: ``parse_facts(facts_to_dict(f)) == f``."""
    provocation = facts.provocation
    baseline = facts.baseline
    conservative = facts.conservative
    return {
        "as_of": facts.as_of.isoformat() if facts.as_of is not None else None,
        "age": facts.age,
        "pain_region": facts.pain_region,
        "pain_sites": list(facts.pain_sites),
        "symptom_weeks": facts.symptom_weeks,
        "functional": list(facts.functional),
        "provocation": (
            None
            if provocation is None
            else {name: getattr(provocation, name) for name in PROVOCATION_TESTS}
        ),
        "fortin_finger": facts.fortin_finger,
        "nrs": facts.nrs,
        "odi_items": None if facts.odi_items is None else list(facts.odi_items),
        "odi_percent": facts.odi_percent,
        "baseline": (
            None if baseline is None else {"nrs": baseline.nrs, "odi_percent": baseline.odi_percent}
        ),
        "red_flags": list(facts.red_flags),
        "inflammatory": list(facts.inflammatory),
        "conservative": (
            None
            if conservative is None
            else {"weeks": conservative.weeks, "response": conservative.response}
        ),
        "injections": [
            {
                "date": injection.date.isoformat(),
                "kind": injection.kind,
                "relief_percent": injection.relief_percent,
                "relief_weeks": injection.relief_weeks,
            }
            for injection in facts.injections
        ],
        "symptoms": list(facts.symptoms),
        "nsaid_cautions": list(facts.nsaid_cautions),
        "declines": list(facts.declines),
        "nicotine": facts.nicotine,
        "rheumatology_cleared": facts.rheumatology_cleared,
    }
