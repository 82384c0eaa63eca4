"""Strict JSON decoding shared by the facts and the thresholds.

The decoder keeps every ``key: value`` pair of an object in input order (so a
repeated key can be reported where it occurs, after any earlier error) and
turns ``NaN``/``Infinity`` into a marker that the validators reject with the
path of the value. Decoding never raises for those two cases; text that is not JSON raises
:class:`MalformedJson` with a one-line message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class JsonObject(dict):
    """A decoded JSON object that also remembers all its pairs, repeats included."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, Any]]):
        super().__init__(pairs)
        self.pairs = pairs


class NonFinite:
    """Stands for a ``NaN``, ``Infinity`` or ``-Infinity`` literal in the input."""

    __slots__ = ("literal",)

    def __init__(self, literal: str):
        self.literal = literal


class MalformedJson(ValueError):
    """The text is not JSON (or nests too deeply, or holds a number too long to read)."""


def decode(text: str) -> Any:
    """Decode JSON text with the two hooks above; raises :class:`MalformedJson`."""
    try:
        return json.loads(text, object_pairs_hook=JsonObject, parse_constant=NonFinite)
    except json.JSONDecodeError as exc:
        message = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        message = "nested too deeply"
    except ValueError as exc:  # e.g. an integer with more digits than Python will read
        message = str(exc).splitlines()[0]
    raise MalformedJson(f"malformed JSON: {message}")


def pairs_of(obj: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
    """The object's pairs in input order, repeated keys included when known."""
    if isinstance(obj, JsonObject):
        return obj.pairs
    return list(obj.items())
