"""The administrator's users window: create users, set their roles, reset
passwords, disable and enable accounts.

Users are never deleted (the record names who did what); a disabled account
cannot sign in. Every change is one call to :class:`UserService`, which
checks that the signed-in user is an administrator, keeps at least one active
administrator and writes the audit trail. A reset password is temporary: the
user chooses their own at the next sign-in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError, ValidationError
from sijdesk.services.accounts import UserSummary
from sijdesk.services.context import ROLE_ORDER
from sijdesk.ui.errors import Messages
from sijdesk.ui.signin import Busy, FieldForm, error_label, password_field
from sijdesk.ui.sizing import resize_to_fit
from sijdesk.ui.table_models import RowsTableModel, rows_table

COLUMNS = ("Username", "Name", "Roles", "Status", "Last sign-in")
ROLE_TEXT = {
    "admin": "Administrator: users, settings, backups, audit",
    "clinician": "Clinician: all clinical work",
    "reception": "Reception: registration, handouts, printing",
}


def status_text(user: UserSummary, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    if not user.active:
        return "disabled"
    parts = ["active"]
    if user.must_change_password:
        parts.append("must choose a new password")
    if user.blocked_until is not None and user.blocked_until > now:
        parts.append("waiting after wrong passwords")
    return ", ".join(parts)


class UsersModel(RowsTableModel):
    """The clinic's users, by username."""

    COLUMNS = COLUMNS

    def user(self, row: int) -> UserSummary:
        return self.row(row)

    def cell(self, user: UserSummary, column: int) -> Any:
        if column == 0:
            return user.username
        if column == 1:
            return user.display_name
        if column == 2:
            return user.role_label
        if column == 3:
            return status_text(user)
        if user.last_signin_at is None:
            return "never"
        return user.last_signin_at.astimezone().strftime("%Y-%m-%d %H:%M")


class RolesBox(QWidget):
    """One checkbox per role; a user may hold several."""

    def __init__(self, chosen: frozenset[str] = frozenset(), parent: QWidget | None = None):
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for role in ROLE_ORDER:
            box = QCheckBox(ROLE_TEXT[role])
            box.setObjectName(f"role_{role}")
            box.setChecked(role in chosen)
            column.addWidget(box)
            self.boxes[role] = box

    def roles(self) -> list[str]:
        return [role for role, box in self.boxes.items() if box.isChecked()]


class NewUserDialog(FieldForm):
    """A new account with a temporary password the user replaces at first sign-in."""

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__("New user", parent)
        self.setObjectName("newUserDialog")
        self.setMinimumWidth(560)
        self.clinic = clinic
        self.made: UserSummary | None = None
        layout = QVBoxLayout(self)
        self.display_name = self.add_field("display_name", "Full name", QLineEdit())
        self.display_name.setMaxLength(200)
        self.username = self.add_field("username", "Username", QLineEdit())
        self.username.setMaxLength(64)
        self.credentials = self.add_field("credentials", "Qualifications", QLineEdit())
        self.credentials.setPlaceholderText("printed under the signature of letters")
        self.credentials.setMaxLength(200)
        self.roles_box = RolesBox()
        self.roles_error = self._error_for("roles")
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.roles_box)
        column.addWidget(self.roles_error)
        self.form.addRow("Roles", holder)
        self.password = self.add_field("password", "Temporary password", password_field())
        self.repeat = self.add_field("repeat", "Temporary password again", password_field())
        layout.addLayout(self.form)
        note = QLabel("Give the temporary password to the user; they choose their own at sign-in.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create user")
        buttons.accepted.connect(self.try_create)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _error_for(self, key: str) -> QLabel:
        label = error_label()
        self.errors[key] = label
        return label

    def try_create(self) -> None:
        self.clear_errors()
        if self.password.text() != self.repeat.text():
            self.show_errors({"repeat": "does not match the password"})
            return
        try:
            with Busy():
                self.made = self.clinic.users.create(
                    username=self.username.text(),
                    display_name=self.display_name.text(),
                    roles=self.roles_box.roles(),
                    password=self.password.text(),
                    credentials=self.credentials.text(),
                )
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except UserError as exc:
            self.show_general(str(exc))
            return
        self.accept()


class ResetPasswordDialog(FieldForm):
    def __init__(self, clinic, user: UserSummary, parent: QWidget | None = None):
        super().__init__("Reset password", parent)
        self.setObjectName("resetPasswordDialog")
        self.clinic = clinic
        self.user = user
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"Set a temporary password for {user.display_name} ({user.username}). They choose "
            "their own at the next sign-in; any wait after wrong passwords is cleared."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.password = self.add_field("password", "Temporary password", password_field())
        self.repeat = self.add_field("repeat", "Temporary password again", password_field())
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.reset_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.reset_button.setText("Reset password")
        buttons.accepted.connect(self.try_reset)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def try_reset(self) -> None:
        self.clear_errors()
        if self.password.text() != self.repeat.text():
            self.show_errors({"repeat": "does not match the password"})
            return
        try:
            with Busy():
                self.clinic.users.reset_password(self.user.id, self.password.text())
        except ValidationError as exc:
            self.show_errors({"password": next(iter(exc.errors.values()))})
            return
        except UserError as exc:
            self.show_general(str(exc))
            return
        self.accept()


class RolesDialog(FieldForm):
    def __init__(self, clinic, user: UserSummary, parent: QWidget | None = None):
        super().__init__("Roles", parent)
        self.setObjectName("rolesDialog")
        self.clinic = clinic
        self.user = user
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Roles of {user.display_name} ({user.username}):"))
        self.roles_box = RolesBox(user.roles)
        layout.addWidget(self.roles_box)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def try_save(self) -> None:
        self.clear_errors()
        try:
            self.clinic.users.set_roles(self.user.id, self.roles_box.roles())
        except ValidationError as exc:
            self.show_general(next(iter(exc.errors.values())).capitalize() + ".")
            return
        except UserError as exc:
            self.show_general(str(exc))
            return
        self.accept()


class UsersWindow(QDialog):
    """Administrators only; the services refuse anyone else anyway."""

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__(parent)
        self.clinic = clinic
        self.setObjectName("usersWindow")
        self.setWindowTitle("Users — SIJ Desk")
        resize_to_fit(self, 860, 460)
        self.model = UsersModel(self)
        self.table = rows_table(self.model, "Users")
        self.table.doubleClicked.connect(lambda _index: self.edit_roles())
        self.new_button = QPushButton("New user…")
        self.roles_button = QPushButton("Roles…")
        self.reset_button = QPushButton("Reset password…")
        self.toggle_button = QPushButton("Disable")
        close = QPushButton("Close")
        self.new_button.clicked.connect(self.new_user)
        self.roles_button.clicked.connect(self.edit_roles)
        self.reset_button.clicked.connect(self.reset_password)
        self.toggle_button.clicked.connect(self.toggle_active)
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        for button in (self.new_button, self.roles_button, self.reset_button, self.toggle_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        explain = QLabel(
            "Users are never deleted, because the record names who did what; disable an "
            "account instead. The clinic always keeps at least one active administrator."
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        layout.addWidget(self.table)
        layout.addLayout(row)
        lock_row = QHBoxLayout()
        lock_row.addWidget(QLabel("Lock every window after"))
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("idleMinutes")
        self.idle_minutes.setRange(1, 240)
        self.idle_minutes.setSuffix(" idle minutes")
        self.idle_minutes.setAccessibleName("Idle minutes before every window locks")
        lock_row.addWidget(self.idle_minutes)
        self.save_idle_button = QPushButton("Save")
        self.save_idle_button.clicked.connect(self.save_idle_minutes)
        lock_row.addWidget(self.save_idle_button)
        self.idle_note = QLabel("")
        lock_row.addWidget(self.idle_note)
        lock_row.addStretch(1)
        layout.addLayout(lock_row)
        try:
            self.idle_minutes.setValue(clinic.settings.get().idle_lock_minutes)
        except UserError as exc:
            self.idle_note.setText(str(exc))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.refresh()

    def save_idle_minutes(self) -> None:
        try:
            saved = self.clinic.settings.update({"idle_lock_minutes": self.idle_minutes.value()})
        except UserError as exc:
            Messages.warning(self, "Users", str(exc))
            return
        self.idle_note.setText(
            f"Saved: {saved.idle_lock_minutes} minutes, from the next sign-in on each computer."
        )

    def refresh(self, select_id: int | None = None) -> None:
        try:
            users = self.clinic.users.all_users()
        except UserError as exc:
            Messages.warning(self, "Users", str(exc))
            users = []
        self.model.set_rows(users)
        for row, user in enumerate(users):
            if user.id == select_id:
                self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> UserSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.user(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        user = self.selected()
        for button in (self.roles_button, self.reset_button, self.toggle_button):
            button.setEnabled(user is not None)
        self.toggle_button.setText("Enable" if user is not None and not user.active else "Disable")

    def new_user(self) -> None:
        dialog = NewUserDialog(self.clinic, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.made is not None:
            self.refresh(dialog.made.id)

    def edit_roles(self) -> None:
        user = self.selected()
        if user is None:
            return
        if RolesDialog(self.clinic, user, self).exec() == QDialog.DialogCode.Accepted:
            self.refresh(user.id)

    def reset_password(self) -> None:
        user = self.selected()
        if user is None:
            return
        if ResetPasswordDialog(self.clinic, user, self).exec() == QDialog.DialogCode.Accepted:
            self.refresh(user.id)

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        try:
            if user.active:
                if not Messages.question(
                    self,
                    "Disable user",
                    f"Disable {user.display_name} ({user.username})? They will no longer be "
                    "able to sign in; their records stay as they are.",
                ):
                    return
                self.clinic.users.disable(user.id)
            else:
                self.clinic.users.enable(user.id)
        except UserError as exc:
            Messages.warning(self, "Users", str(exc))
        self.refresh(user.id)
