"""Every kind of timeline event, found by looking in this package.

Each module here (other than ``declare``) declares one kind as ``KIND``; a new
kind is a new module, its model, its migration and its tests. Everything else
(the timeline service, the Record menu, the forms, the icons, the documents)
reads the kinds from here::

    from sijdesk.kinds import KINDS, RECORDABLE_KINDS
    KINDS["injection"].label          # "Injection"
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from datetime import date
from typing import Any

from sijdesk.kinds.declare import Field, Kind, check_event

__all__ = [
    "KINDS",
    "RECORDABLE_KINDS",
    "Field",
    "Kind",
    "summarize",
    "validate_event",
]


def _discover() -> dict[str, Kind]:
    found: list[Kind] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "declare":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        declared = getattr(module, "KIND", None)
        if not isinstance(declared, Kind):
            raise TypeError(f"sijdesk.kinds.{info.name} must declare KIND = Kind(...)")
        found.append(declared)
    found.sort(key=lambda k: (k.order, k.name))
    return {k.name: k for k in found}


KINDS: Mapping[str, Kind] = _discover()
# Kinds a clinician records through a form, in Record-menu order; decisions and
# documents are made by the pathway and document services.
RECORDABLE_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS.values() if k.recordable)


def validate_event(kind_name: str, data: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """Check a recordable event's data; return the cleaned values (``date`` included)."""
    return check_event(KINDS[kind_name], data, today=today)


def summarize(kind_name: str, data: Mapping[str, Any]) -> str:
    return KINDS[kind_name].summarize(data)
