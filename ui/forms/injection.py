"""The injection form: relief is filled in from pain before and after."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QVBoxLayout,
)

from sijdesk.kinds.injection import (
    IMAGE_GUIDANCE,
    INJECTION_SIDES,
    InjectionRecord,
    relief_from_pain,
)
from sijdesk.services import TimelineEntry
from sijdesk.ui.forms.event import EventDialog
from sijdesk.ui.forms.widgets import (
    ChoiceCombo,
    ChoiceRadios,
    NotesField,
    NumberField,
    TextField,
    form_layout,
)
from sijdesk.ui.sizing import resize_to_fit


class InjectionDialog(EventDialog):
    KIND = "injection"

    def build(self, layout: QVBoxLayout) -> None:
        resize_to_fit(self, 660, 680)
        self._relief_touched = False
        self._setting_relief = False
        form = form_layout()
        self.date_row(form, "Date of the injection")
        purpose = ChoiceRadios(
            [("diagnostic", "Diagnostic block"), ("therapeutic", "Therapeutic injection")],
            accessible="Purpose",
        )
        self.add_row(form, "purpose", purpose, "Purpose")
        side = ChoiceCombo(INJECTION_SIDES, empty="— choose")
        side.set_value(self.default_side())
        self.add_row(form, "side", side, "Side")
        self.add_row(form, "agent", TextField("e.g. lidocaine 2%"), "Agent")
        guidance = ChoiceCombo(IMAGE_GUIDANCE)
        guidance.set_value("fluoroscopy")
        self.add_row(form, "image_guidance", guidance, "Image guidance")
        self.pain_before = NumberField("0-10")
        self.pain_after = NumberField("0-10")
        self.relief = NumberField("0-100")
        self.add_row(form, "pain_before", self.pain_before, "Pain before, NRS (0-10)")
        self.add_row(form, "pain_after", self.pain_after, "Pain after, NRS (0-10)")
        self.add_row(
            form,
            "relief_percent",
            self.relief,
            "Relief (%)",
            hint="Filled in from pain before and after; correct it if the patient's diary says "
            "otherwise. Leave empty while the result is pending.",
        )
        self.add_row(form, "relief_weeks", NumberField("weeks"), "Relief lasted (weeks)")
        self.add_row(form, "performed_by", TextField(), "Performed by")
        self.add_row(form, "notes", NotesField(), "Notes")
        layout.addLayout(form)
        self.pain_before.textChanged.connect(self._update_relief)
        self.pain_after.textChanged.connect(self._update_relief)
        self.relief.textEdited.connect(self._relief_edited)

    def load(self, entry: TimelineEntry) -> None:
        self._setting_relief = True
        super().load(entry)
        self._setting_relief = False
        record = entry.record
        if isinstance(record, InjectionRecord):  # this form only ever opens injections
            computed = relief_from_pain(record.pain_before, record.pain_after)
            self._relief_touched = record.relief_percent not in (None, computed)

    @Slot(str)
    def _relief_edited(self, _text: str) -> None:
        self._relief_touched = bool(self.relief.text().strip())

    @Slot()
    def _update_relief(self) -> None:
        if self._relief_touched or self._setting_relief:
            return
        relief = relief_from_pain(
            _int_or_none(self.pain_before.text()), _int_or_none(self.pain_after.text())
        )
        self.relief.setText("" if relief is None else f"{relief:g}")


def _int_or_none(text: str) -> int | None:
    try:
        value = int(text.strip())
    except ValueError:
        return None
    return value if 0 <= value <= 10 else None
