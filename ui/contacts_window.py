"""The address book window: reception adds, corrects and retires the clinic's
contacts, and chooses who each kind of letter goes to when the clinician
chooses no one.

Every change is one call to :class:`ContactService`, which checks the fields,
writes the audit trail (by field name) and never deletes: a retired contact
stays on the patients and letters that name it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import EditConflict, UserError, ValidationError
from sijdesk.reports.wording import KIND_NAMES
from sijdesk.services.contacts import LETTER_ROLES, ROLE_LABELS, ContactInfo
from sijdesk.ui.errors import Messages
from sijdesk.ui.signin import Busy, FieldForm
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.table_models import RowsTableModel, rows_table

NO_DEFAULT = "No one chosen (letters say “To whom it may concern”)"


class ContactsModel(RowsTableModel):
    """The address book, by name."""

    COLUMNS = ("Name", "Role", "Practice", "Phone", "Secure e-mail", "Status")

    def contact(self, row: int) -> ContactInfo:
        return self.row(row)

    def cell(self, contact: ContactInfo, column: int) -> Any:
        values = (
            contact.name,
            contact.role_label,
            contact.practice,
            contact.phone,
            contact.secure_email,
            "in use" if contact.active else "retired",
        )
        return values[column]


class ContactDialog(FieldForm):
    """A new contact (``contact`` None) or a correction of one."""

    def __init__(
        self,
        clinic,
        contact: ContactInfo | None = None,
        parent: QWidget | None = None,
        *,
        role: str | None = None,
    ):
        super().__init__("New contact" if contact is None else "Correct contact", parent)
        self.setObjectName("contactDialog")
        self.setMinimumWidth(520)
        self.clinic = clinic
        self.contact = contact
        self.saved: ContactInfo | None = None
        layout = QVBoxLayout(self)
        self.name = self.add_field("name", "Name", QLineEdit())
        self.name.setPlaceholderText("e.g. Dr Harriet Mensah")
        self.name.setMaxLength(200)
        self.role = QComboBox()
        for value, label in ROLE_LABELS.items():
            self.role.addItem(label, value)
        self.add_row("role", "Role", self.role)
        self.practice = self.add_field("practice", "Practice or hospital", QLineEdit())
        self.practice.setMaxLength(200)
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self.add_row("address", "Address", self.address)
        self.phone = self.add_field("phone", "Phone", QLineEdit())
        self.phone.setMaxLength(64)
        self.secure_email = self.add_field("secure_email", "Secure e-mail", QLineEdit())
        self.secure_email.setMaxLength(200)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        if contact is None:
            self.save_button.setText("Add contact")
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if contact is None and role is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(role)))
        if contact is not None:
            self._show(contact)

    def _show(self, contact: ContactInfo) -> None:
        self.name.setText(contact.name)
        self.role.setCurrentIndex(max(0, self.role.findData(contact.role)))
        self.practice.setText(contact.practice)
        self.address.setPlainText(contact.address)
        self.phone.setText(contact.phone)
        self.secure_email.setText(contact.secure_email)

    def _reload_keeping_mine(self, current: ContactInfo) -> None:
        """Someone else saved the contact: show their version, the user's edits on top."""
        assert self.contact is not None
        before = self.contact
        mine = {k: v for k, v in self.values().items() if getattr(before, k) != v.strip()}
        self.contact = current
        self._show(current)
        widgets = {"name": self.name, "practice": self.practice, "phone": self.phone}
        widgets["secure_email"] = self.secure_email
        for key, value in mine.items():
            if key == "role":
                self.role.setCurrentIndex(max(0, self.role.findData(value)))
            elif key == "address":
                self.address.setPlainText(value)
            else:
                widgets[key].setText(value)

    def values(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "role": self.role.currentData(),
            "practice": self.practice.text(),
            "address": self.address.toPlainText(),
            "phone": self.phone.text(),
            "secure_email": self.secure_email.text(),
        }

    def try_save(self) -> None:
        self.clear_errors()
        values = self.values()
        try:
            with Busy():
                if self.contact is None:
                    self.saved = self.clinic.contacts.create(values)
                else:
                    before = self.contact
                    changes = {k: v for k, v in values.items() if getattr(before, k) != v.strip()}
                    # Nothing changed: closing is the honest answer, not an error.
                    self.saved = (
                        self.clinic.contacts.update(before.id, changes, seen=before)
                        if changes
                        else before
                    )
        except EditConflict as exc:
            if isinstance(exc.current, ContactInfo):
                self._reload_keeping_mine(exc.current)
                self.show_general(
                    f"{exc} The form now shows their version with your own changes on top: "
                    "check it and save again."
                )
            else:
                self.show_general(str(exc))
            return
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except UserError as exc:
            self.show_general(str(exc))
            return
        self.accept()


class LetterDefaults(QGroupBox):
    """One choice per kind of letter: the contact it goes to when none is chosen."""

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__("Letters go to, unless the clinician chooses someone else", parent)
        self.clinic = clinic
        self.combos: dict[str, QComboBox] = {}
        form = QFormLayout(self)
        for kind in LETTER_ROLES:
            combo = QComboBox()
            combo.setObjectName(f"default_{kind}")
            combo.setAccessibleName(f"Default contact for {KIND_NAMES[kind].lower()} letters")
            combo.activated.connect(lambda _i, k=kind: self.save(k))
            form.addRow(KIND_NAMES[kind], combo)
            self.combos[kind] = combo
        self.note = QLabel("")
        self.note.setObjectName("defaultsNote")
        self.note.setWordWrap(True)
        form.addRow(self.note)

    def load(self, contacts: list[ContactInfo], chosen: dict[str, ContactInfo]) -> None:
        """Fill each choice with the contacts of the kind's role, in use only."""
        for kind, combo in self.combos.items():
            role = LETTER_ROLES[kind]
            combo.clear()
            combo.addItem(NO_DEFAULT, None)
            for contact in contacts:
                if contact.active and (role is None or contact.role == role):
                    combo.addItem(contact.display, contact.id)
            current = chosen.get(kind)
            combo.setCurrentIndex(max(0, combo.findData(current.id)) if current else 0)

    def save(self, kind: str) -> None:
        combo = self.combos[kind]
        contact_id = combo.currentData()
        try:
            self.clinic.contacts.set_letter_default(kind, contact_id)
        except UserError as exc:
            Messages.warning(self, "Address book", str(exc))
            return
        who = combo.currentText() if contact_id is not None else "no one in particular"
        self.note.setText(f"Saved: {KIND_NAMES[kind].lower()} letters now go to {who}.")


class AddressBookWindow(QDialog):
    """Every role keeps the address book; reception usually does."""

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.setObjectName("addressBookWindow")
        self.setWindowTitle("Address book — SIJ Desk")
        resize_to_fit(self, 980, 640)
        self.model = ContactsModel(self)
        self.table = rows_table(self.model, "Contacts")
        header = self.table.horizontalHeader()
        # Names, practices and addresses get the room; the short columns fit their text.
        for column in (1, 3, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _index: self.edit_contact())
        self.role_filter = QComboBox()
        self.role_filter.setAccessibleName("Show contacts of the role")
        self.role_filter.addItem("All roles", None)
        for role, label in ROLE_LABELS.items():
            self.role_filter.addItem(label, role)
        self.role_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.show_retired = QCheckBox("Show retired contacts")
        self.show_retired.toggled.connect(lambda _on: self.refresh())
        self.new_button = QPushButton("New contact…")
        self.edit_button = QPushButton("Correct…")
        self.toggle_button = QPushButton("Retire")
        close = QPushButton("Close")
        self.new_button.clicked.connect(self.new_contact)
        self.edit_button.clicked.connect(self.edit_contact)
        self.toggle_button.clicked.connect(self.toggle_active)
        close.clicked.connect(self.accept)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Role"))
        filters.addWidget(self.role_filter)
        filters.addWidget(self.show_retired)
        filters.addStretch(1)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.toggle_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        explain = QLabel(
            "The doctors and services your letters go to. A contact is never deleted, "
            "because patients and letters name it: retire it when it is no longer used."
        )
        explain.setWordWrap(True)
        self.defaults = LetterDefaults(clinic)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.defaults)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.refresh()

    def refresh(self, select_id: int | None = None) -> None:
        try:
            everyone = self.clinic.contacts.all_contacts(include_retired=True)
            chosen = self.clinic.contacts.letter_defaults()
        except UserError as exc:
            Messages.warning(self, "Address book", str(exc))
            everyone, chosen = [], {}
        role = self.role_filter.currentData()
        shown = [
            c
            for c in everyone
            if (role is None or c.role == role) and (c.active or self.show_retired.isChecked())
        ]
        self.model.set_rows(shown)
        for row, contact in enumerate(shown):
            if contact.id == select_id:
                self.table.selectRow(row)
        self.defaults.load(everyone, chosen)
        self._update_buttons()

    def selected(self) -> ContactInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.contact(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        contact = self.selected()
        self.edit_button.setEnabled(contact is not None)
        self.toggle_button.setEnabled(contact is not None)
        retired = contact is not None and not contact.active
        self.toggle_button.setText("Restore" if retired else "Retire")

    def new_contact(self) -> None:
        dialog = ContactDialog(self.clinic, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.saved is not None:
            self.refresh(dialog.saved.id)

    def edit_contact(self) -> None:
        contact = self.selected()
        if contact is None:
            return
        dialog = ContactDialog(self.clinic, contact, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh(contact.id)

    def toggle_active(self) -> None:
        contact = self.selected()
        if contact is None:
            return
        try:
            if contact.active:
                if not Messages.question(
                    self,
                    "Retire contact",
                    f"Retire {contact.display}? It will no longer be offered for new letters "
                    "or patients; the patients and letters that name it keep it.",
                ):
                    return
                self.clinic.contacts.set_active(contact.id, False)
            else:
                self.clinic.contacts.set_active(contact.id, True)
        except UserError as exc:
            Messages.warning(self, "Address book", str(exc))
        self.show_retired.setChecked(self.show_retired.isChecked() or contact.active)
        self.refresh(contact.id)
