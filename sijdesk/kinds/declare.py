"""What a timeline event kind declares, in one place, for every layer to read.

A kind is the unit of change: its module under ``sijdesk/kinds`` says which
model stores it, its fields (label, widget, choices, limits), how it is
checked, its one-line summary, how it looks on the timeline and in the
Record menu, and how documents word it. The service, the timeline, the
forms, the icons and the documents read these declarations; none of them
keeps its own list of kinds. Qt-free: styles are plain data that the window
turns into icons.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sijdesk.models.clinical import TimelineEvent
from sijdesk.validation import Checker

Widget = Literal["choice", "choices", "yes_no", "integer", "number", "text", "notes", "date"]
# Shapes the window knows how to draw (sijdesk/ui/icons.py); a test holds them in step.
Shape = Literal[
    "diamond",
    "bars",
    "circle",
    "triangle",
    "capsule",
    "person",
    "cross",
    "nosign",
    "lines",
    "star",
    "page",
    "square",
]


@dataclass(frozen=True)
class Field:
    """One field of a kind: what it is called, how it is entered and checked.

    Declared on the kind's record class with :func:`declared`, which gives it
    its name and type.
    """

    name: str
    label: str
    widget: Widget
    choices: tuple[str, ...] = ()
    # Words for the choices where the id, with underscores as spaces, will not do.
    words: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    low: float = 0
    high: float | None = None
    unit: str = ""  # appended to range messages, e.g. " minutes"
    max_length: int = 2000
    not_future: bool = True  # dates only
    hint: str = ""  # shown under the field in forms
    placeholder: str = ""
    lines: int = 3  # notes: the height of the box, in lines
    # yes_no: the words of the third answer ("Not recorded", "Not assessed").
    unknown_text: str = "Not recorded"


def declared(label: str, widget: Widget, choices: tuple[str, ...] = (), **options: Any) -> Any:
    """A field of a kind's record, its declaration carried in the dataclass metadata::

    @dataclass(frozen=True)
    class ImagingRecord:
        modality: str = declared("Modality", "choice", MODALITIES, required=True)
    """
    return field(metadata={"declared": Field("", label, widget, tuple(choices), **options)})


def check_field(checker: Checker, f: Field) -> Any:
    """Check one declared field; the cleaned value lands in ``checker.clean``."""
    if f.widget == "choice":
        return checker.choice(f.name, f.choices, required=f.required)
    if f.widget == "choices":
        return checker.choice_list(f.name, f.choices)
    if f.widget == "yes_no":
        return checker.tri_state(f.name)
    if f.widget == "integer":
        high = None if f.high is None else int(f.high)
        return checker.integer(f.name, int(f.low), high, required=f.required, unit=f.unit)
    if f.widget == "number":
        return checker.number(f.name, f.low, f.high, required=f.required, unit=f.unit)
    if f.widget == "date":
        return checker.date(f.name, required=f.required, not_future=f.not_future)
    return checker.text(f.name, required=f.required, max_length=f.max_length)


@dataclass(frozen=True)
class Style:
    """How the kind looks on the timeline: colour, drawn shape, plain-text symbol."""

    colour: str
    shape: Shape
    symbol: str


@dataclass(frozen=True)
class DocumentWording:
    """How referral letters list events of this kind.

    ``line`` words one event from its typed record (its date is printed
    beside it); events are listed under ``heading`` in date order.
    """

    heading: str
    line: Callable[[Any], str]


@dataclass(frozen=True)
class Kind:
    """Everything about one kind of timeline event."""

    name: str  # the stored discriminator, e.g. "injection"
    label: str  # "Injection"
    model: type[TimelineEvent]  # its table; a test holds its columns to the record's fields
    # The typed values of one event, a frozen dataclass whose attributes are
    # declared with declared(): what the service hands to the window and documents.
    record: type
    summarize: Callable[[Mapping[str, Any]], str]
    style: Style
    order: int  # place in the Record menu and the timeline's filters
    # "&Injection…": the Record menu's text; empty for kinds made by services
    # (pathway decisions, documents), which have no form.
    menu_text: str = ""
    # Extra checks that span fields (a stop date after the start), run after the
    # declared fields are checked. Kinds older than the declarations pass
    # ``validate`` instead and check every field by hand.
    cross_check: Callable[[Checker], None] | None = None
    validate: Callable[[Checker], None] | None = None
    date_label: str = "Date"
    # A valid record of this kind (without its date): the shape of the data for
    # the command line's help and for the tests that every kind must pass.
    example: Mapping[str, Any] = field(default_factory=dict)
    # Columns of the model kept out of the event's data (a document's PDF bytes).
    unlisted_columns: tuple[str, ...] = ()
    # None: the documents word this kind by hand (reports/content.py) or not at all.
    document: DocumentWording | None = None
    # Fields naming what is given to the patient (an agent, a medicine): checked
    # against the patient's recorded allergies before the record is saved.
    given_to_patient: tuple[str, ...] = ()

    @property
    def recordable(self) -> bool:
        return bool(self.menu_text)

    @functools.cached_property
    def fields(self) -> tuple[Field, ...]:
        return tuple(
            dataclasses.replace(f.metadata["declared"], name=f.name)
            for f in dataclasses.fields(self.record)
        )

    @functools.cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def make_record(self, values: Mapping[str, Any]) -> Any:
        """The kind's typed record from stored values (every field present)."""
        return self.record(**{name: values[name] for name in self.field_names})

    def values_of(self, record: Any) -> dict[str, Any]:
        """A record's values by field name, in declared order (for generic views)."""
        return {name: getattr(record, name) for name in self.field_names}

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def check(self, checker: Checker) -> None:
        if self.validate is not None:
            self.validate(checker)
            return
        for f in self.fields:
            check_field(checker, f)
        if self.cross_check is not None and not checker.errors:
            self.cross_check(checker)


def check_event(kind: Kind, data: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """Check a recordable event's data; return the cleaned values (``date`` included).

    Raises ValidationError naming every field that is wrong.
    """
    checker = Checker(data, today=today)
    checker.reject_unknown(("date", *kind.field_names))
    checker.date("date", required=True)
    kind.check(checker)
    checker.raise_if_errors()
    return checker.clean


def words(value: str | None) -> str:
    return value.replace("_", " ") if value else ""


def listing(values: list[str]) -> str:
    return ", ".join(words(v) for v in values)


def first_line(text: str, limit: int = 80) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
