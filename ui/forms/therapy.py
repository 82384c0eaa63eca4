"""The therapy session form."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QVBoxLayout,
)

from sijdesk.kinds.therapy import THERAPY_RESPONSES
from sijdesk.pathway import vocab
from sijdesk.ui.describe import word
from sijdesk.ui.forms.event import EventDialog
from sijdesk.ui.forms.widgets import (
    CheckList,
    ChoiceRadios,
    NotesField,
    NumberField,
    form_layout,
)
from sijdesk.ui.sizing import resize_to_fit


class TherapyDialog(EventDialog):
    KIND = "therapy"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 640, 520)
        form = form_layout()
        self.date_row(form, "Date of the session")
        self.add_row(
            form,
            "components",
            CheckList(
                vocab.COMPONENTS,
                columns=1,
                labels={
                    "met": "Muscle energy techniques (MET)",
                    "motor_retraining": "Guided movement and motor retraining",
                    "manual_therapy_support": "Manual therapy with taping or SIJ belt",
                },
            ),
            "Components used",
        )
        self.add_row(form, "minutes", NumberField("e.g. 45"), "Length (minutes)")
        response = ChoiceRadios(
            [(None, "Not judged today"), *((r, word(r)) for r in THERAPY_RESPONSES)],
            accessible="Response so far",
        )
        response.set_value(None)
        self.add_row(
            form,
            "response",
            response,
            "Response to care so far",
            hint="The response on the latest session is what the pathway reads.",
        )
        self.add_row(form, "notes", NotesField(), "Notes")
        layout.addLayout(form)
