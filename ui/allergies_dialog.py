"""The patient's allergies: the list with its actions, and the form for one entry.

Opened from the allergy banner's button in the patient header. Clinicians and
administrators record, amend and remove; the service refuses anyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.services.allergies import KINDS, SEVERITIES, SUBSTANCES, AllergyInfo, AllergyStatus
from sijdesk.ui.forms.record import RecordDialog
from sijdesk.ui.forms.widgets import (
    ChoiceCombo,
    ChoiceRadios,
    DateField,
    NotesField,
    TextField,
    escape_html,
    form_layout,
)
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.workers import Operations


class _Active(QCheckBox):
    """ "Still applies": unticked when an allergy is resolved (kept in the history)."""

    def value(self) -> bool:
        return self.isChecked()

    def set_value(self, value: Any) -> None:
        self.setChecked(bool(value))

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.toggled.connect(lambda _on: slot())


class AllergyEntryDialog(RecordDialog):
    """Record one allergy or intolerance, or amend one (with a reason)."""

    def __init__(
        self,
        clinic,
        ops: Operations,
        *,
        patient_id: int,
        patient_title: str,
        entry: AllergyInfo | None = None,
        parent: QWidget | None = None,
    ):
        title = "Amend allergy" if entry is not None else "Record an allergy or intolerance"
        super().__init__(clinic, ops, patient_title, title, parent)
        self.patient_id = patient_id
        self.entry = entry
        resize_to_fit(self, 600, 560)
        layout = QVBoxLayout(self.body)
        form = form_layout()
        self.add_row(
            form,
            "substance",
            ChoiceCombo(list(SUBSTANCES), empty="Choose…", labels=SUBSTANCES),
            "Substance",
        )
        self.add_row(
            form,
            "substance_text",
            TextField("e.g. lidocaine, Elastoplast"),
            "Name in words",
            hint="Required for Other; for a group, the product if it is known.",
        )
        self.add_row(
            form,
            "kind",
            ChoiceRadios(list(KINDS.items()), accessible="Kind"),
            "Allergy or intolerance",
        )
        self.add_row(
            form,
            "severity",
            ChoiceRadios(list(SEVERITIES.items()), columns=2, accessible="Severity"),
            "Severity",
        )
        self.add_row(form, "reaction", NotesField("What happened?", lines=2), "Reaction")
        self.add_row(form, "recorded_on", DateField(clinic.today()), "Learned on")
        if entry is not None:
            self.add_row(form, "active", _Active("Still applies"), "Status")
            self.reason = NotesField("Why is it being amended?", lines=2)
            self.add_row(form, "reason", self.reason, "Reason (required)")
            for name in ("substance", "substance_text", "kind", "severity", "reaction"):
                self.fields[name].set_value(getattr(entry, name))
            self.fields["recorded_on"].set_value(entry.recorded_on)
            self.fields["active"].set_value(entry.active)
        else:
            self.fields["kind"].set_value("allergy")
            self.fields["severity"].set_value("unknown")
        layout.addLayout(form)
        layout.addStretch(1)
        self.finish()

    def entry_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.data().items() if name != "reason"}

    def validate(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        data = self.data()
        if data["substance"] is None:
            errors["substance"] = "is required: choose one, or Other"
        if data["substance"] == "other" and not data["substance_text"].strip():
            errors["substance_text"] = "is required for Other: name the substance"
        if data["recorded_on"] > self.clinic.today():
            errors["recorded_on"] = "cannot be in the future"
        if self.entry is not None and not data["reason"].strip():
            errors["reason"] = "is required: say why the entry is being amended"
        return errors

    def perform(self) -> Callable[[], Any]:
        allergies, data = self.clinic.allergies, self.entry_data()
        if self.entry is None:
            patient_id = self.patient_id
            return lambda: allergies.record(patient_id, data)
        entry_id, reason = self.entry.id, self.data()["reason"]
        return lambda: allergies.amend(entry_id, data, reason)


class RemoveAllergyDialog(RecordDialog):
    """Mark an allergy entry as entered in error, with a reason."""

    save_text = "&Remove"

    def __init__(self, clinic, ops, *, entry: AllergyInfo, patient_title: str, parent=None):
        super().__init__(clinic, ops, patient_title, "Allergy entered in error", parent)
        self.entry = entry
        resize_to_fit(self, 520, 300)
        layout = QVBoxLayout(self.body)
        text = QLabel(
            f"Remove “{entry.description}” as entered in error? It leaves the record but "
            "stays in its history. If the patient no longer reacts, amend it instead and "
            "untick Still applies."
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
            return {"reason": "is required: say why the entry is being removed"}
        return {}

    def perform(self) -> Callable[[], Any]:
        allergies, entry_id, reason = self.clinic.allergies, self.entry.id, self.reason.value()
        return lambda: allergies.remove(entry_id, reason)


class AllergiesDialog(QDialog):
    """The patient's allergy entries and what a clinician can do with them."""

    changed = Signal()

    def __init__(
        self,
        clinic,
        ops: Operations,
        *,
        patient_id: int,
        patient_title: str,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.clinic = clinic
        self.ops = ops
        self.patient_id = patient_id
        self.patient_title = patient_title
        self.entries: list[AllergyInfo] = []
        self.loading = False
        self.setWindowTitle(f"Allergies — {patient_title}")
        resize_to_fit(self, 640, 420)
        layout = QVBoxLayout(self)
        header = QLabel(f"<b>{escape_html(patient_title)}</b>")
        header.setAccessibleName("Patient")
        layout.addWidget(header)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Allergy status")
        layout.addWidget(self.status_label)
        self.list = QListWidget()
        self.list.setAccessibleName("Allergy entries")
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.list.itemDoubleClicked.connect(lambda _item: self.amend())
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("&Add allergy…")
        self.add_button.clicked.connect(self.add)
        self.none_button = QPushButton("&No known allergies")
        self.none_button.setToolTip("The patient was asked today and knows of no allergies")
        self.none_button.clicked.connect(self.none_known)
        self.amend_button = QPushButton("A&mend…")
        self.amend_button.clicked.connect(self.amend)
        self.remove_button = QPushButton("&Entered in error…")
        self.remove_button.clicked.connect(self.remove)
        for button in (self.add_button, self.none_button, self.amend_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload()

    # -- reading -----------------------------------------------------------------------------

    def reload(self) -> None:
        self.loading = True
        allergies, patient_id = self.clinic.allergies, self.patient_id

        def job() -> tuple[AllergyStatus, list[AllergyInfo]]:
            return allergies.status(patient_id), allergies.entries(patient_id)

        self.ops.run(job, on_success=self._loaded, context=self, label="allergies")

    def _loaded(self, result: tuple[AllergyStatus, list[AllergyInfo]]) -> None:
        status, entries = result
        self.loading = False
        self.status_label.setText(status.line)
        listed = status.state == "listed"
        self.none_button.setEnabled(not listed)
        self.none_button.setToolTip(
            "Mark the listed allergies resolved or entered in error first"
            if listed
            else "The patient was asked today and knows of no allergies"
        )
        self.entries = [e for e in entries if not e.is_none_known or e.active]
        self.list.clear()
        for entry in self.entries:
            if entry.is_none_known:
                text = f"No known allergies (asked {entry.recorded_on.isoformat()})"
            else:
                text = entry.description
                if not entry.active:
                    text += " (no longer applies)"
                text += f"\n    known since {entry.recorded_on.isoformat()}"
            text += f" · recorded by {entry.recorded_by}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            self.list.addItem(item)
        if self.entries:
            self.list.setCurrentRow(0)
        self._update_buttons()

    def current(self) -> AllergyInfo | None:
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def _update_buttons(self) -> None:
        entry = self.current()
        changeable = entry is not None and not entry.is_none_known
        self.amend_button.setEnabled(changeable)
        self.remove_button.setEnabled(changeable)

    # -- actions -------------------------------------------------------------------------------

    @Slot()
    def add(self) -> AllergyEntryDialog:
        return self._open(
            AllergyEntryDialog(
                self.clinic,
                self.ops,
                patient_id=self.patient_id,
                patient_title=self.patient_title,
                parent=self,
            )
        )

    @Slot()
    def amend(self) -> AllergyEntryDialog | None:
        entry = self.current()
        if entry is None or entry.is_none_known:
            return None
        return self._open(
            AllergyEntryDialog(
                self.clinic,
                self.ops,
                patient_id=self.patient_id,
                patient_title=self.patient_title,
                entry=entry,
                parent=self,
            )
        )

    @Slot()
    def remove(self) -> RemoveAllergyDialog | None:
        entry = self.current()
        if entry is None or entry.is_none_known:
            return None
        return self._open(
            RemoveAllergyDialog(
                self.clinic, self.ops, entry=entry, patient_title=self.patient_title, parent=self
            )
        )

    @Slot()
    def none_known(self) -> None:
        allergies, patient_id = self.clinic.allergies, self.patient_id
        self.ops.run(
            lambda: allergies.record_none_known(patient_id),
            on_success=lambda _entry: self._after_change(),
            context=self,
            label="no known allergies",
        )

    def _open(self, dialog):
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _result: self._after_change())
        dialog.open()
        return dialog

    def _after_change(self) -> None:
        self.changed.emit()
        self.reload()
