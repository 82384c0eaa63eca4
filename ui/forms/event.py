"""The form of one timeline event, to record or amend it.

A kind without a hand-made form gets its declared fields, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import ValidationError
from sijdesk.kinds import KINDS, Field, validate_event
from sijdesk.kinds.injection import INJECTION_SIDES
from sijdesk.services import AllergyStatus, TimelineEntry
from sijdesk.services.timeline import ALLERGY_CONFIRMATION
from sijdesk.ui.describe import kind_label, word
from sijdesk.ui.errors import Messages
from sijdesk.ui.forms.record import RecordDialog
from sijdesk.ui.forms.widgets import (
    CheckList,
    ChoiceCombo,
    ChoiceRadios,
    DateField,
    NotesField,
    NumberField,
    OptionalDateField,
    TextField,
    TriState,
    form_layout,
    group,
)
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.workers import Operations

# -- event forms ---------------------------------------------------------------------------------


class EventDialog(RecordDialog):
    """Record (or amend) one event of an episode; ``kind`` picks the fields."""

    KIND = ""

    def __init__(
        self,
        clinic,
        ops: Operations,
        *,
        episode,
        patient_title: str,
        entry: TimelineEntry | None = None,
        allergies: AllergyStatus | None = None,
        parent: QWidget | None = None,
    ):
        verb = "Amend" if entry is not None else "Record"
        title = f"{verb} {kind_label(self.KIND).lower()}"
        super().__init__(clinic, ops, patient_title, title, parent)
        self.kind = self.KIND
        self.episode = episode
        self.entry = entry
        self.setObjectName(f"{self.kind}Dialog")
        self.save_button.setText("&Save amendment" if entry is not None else "&Save")
        self.reason: NotesField | None = None
        # Given when the clinician confirms an agent that matches a recorded allergy.
        self.allergy_confirmation: str | None = None
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        if allergies is not None and KINDS[self.KIND].given_to_patient:
            layout.addWidget(self._allergy_line(allergies))
        if entry is not None:
            layout.addWidget(self._amend_box(entry))
        self.build(layout)
        layout.addStretch(1)
        if entry is not None:
            self.load(entry)
        self.finish()

    def _allergy_line(self, allergies: AllergyStatus) -> QLabel:
        """What the record says about allergies, above a form that gives something."""
        line = QLabel(allergies.line)
        line.setObjectName("formAllergies")
        line.setWordWrap(True)
        line.setAccessibleName("Allergies")
        weight = "normal" if allergies.state == "none_known" else "bold"
        line.setStyleSheet(
            f"#formAllergies {{ font-weight: {weight}; border: 1px solid palette(mid); "
            "padding: 3px; }"
        )
        return line

    def _amend_box(self, entry: TimelineEntry) -> QGroupBox:
        form = form_layout()
        intro = QLabel(
            f"You are correcting the {kind_label(entry.kind).lower()} of "
            f"{entry.event_date.isoformat()} (version {entry.version}). The current version "
            "stays in the event's history."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.reason = NotesField("Why is the record being corrected?", lines=2)
        self.add_row(form, "amendment_reason", self.reason, "Reason for the amendment (required)")
        box = group("Amendment", form)
        box.setStyleSheet("QGroupBox { font-weight: bold; }")
        return box

    def build(self, layout: QVBoxLayout) -> None:
        raise NotImplementedError

    def default_side(self) -> str | None:
        side = getattr(self.episode, "side", None)
        return side if side in INJECTION_SIDES else None

    def date_row(self, form: QFormLayout, label: str = "Date") -> DateField:
        field = DateField(self.clinic.today())
        self.add_row(form, "date", field, label)
        return field

    def event_data(self) -> dict[str, Any]:
        data = self.data()
        data.pop("amendment_reason", None)
        return data

    def load(self, entry: TimelineEntry) -> None:
        values = {"date": entry.event_date, **KINDS[entry.kind].values_of(entry.record)}
        for name, widget in self.fields.items():
            if name in values:
                widget.set_value(values[name])

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        try:
            validate_event(self.kind, self.event_data(), today=self.clinic.today())
        except ValidationError as exc:
            errors.update(exc.errors)
        if self.entry is not None and self.reason is not None and not self.reason.value().strip():
            errors["amendment_reason"] = "is required: say why the record is being amended"
        return errors

    def message_for(self, key: str, message: str) -> str:
        if key == "reason" and self.entry is not None and "reason" not in self.fields:
            key = "amendment_reason"
        return super().message_for(key, message)

    def show_errors(self, errors: dict[str, str], *, from_save: bool = False) -> None:
        if self.entry is not None and "reason" in errors and "reason" not in self.fields:
            errors = dict(errors)
            errors["amendment_reason"] = errors.pop("reason")
        super().show_errors(errors, from_save=from_save)

    def perform(self) -> Callable[[], Any]:
        data = self.event_data()
        timeline, confirmation = self.clinic.timeline, self.allergy_confirmation
        if self.entry is None:
            episode_id = self.episode.id
            kind = self.kind
            return lambda: timeline.add(episode_id, kind, data, allergy_confirmation=confirmation)
        event_id = self.entry.id
        reason = self.reason.value() if self.reason is not None else ""
        return lambda: timeline.amend(event_id, data, reason, allergy_confirmation=confirmation)

    def on_failed(self, exc: BaseException) -> bool:
        """A match with a recorded allergy: ask why, and save again with the answer."""
        if isinstance(exc, ValidationError) and ALLERGY_CONFIRMATION in exc.errors:
            message = exc.errors[ALLERGY_CONFIRMATION]
            answer = Messages.ask_text(
                self,
                "Recorded allergy",
                f"{message[0].upper()}{message[1:]}.\n\nReason (Cancel to go back and change it):",
            )
            if answer and answer.strip():
                self.saving = False
                self.allergy_confirmation = answer.strip()
                self.submit()
                return True
        return super().on_failed(exc)


class DeclaredEventDialog(EventDialog):
    """The form of a kind that has no hand-made one: its declared fields, in order."""

    def build(self, layout: QVBoxLayout) -> None:
        kind = KINDS[self.KIND]
        resize_to_fit(self, 620, 180 + 60 * len(kind.fields))
        form = form_layout()
        self.date_row(form, kind.date_label)
        for declared in kind.fields:
            self.add_row(
                form, declared.name, self.widget_for(declared), declared.label, hint=declared.hint
            )
        layout.addLayout(form)

    def widget_for(self, declared: Field) -> QWidget:
        if declared.widget == "choice" and declared.required and len(declared.choices) <= 3:
            # A few required choices read best side by side, one click each.
            return ChoiceRadios(
                [(c, declared.words.get(c) or word(c)) for c in declared.choices],
                accessible=declared.label,
            )
        if declared.widget == "choice":
            empty = "— choose" if declared.required else "— not recorded"
            return ChoiceCombo(declared.choices, empty=empty, labels=declared.words)
        if declared.widget == "choices":
            columns = 2 if len(declared.choices) > 4 else 1
            return CheckList(declared.choices, columns=columns, labels=declared.words)
        if declared.widget == "yes_no":
            return TriState(declared.label, ("Yes", "No", declared.unknown_text))
        if declared.widget in ("integer", "number"):
            high = "" if declared.high is None else f"{declared.high:g}"
            return NumberField(declared.placeholder or f"{declared.low:g}-{high}".rstrip("-"))
        if declared.widget == "date":
            return OptionalDateField(declared.label, self.clinic.today())
        if declared.widget == "notes":
            return NotesField(declared.placeholder, lines=declared.lines)
        return TextField(declared.placeholder)
