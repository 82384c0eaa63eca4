"""Dialogs for episodes (open, close, onset) and for removing an event entered in error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
)

from sijdesk.errors import ValidationError
from sijdesk.services import TimelineEntry
from sijdesk.ui.describe import kind_label
from sijdesk.ui.forms.record import RecordDialog
from sijdesk.ui.forms.widgets import (
    ChoiceRadios,
    DateField,
    NotesField,
    OptionalDateField,
    TextField,
    form_layout,
)
from sijdesk.ui.sizing import resize_to_fit

# -- other record dialogs ------------------------------------------------------------------------


class RemoveEventDialog(RecordDialog):
    """Mark an event entered in error, with a reason."""

    save_text = "&Remove"

    def __init__(self, clinic, ops, *, entry: TimelineEntry, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "Entered in error", parent)
        self.entry = entry
        resize_to_fit(self, 520, 300)
        layout = QVBoxLayout(self.body)
        text = QLabel(
            f"Remove the {kind_label(entry.kind).lower()} of {entry.event_date.isoformat()} "
            f"(“{entry.summary}”) as entered in error? It leaves the timeline but stays in "
            "its history."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        form = form_layout()
        self.reason = NotesField("Why was this entered in error?", lines=2)
        self.add_row(form, "reason", self.reason, "Reason (required)")
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def validate(self) -> dict[str, str]:
        if not self.reason.value().strip():
            return {"reason": "is required: say why the event is being removed"}
        return {}

    def perform(self) -> Callable[[], Any]:
        timeline, event_id, reason = self.clinic.timeline, self.entry.id, self.reason.value()
        return lambda: timeline.remove(event_id, reason)


class EpisodeDialog(RecordDialog):
    """Open a new episode of care (side, onset, title)."""

    def __init__(self, clinic, ops, *, patient, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "New episode of care", parent)
        self.patient = patient
        resize_to_fit(self, 560, 380)
        layout = QVBoxLayout(self.body)
        form = form_layout()
        side = ChoiceRadios(
            [
                ("right", "Right"),
                ("left", "Left"),
                ("bilateral", "Both sides"),
                ("unknown", "Not known yet"),
            ],
            accessible="Side",
        )
        self.add_row(form, "side", side, "Side of the SIJ complaint")
        self.add_row(
            form,
            "onset_date",
            OptionalDateField("Known:", clinic.today()),
            "Onset of symptoms",
            hint="The pathway reads the duration of symptoms from this date.",
        )
        self.add_row(
            form, "title", TextField("e.g. Right buttock pain after a fall"), "Title (optional)"
        )
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def validate(self) -> dict[str, str]:
        if self.fields["side"].value() is None:
            return {"side": "is required: choose the side (or Not known yet)"}
        onset = self.fields["onset_date"].value()
        if onset is not None and onset > self.clinic.today():
            return {"onset_date": f"cannot be in the future (today is {self.clinic.today()})"}
        return {}

    def perform(self) -> Callable[[], Any]:
        data = self.data()
        episodes, patient_id = self.clinic.episodes, self.patient.id
        return lambda: episodes.create(patient_id, data)


class CloseEpisodeDialog(RecordDialog):
    save_text = "&Close episode"

    def __init__(self, clinic, ops, *, episode, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "Close episode", parent)
        self.episode = episode
        resize_to_fit(self, 540, 340)
        layout = QVBoxLayout(self.body)
        text = QLabel(f"Close the episode “{episode.label}”? It can be reopened later.")
        text.setWordWrap(True)
        layout.addWidget(text)
        form = form_layout()
        self.add_row(form, "closed_on", DateField(clinic.today()), "Closed on")
        self.add_row(
            form,
            "reason",
            NotesField("e.g. Discharged: goals met", lines=2),
            "Reason (required)",
        )
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def validate(self) -> dict[str, str]:
        errors = {}
        if not self.fields["reason"].value().strip():
            errors["reason"] = "is required: say why the episode is closed"
        if self.fields["closed_on"].value() > self.clinic.today():
            errors["closed_on"] = f"cannot be in the future (today is {self.clinic.today()})"
        return errors

    def perform(self) -> Callable[[], Any]:
        episodes, episode_id = self.clinic.episodes, self.episode.id
        reason, closed_on = self.fields["reason"].value(), self.fields["closed_on"].value()
        return lambda: episodes.close(episode_id, reason, closed_on=closed_on)


class OnsetDialog(RecordDialog):
    """Set or correct the onset date of an existing episode (audited by the service)."""

    def __init__(self, clinic, ops, *, episode, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "Onset of symptoms", parent)
        self.episode = episode
        resize_to_fit(self, 520, 300)
        layout = QVBoxLayout(self.body)
        text = QLabel(
            f"When did the symptoms of “{episode.label}” begin? The pathway reads the "
            "duration of symptoms from this date."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        form = form_layout()
        onset = OptionalDateField("Known:", episode.onset_date or clinic.today())
        onset.set_value(episode.onset_date or clinic.today())
        self.add_row(form, "onset_date", onset, "Onset of symptoms")
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def validate(self) -> dict[str, str]:
        try:
            self.clinic.episodes.validate(
                {"onset_date": self.fields["onset_date"].value()}, partial=True
            )
        except ValidationError as exc:
            return dict(exc.errors)
        return {}

    def perform(self) -> Callable[[], Any]:
        episodes, episode = self.clinic.episodes, self.episode
        onset = self.fields["onset_date"].value()
        return lambda: episodes.update(episode.id, {"onset_date": onset}, seen=episode)
