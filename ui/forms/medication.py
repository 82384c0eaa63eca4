"""The medication course form."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QVBoxLayout,
)

from sijdesk.kinds.medication import MEDICATION_CATEGORIES
from sijdesk.ui.forms.event import EventDialog
from sijdesk.ui.forms.widgets import (
    ChoiceCombo,
    NotesField,
    OptionalDateField,
    TextField,
    form_layout,
)
from sijdesk.ui.sizing import resize_to_fit


class MedicationDialog(EventDialog):
    KIND = "medication"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 600, 520)
        form = form_layout()
        self.date_row(form, "Started on")
        category = ChoiceCombo(MEDICATION_CATEGORIES, empty="— choose")
        self.add_row(form, "category", category, "Category")
        self.add_row(form, "name", TextField("e.g. naproxen"), "Medication name")
        self.add_row(
            form, "stop_date", OptionalDateField("Stopped", self.clinic.today()), "Stopped on"
        )
        self.add_row(form, "reason", NotesField(lines=2), "Reason")
        self.add_row(form, "cautions", NotesField(lines=2), "Cautions discussed")
        layout.addLayout(form)
