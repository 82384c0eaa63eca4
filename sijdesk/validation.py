"""Field-by-field checking that collects every problem before raising.

Forms show each message beside its field, the CLI prints them, and nothing
is written unless every field passes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sijdesk.errors import ValidationError


class Checker:
    """Reads values out of ``data`` by field name and records what is wrong."""

    def __init__(self, data: Mapping[str, Any], *, today: date):
        self.data = data
        self.today = today
        self.errors: dict[str, str] = {}
        self.clean: dict[str, Any] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed:
                self.fail(key, "is not a field of this record")

    def _raw(self, field: str) -> Any:
        value = self.data.get(field)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        return value

    def text(self, field: str, *, required: bool = False, max_length: int = 2000) -> str | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            self.clean[field] = "" if not required else None
            return self.clean[field]
        if not isinstance(value, str):
            self.fail(field, "must be text")
            return None
        if len(value) > max_length:
            self.fail(field, f"is too long (at most {max_length} characters)")
            return None
        if "\x00" in value:  # PostgreSQL refuses it; typed text never holds one
            self.fail(field, "holds a NUL character, which cannot be stored (a damaged file?)")
            return None
        self.clean[field] = value
        return value

    def date(self, field: str, *, required: bool = False, not_future: bool = True) -> date | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            self.clean[field] = None
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(field, "must be a date written as YYYY-MM-DD")
            return None
        if not_future and parsed > self.today:
            self.fail(field, f"cannot be in the future (today is {self.today.isoformat()})")
            return None
        if parsed.year < 1880:
            self.fail(field, "is implausibly early; check the year")
            return None
        self.clean[field] = parsed
        return parsed

    def integer(
        self, field: str, low: int, high: int | None, *, required: bool = False, unit: str = ""
    ) -> int | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            self.clean[field] = None
            return None
        number = _as_number(value)
        if number is None or number != int(number):
            self.fail(field, "must be a whole number")
            return None
        number = int(number)
        if number < low or (high is not None and number > high):
            span = f"from {low} to {high}" if high is not None else f"{low} or more"
            self.fail(field, f"must be {span}{unit}")
            return None
        self.clean[field] = number
        return number

    def number(
        self, field: str, low: float, high: float | None, *, required: bool = False, unit: str = ""
    ) -> float | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            self.clean[field] = None
            return None
        number = _as_number(value)
        if number is None:
            self.fail(field, "must be a number")
            return None
        if number < low or (high is not None and number > high):
            span = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
            self.fail(field, f"must be {span}{unit}")
            return None
        self.clean[field] = float(number)
        return float(number)

    def choice(self, field: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        choices = tuple(choices)
        value = self._raw(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            self.clean[field] = None
            return None
        if value not in choices:
            self.fail(field, "must be one of: " + ", ".join(choices))
            return None
        self.clean[field] = value
        return value

    def choice_list(self, field: str, choices: Iterable[str]) -> list[str]:
        choices = tuple(choices)
        value = self.data.get(field)
        if value is None:
            self.clean[field] = []
            return []
        if isinstance(value, str) or not isinstance(value, Iterable):
            self.fail(field, "must be a list")
            return []
        items = list(value)
        unknown = [item for item in items if item not in choices]
        if unknown:
            self.fail(field, f"unknown entries {unknown}; allowed: " + ", ".join(choices))
            return []
        # Keep the vocabulary's order and drop repeats so stored lists are canonical.
        cleaned = [choice for choice in choices if choice in items]
        self.clean[field] = cleaned
        return cleaned

    def tri_state(self, field: str) -> bool | None:
        value = self.data.get(field)
        if value is None or isinstance(value, bool):
            self.clean[field] = value
            return value
        self.fail(field, "must be yes, no or not recorded")
        return None


def parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None
