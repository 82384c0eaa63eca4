"""The procedure form (side defaults to the episode's)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QVBoxLayout,
)

from sijdesk.kinds.injection import INJECTION_SIDES
from sijdesk.kinds.procedure import PROCEDURES
from sijdesk.ui.forms.event import EventDialog
from sijdesk.ui.forms.widgets import (
    ChoiceCombo,
    NotesField,
    TextField,
    form_layout,
)
from sijdesk.ui.sizing import resize_to_fit


class ProcedureDialog(EventDialog):
    KIND = "procedure"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 600, 460)
        form = form_layout()
        self.date_row(form, "Date of the procedure")
        self.add_row(form, "procedure", ChoiceCombo(PROCEDURES, empty="— choose"), "Procedure")
        side = ChoiceCombo(INJECTION_SIDES, empty="— choose")
        side.set_value(self.default_side())
        self.add_row(form, "side", side, "Side")
        self.add_row(form, "surgeon", TextField(), "Surgeon")
        self.add_row(form, "notes", NotesField(), "Notes")
        layout.addLayout(form)
