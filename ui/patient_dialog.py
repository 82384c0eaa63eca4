"""Registering a patient (or correcting demographics), with the duplicate warning.

The form validates live through the patient service's own checks, and on
Save the service looks for a likely duplicate (same names and date of birth).
When it finds one, the user sees the matching record numbers and either opens
the existing record or confirms that this is a different person.

Signals of :class:`PatientDialog`:
    saved(object): the PatientDetails written.
    openExisting(str): the user chose to open an existing record (its number).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import DuplicatePatient, EditConflict, UserError, ValidationError
from sijdesk.services.contacts import ContactInfo
from sijdesk.services.patients import CONTACT_FIELDS, SEXES, PatientDetails, age_on
from sijdesk.ui.forms import (
    HINT_STYLE,
    ChoiceRadios,
    NotesField,
    RecordDialog,
    TextField,
    form_layout,
)
from sijdesk.ui.workers import Operations
from sijdesk.validation import parse_date

log = logging.getLogger(__name__)


class DuplicatePrompt:
    """Ask what to do about a likely duplicate. Tests monkeypatch :meth:`ask`."""

    @staticmethod
    def ask(parent: QWidget | None, matches: list[str]) -> tuple[str, str | None] | None:
        """("open", record_number), ("register", None), or None to go back to the form."""
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Possible duplicate patient")
        numbers = ", ".join(matches)
        box.setText(
            f"A patient with the same names and date of birth is already registered "
            f"(record {numbers})."
        )
        box.setInformativeText(
            "Open the existing record, or register a new patient only if this is a "
            "different person."
        )
        open_button = box.addButton(f"Open record {matches[0]}", QMessageBox.ButtonRole.AcceptRole)
        register = box.addButton(
            "Different person: register", QMessageBox.ButtonRole.DestructiveRole
        )
        box.addButton("Back to the form", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(open_button)
        box.exec()
        clicked = box.clickedButton()
        if clicked is open_button:
            return ("open", matches[0])
        if clicked is register:
            return ("register", None)
        return None


class ContactPicker(QWidget):
    """A contact of the address book (or none), with a button to add a new one.

    Only contacts in use are offered, except the one already chosen: a retired
    GP stays on the patient until someone picks another.
    """

    def __init__(self, empty: str, add_text: str, *, with_role: bool = False):
        super().__init__()
        self.empty = empty
        self.with_role = with_role
        self.combo = QComboBox()
        self.combo.addItem(empty, None)
        # Long practice names must not widen the form past its window.
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(24)
        self.add_button = QPushButton(add_text)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.add_button)
        self.setFocusProxy(self.combo)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt's name)
        super().setAccessibleName(name)
        self.combo.setAccessibleName(name)

    def set_contacts(self, contacts: Iterable[ContactInfo], *, keep: int | None = None) -> None:
        """Offer ``contacts``; ``keep`` (default: the current choice) stays offered if retired."""
        chosen = keep if keep is not None else self.value()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(self.empty, None)
        for contact in contacts:
            if not contact.active and contact.id != chosen:
                continue
            text = contact.display
            if self.with_role:
                text += f" ({contact.role_label})"
            if not contact.active:
                text += " (retired)"
            self.combo.addItem(text, contact.id)
        self.combo.blockSignals(False)
        self.set_value(chosen)

    def value(self) -> int | None:
        return self.combo.currentData()

    def set_value(self, value: int | None) -> None:
        index = self.combo.findData(value)
        self.combo.setCurrentIndex(index if index >= 0 else 0)

    def connect_changed(self, slot: Callable[[], None]) -> None:
        self.combo.currentIndexChanged.connect(lambda _i: slot())


class PatientDialog(RecordDialog):
    """New patient (``patient`` None) or edit demographics of ``patient``."""

    openExisting = Signal(str)

    def __init__(
        self,
        clinic,
        ops: Operations,
        *,
        patient=None,
        focus_field: str | None = None,
        parent: QWidget | None = None,
    ):
        if patient is None:
            title, who = "New patient", "not yet registered"
        else:
            title = "Patient details"
            who = (
                f"{patient.family_name.upper()}, {patient.given_names} · DOB "
                f"{patient.date_of_birth.isoformat()} · Record {patient.record_number}"
            )
        super().__init__(clinic, ops, who, title, parent)
        self.setObjectName("patientDialog")
        self.patient = patient
        self.allow_duplicate = False
        if patient is None:
            self.setWindowTitle("New patient — register")
            self.header.setText("<b>Register a new patient</b> (demographics only)")
            self.save_button.setText("&Register")
        self.resize(560, 600)
        layout = QVBoxLayout(self.body)
        form = form_layout()
        self.add_row(form, "family_name", TextField(), "Family name")
        self.add_row(form, "given_names", TextField(), "Given names")
        self.dob = TextField("YYYY-MM-DD, e.g. 1972-03-14")
        self.add_row(form, "date_of_birth", self.dob, "Date of birth")
        self.age = QLabel("")
        self.age.setStyleSheet(HINT_STYLE)
        self.age.setAccessibleName("Age")
        form.addRow("", self.age)
        sex = ChoiceRadios(
            [(s, s.capitalize() if s != "unknown" else "Not recorded") for s in SEXES]
        )
        sex.set_value("unknown")
        self.add_row(form, "sex", sex, "Sex")
        self.add_row(form, "phone", TextField("+44 …"), "Phone")
        self.add_row(form, "email", TextField(), "E-mail")
        self.add_row(form, "address", NotesField(lines=3), "Address")
        self.add_row(
            form, "gp_contact_id", ContactPicker("Not recorded", "New GP…"), "Family doctor (GP)"
        )
        earlier = patient.referring_practitioner if patient is not None else ""
        self.add_row(
            form,
            "referrer_contact_id",
            ContactPicker("Not recorded", "New contact…", with_role=True),
            "Referred by",
        )
        # Before the address book the referrer was typed; show it until a contact is chosen.
        self.earlier_referrer = QLabel(f"Written earlier: {earlier}" if earlier else "")
        self.earlier_referrer.setStyleSheet(HINT_STYLE)
        self.earlier_referrer.setWordWrap(True)
        self.earlier_referrer.setVisible(bool(earlier))
        form.addRow("", self.earlier_referrer)
        for key in CONTACT_FIELDS:
            picker = self.fields[key]
            picker.add_button.clicked.connect(lambda _c=False, k=key: self.add_contact(k))
        self._load_contacts(patient)
        layout.addLayout(form)
        layout.addStretch(1)
        self.dob.textChanged.connect(self._update_age)
        if patient is not None:
            self._show_values(patient)
        self.finish()
        if focus_field and focus_field in self.fields:
            self.fields[focus_field].setFocus()

    def _values_of(self, patient) -> dict[str, Any]:
        """The form's values for ``patient`` as saved."""
        values = {name: getattr(patient, name, None) for name in self.fields}
        born = values.get("date_of_birth")
        if born is not None:
            values["date_of_birth"] = born.isoformat()
        return values

    def _show_values(self, patient) -> None:
        for name, value in self._values_of(patient).items():
            self.fields[name].set_value(value)

    def _reload_keeping_mine(self, current: PatientDetails) -> None:
        """Someone else saved the patient: show their version, the user's edits on top."""
        before = self._values_of(self.patient)
        mine = {k: v for k, v in self.data().items() if v != before.get(k)}
        self.patient = current
        self._load_contacts(current)
        self._show_values(current)
        self._initial = self.snapshot()
        for name, value in mine.items():
            self.fields[name].set_value(value)
        self.revalidate()

    def _load_contacts(self, patient=None) -> None:
        """Offer the address book; a patient's current choices stay offered even if retired."""
        try:
            contacts = self.clinic.contacts.all_contacts(include_retired=True)
        except UserError as exc:
            log.warning("address book not read: %s", type(exc).__name__)
            contacts = []
        for key, role in CONTACT_FIELDS.items():
            picker = self.fields[key]
            keep = getattr(patient, key) if patient is not None else picker.value()
            offered = [c for c in contacts if role is None or c.role == role]
            picker.set_contacts(offered, keep=keep)

    def add_contact(self, key: str) -> QDialog:
        """Add a contact to the address book from here, and choose it for ``key``."""
        from sijdesk.ui.contacts_window import ContactDialog

        dialog = ContactDialog(self.clinic, parent=self, role=CONTACT_FIELDS[key])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._contact_added(key, dialog.saved))
        dialog.open()
        return dialog

    def _contact_added(self, key: str, contact: ContactInfo | None) -> None:
        self._load_contacts()
        if contact is not None:
            self.fields[key].set_value(contact.id)

    def _update_age(self, text: str) -> None:
        born = parse_date(text.strip())
        today = self.clinic.today()
        self.age.setText(f"Age {age_on(born, today)} years" if born and born <= today else "")

    def validate(self) -> dict[str, str]:
        try:
            self.clinic.patients.validate(self.data())
        except ValidationError as exc:
            return dict(exc.errors)
        return {}

    def perform(self) -> Callable[[], Any]:
        data = self.data()
        patients, allow = self.clinic.patients, self.allow_duplicate
        if self.patient is None:
            return lambda: patients.register(data, allow_duplicate=allow)
        patient_id, seen = self.patient.id, self.patient
        return lambda: patients.update(patient_id, data, allow_duplicate=allow, seen=seen)

    def on_failed(self, exc: BaseException) -> bool:
        if isinstance(exc, EditConflict) and isinstance(exc.current, PatientDetails):
            self._reload_keeping_mine(exc.current)
            exc = EditConflict(
                f"{exc} The form now shows their version with your own changes on top: "
                "check it and save again."
            )
            return super().on_failed(exc)
        if isinstance(exc, DuplicatePatient):
            self.saving = False
            self.show_errors({})
            choice = DuplicatePrompt.ask(self, exc.matches)
            if choice is None:
                return True
            action, record = choice
            if action == "open" and record:
                self.close_without_asking()
                self.openExisting.emit(record)
            elif action == "register":
                self.allow_duplicate = True
                self.submit()
            return True
        return super().on_failed(exc)
