"""The form for a treatment the patient declined."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QVBoxLayout,
)

from sijdesk.kinds.decline import DECLINABLE
from sijdesk.ui.describe import word
from sijdesk.ui.forms.event import EventDialog
from sijdesk.ui.forms.widgets import (
    ChoiceRadios,
    NotesField,
    form_layout,
)
from sijdesk.ui.sizing import resize_to_fit


class DeclineDialog(EventDialog):
    KIND = "decline"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 560, 380)
        form = form_layout()
        self.date_row(form)
        treatment = ChoiceRadios(
            [(t, word(t)) for t in DECLINABLE], accessible="Treatment declined"
        )
        self.add_row(form, "treatment", treatment, "Treatment declined")
        self.add_row(form, "reason", NotesField(lines=3), "Patient's reason")
        layout.addLayout(form)
