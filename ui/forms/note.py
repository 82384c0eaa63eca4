"""The clinical note form."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QVBoxLayout,
)

from sijdesk.ui.forms.event import EventDialog
from sijdesk.ui.forms.widgets import (
    NotesField,
    form_layout,
)
from sijdesk.ui.sizing import resize_to_fit


class NoteDialog(EventDialog):
    KIND = "note"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 600, 420)
        form = form_layout()
        self.date_row(form)
        self.add_row(form, "text", NotesField(lines=8), "Note")
        layout.addLayout(form)
