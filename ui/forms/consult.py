"""The specialist consult form."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QVBoxLayout,
)

from sijdesk.kinds.consult import CONSULT_SPECIALTIES
from sijdesk.ui.forms.event import EventDialog
from sijdesk.ui.forms.widgets import (
    ChoiceCombo,
    NotesField,
    TextField,
    TriState,
    form_layout,
)
from sijdesk.ui.sizing import resize_to_fit


class ConsultDialog(EventDialog):
    KIND = "consult"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 600, 520)
        form = form_layout()
        self.date_row(form, "Date of the consult")
        self.add_row(
            form, "specialty", ChoiceCombo(CONSULT_SPECIALTIES, empty="— choose"), "Specialty"
        )
        self.add_row(form, "clinician", TextField(), "Clinician")
        self.add_row(form, "outcome", NotesField(lines=3), "Outcome")
        excluded = TriState("Inflammatory disease excluded", ("Yes", "No", "Not assessed"))
        self.add_row(
            form,
            "inflammatory_disease_excluded",
            excluded,
            "Inflammatory disease excluded",
            hint="For a rheumatology consult: Yes clears the patient for the SIJ pathway.",
        )
        layout.addLayout(form)
