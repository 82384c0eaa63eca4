"""Each timeline event kind is declared once (sijdesk/kinds) and read everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from sijdesk.errors import ValidationError
from sijdesk.kinds import KINDS, RECORDABLE_KINDS, validate_event
from sijdesk.kinds.declare import Field, Kind, Style, check_event, declared
from sijdesk.models import EVENT_CLASSES, Note, TimelineEvent
from tests.conftest import TODAY

BASE_COLUMNS = {c.key for c in TimelineEvent.__table__.columns}


def test_every_stored_kind_is_declared_and_every_declaration_has_its_model():
    assert set(KINDS) == set(EVENT_CLASSES)
    for name, kind in KINDS.items():
        assert kind.name == name
        assert EVENT_CLASSES[name] is kind.model
        assert kind.model.__mapper_args__["polymorphic_identity"] == name


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_declared_fields_are_exactly_the_columns_of_the_kinds_table(name):
    kind = KINDS[name]
    columns = {c.key for c in kind.model.__table__.columns} - {"id", *kind.unlisted_columns}
    assert set(kind.field_names) == columns
    assert len(kind.field_names) == len(set(kind.field_names))
    assert not set(kind.field_names) & (BASE_COLUMNS - {"id"})


def test_recordable_kinds_are_the_ones_with_a_menu_entry_in_the_declared_order():
    assert RECORDABLE_KINDS[0] == "assessment"
    assert "decision" not in RECORDABLE_KINDS and "document" not in RECORDABLE_KINDS
    orders = [KINDS[k].order for k in RECORDABLE_KINDS]
    assert orders == sorted(orders)
    for name in RECORDABLE_KINDS:
        assert "&" in KINDS[name].menu_text and KINDS[name].menu_text.endswith("…")


def test_choices_of_declared_fields_have_no_repeats_and_required_choices_exist():
    for kind in KINDS.values():
        for f in kind.fields:
            assert len(set(f.choices)) == len(f.choices), (kind.name, f.name)
            if f.widget in ("choice", "choices"):
                assert f.choices, (kind.name, f.name)
            assert set(f.words) <= set(f.choices), (kind.name, f.name)


@dataclass(frozen=True)
class ToyRecord:
    size: str = declared("Size", "choice", ("small", "large"), required=True)
    minutes: int | None = declared("Minutes", "integer", low=1, high=60, unit=" minutes")
    seen: bool | None = declared("Seen", "yes_no")
    on: date | None = declared("On", "date", not_future=False)
    comment: str = declared("Comment", "notes", max_length=5)


def _toy_kind(**overrides) -> Kind:
    def cross(c):
        if c.clean.get("minutes") == 13:
            c.fail("minutes", "is unlucky")

    values = dict(
        name="toy",
        label="Toy",
        model=Note,
        order=1,
        menu_text="&Toy…",
        style=Style("#000000", "square", "□"),
        record=ToyRecord,
        summarize=lambda d: "",
        cross_check=cross,
    )
    values.update(overrides)
    return Kind(**values)


def test_a_record_class_declares_the_fields_in_order_with_their_names():
    kind = _toy_kind()
    assert kind.field_names == ("size", "minutes", "seen", "on", "comment")
    assert kind.field("minutes") == Field(
        "minutes", "Minutes", "integer", low=1, high=60, unit=" minutes"
    )
    record = kind.make_record(
        {"size": "large", "minutes": 5, "seen": None, "on": None, "comment": "", "x": 1}
    )
    assert record == ToyRecord("large", 5, None, None, "")


def test_declared_fields_are_checked_without_a_hand_written_validator():
    kind = _toy_kind()
    clean = check_event(
        kind,
        {"date": "2026-11-01", "size": "small", "minutes": "30", "on": "2027-01-01"},
        today=TODAY,
    )
    assert clean == {
        "date": date(2026, 11, 1),
        "size": "small",
        "minutes": 30,
        "seen": None,
        "on": date(2027, 1, 1),
        "comment": "",
    }
    with pytest.raises(ValidationError) as caught:
        check_event(
            kind,
            {"date": "2026-11-01", "minutes": 90, "seen": "maybe", "comment": "too long", "x": 1},
            today=TODAY,
        )
    assert caught.value.errors == {
        "size": "is required",
        "minutes": "must be from 1 to 60 minutes",
        "seen": "must be yes, no or not recorded",
        "comment": "is too long (at most 5 characters)",
        "x": "is not a field of this record",
    }


def test_the_cross_check_runs_only_once_every_field_is_valid():
    kind = _toy_kind()
    with pytest.raises(ValidationError) as caught:
        check_event(kind, {"date": "2026-11-01", "size": "large", "minutes": 13}, today=TODAY)
    assert caught.value.errors == {"minutes": "is unlucky"}


def test_a_medication_cannot_stop_before_it_started():
    with pytest.raises(ValidationError) as caught:
        validate_event(
            "medication",
            {
                "date": "2026-11-01",
                "category": "nsaid",
                "name": "naproxen",
                "stop_date": "2026-10-01",
            },
            today=TODAY,
        )
    assert caught.value.errors == {"stop_date": "cannot be before the start date"}


@pytest.mark.parametrize("name", RECORDABLE_KINDS)
def test_every_recordable_kind_declares_a_valid_example_of_itself(name):
    kind = KINDS[name]
    assert kind.example, f"{name} declares no example"
    assert set(kind.example) <= set(kind.field_names)
    clean = validate_event(name, {"date": "2026-11-01", **kind.example}, today=TODAY)
    assert kind.summarize(clean)
