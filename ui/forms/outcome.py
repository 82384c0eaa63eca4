"""The outcome measures form: NRS and the ten ODI section scores."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from sijdesk.ui.forms.event import EventDialog
from sijdesk.ui.forms.widgets import (
    NumberField,
    OdiField,
    form_layout,
    group,
)
from sijdesk.ui.sizing import resize_to_fit


class OutcomeDialog(EventDialog):
    KIND = "outcome"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 720, 520)
        form = form_layout()
        self.date_row(form)
        self.nrs = NumberField("0-10")
        self.add_row(
            form,
            "nrs",
            self.nrs,
            "Pain now, NRS (0-10)",
            hint="Numeric rating scale: 0 = no pain, 10 = worst imaginable. "
            "Leave empty if not asked.",
        )
        layout.addLayout(form)
        odi_form = form_layout()
        self.odi = OdiField()
        container = QWidget()
        box = QVBoxLayout(container)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.odi)
        box.addWidget(self.error_label("odi_items"))
        odi_form.addRow(container)
        self.register("odi_items", self.odi)
        odi_box = group("Oswestry Disability Index (ODI), section scores", odi_form)
        odi_box.setToolTip("ODI: 10 sections scored 0-5; percent = sum / (5 × answered) × 100")
        layout.addWidget(odi_box)
