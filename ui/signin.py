"""The door of the window: first-run set-up, sign-in and changing one's password.

No patient data is shown before one of these dialogs has produced a
signed-in user. Each dialog calls the account services
(:mod:`sijdesk.services.accounts`), which hash, count failures and audit;
the dialogs only collect input and show the services' messages beside the
fields. Hashing a password takes a fraction of a second by design, so it
runs on the GUI thread while the dialog shows a wait cursor.

The sign-in dialog can be shown while the database is still being opened
(:class:`sijdesk.db.opening.DatabaseOpening`): it needs the database only when
"Sign in" is pressed, and this module loads no database library itself, so
the door opens as soon as Qt is up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.db.opening import DatabaseOpening
from sijdesk.errors import UserError, ValidationError

if TYPE_CHECKING:
    from sijdesk.db.engine import Database
    from sijdesk.services import AccountService, SignedIn

APP_NAME = "SIJ Desk"


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setStyleSheet("color: #b00020;")
    label.setWordWrap(True)
    label.hide()
    return label


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(1024)
    return field


class Busy:
    """A wait cursor while a password is hashed."""

    def __enter__(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)

    def __exit__(self, *exc: object) -> None:
        QGuiApplication.restoreOverrideCursor()


class FieldForm(QDialog):
    """A dialog of labelled fields, each with its error line beneath it."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"{title} — {APP_NAME}")
        # Wide enough that the wrapped explanations get their full height.
        self.setMinimumWidth(460)
        self.form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.general_error = error_label()
        self.general_error.setObjectName("generalError")

    def add_field(self, key: str, label: str, field: QLineEdit) -> QLineEdit:
        self.add_row(key, label, field)
        self.fields[key] = field
        field.textEdited.connect(lambda _text, k=key: self.errors[k].hide())
        return field

    def add_row(self, key: str, label: str, widget: QWidget) -> None:
        """A labelled widget with its error line beneath it."""
        widget.setObjectName(key)
        # The row's label belongs to the holder widget; the field gets its own name.
        widget.setAccessibleName(label)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = error_label()
        column.addWidget(error)
        self.form.addRow(label, holder)
        self.errors[key] = error

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()
        self.general_error.hide()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message beside its field; messages for other keys at the bottom."""
        other = []
        for key, message in errors.items():
            if key in self.errors:
                self.errors[key].setText(message[0].upper() + message[1:])
                self.errors[key].show()
            else:
                other.append(f"{key.replace('_', ' ')}: {message}")
        if other:
            self.show_general("\n".join(other))
        first = next((k for k in errors if k in self.fields), None)
        if first is not None:
            self.fields[first].setFocus()

    def show_general(self, text: str) -> None:
        self.general_error.setText(text)
        self.general_error.show()


class SignInDialog(FieldForm):
    """Username and password; ``signed`` holds who signed in once accepted.

    Given a :class:`DatabaseOpening` still running, the dialog is usable at once and
    signs in when the opening has finished. Should the opening fail, or find a
    database without accounts, the dialog closes with ``OPENING_STOPPED`` and the
    caller takes it from there (the failure is raised again by the opening).
    """

    OPENING_STOPPED = 2  # exec()'s result when the dialog closed for the opening's sake
    POLL_MS = 30

    def __init__(
        self,
        db: Database | DatabaseOpening,
        parent: QWidget | None = None,
        *,
        is_demo: bool = False,
        username: str = "",
        locked_for: str | None = None,
    ):
        super().__init__("Sign in" if locked_for is None else "Locked", parent)
        self.setObjectName("signInDialog")
        self.opening = db if isinstance(db, DatabaseOpening) else DatabaseOpening.of(db)
        self.signed: SignedIn | None = None
        self._accounts: AccountService | None = None
        self._sign_in_when_open = False
        layout = QVBoxLayout(self)
        heading = QLabel(
            "Sign in to the clinic's records."
            if locked_for is None
            else f"The window was locked. {locked_for}, enter your password to go on, "
            "or sign in as someone else."
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.demo_note = QLabel(
            "This is a demonstration clinic with fictional patients. Its users are "
            "admin, dr.okafor, physio.lindqvist and reception.haddad; each has the "
            "password sijdesk-demo."
        )
        self.demo_note.setObjectName("demoNote")
        self.demo_note.setWordWrap(True)
        self.demo_note.setVisible(is_demo)
        layout.addWidget(self.demo_note)
        self.username = self.add_field("username", "Username", QLineEdit(username))
        self.username.setMaxLength(64)
        self.password = self.add_field("password", "Password", password_field())
        layout.addLayout(self.form)
        self.opening_status = QLabel("Opening the clinic database…")
        self.opening_status.setObjectName("openingStatus")
        self.opening_status.setStyleSheet("color: palette(placeholder-text);")
        self.opening_status.setWordWrap(True)
        self.opening_status.hide()
        layout.addWidget(self.opening_status)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_in_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("Sign in")
        buttons.accepted.connect(self.try_sign_in)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        (self.password if username else self.username).setFocus()
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._check_opening)
        if self.opening.done():
            if self._stopped():
                # done() before exec() began would be undone by exec(), which would then
                # wait for a user who has nothing to do: close from the event loop.
                QTimer.singleShot(0, self._opened)
            else:
                self._opened()
        else:
            self.opening_status.show()
            self._poll.start()

    @property
    def accounts(self) -> AccountService:
        if self._accounts is None:
            from sijdesk.services import AccountService

            self._accounts = AccountService(self.opening.result().database)
        return self._accounts

    def _check_opening(self) -> None:
        if self.opening.done():
            self._poll.stop()
            # Closing from inside the timer would end exec() before it began when the
            # opening is already over at the first tick; a queued call is safe either way.
            QTimer.singleShot(0, self._opened)

    def _stopped(self) -> bool:
        """The opening failed or found no accounts: nobody can sign in here."""
        return self.opening.failed() or self.opening.result().setup_needed

    def _opened(self) -> None:
        if self._stopped():
            self.done(self.OPENING_STOPPED)
            return
        self.opening_status.hide()
        if self.opening.result().is_demo:
            self.demo_note.show()
        if self._sign_in_when_open:
            self._sign_in_when_open = False
            self.sign_in_button.setEnabled(True)
            self.try_sign_in()

    def try_sign_in(self) -> None:
        self.clear_errors()
        if not self.username.text().strip():
            self.show_errors({"username": "is required"})
            return
        if not self.opening.done():
            # Signed in as soon as the database is open; the fields stay as typed.
            self._sign_in_when_open = True
            self.sign_in_button.setEnabled(False)
            self.opening_status.setText(
                "Checking the clinic database; you will be signed in as soon as it is ready."
            )
            return
        try:
            with Busy():
                self.signed = self.accounts.sign_in(self.username.text(), self.password.text())
        except UserError as exc:
            self.password.clear()
            self.password.setFocus()
            self.show_general(str(exc))
            return
        self.accept()


class FirstRunDialog(FieldForm):
    """A new clinic database: the clinic's name and its first administrator.

    ``signed`` holds the administrator once accepted; ``wants_demo`` is set
    when the user chose to try a demonstration clinic instead.
    """

    def __init__(self, db: Database, parent: QWidget | None = None):
        from sijdesk.services import AccountService
        from sijdesk.services.accounts import MIN_PASSWORD_LENGTH

        super().__init__("Set up the clinic", parent)
        self.setObjectName("firstRunDialog")
        self.accounts = AccountService(db)
        self.signed: SignedIn | None = None
        self.wants_demo = False
        layout = QVBoxLayout(self)
        intro = QLabel(
            "This clinic database is new. Name the clinic and create the first administrator, "
            "who can then add the other users. Every user signs in with a password of at least "
            f"{MIN_PASSWORD_LENGTH} characters."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.clinic_name = self.add_field("clinic_name", "Clinic name", QLineEdit())
        self.clinic_name.setMaxLength(200)
        self.display_name = self.add_field("display_name", "Your full name", QLineEdit())
        self.display_name.setMaxLength(200)
        self.username = self.add_field("username", "Username", QLineEdit())
        self.username.setMaxLength(64)
        self.username.setPlaceholderText("e.g. m.kowalski")
        self.password = self.add_field("password", "Password", password_field())
        self.repeat = self.add_field("repeat", "Password again", password_field())
        self.also_clinician = QCheckBox("I also see patients (clinician as well as administrator)")
        self.also_clinician.setChecked(True)
        self.form.addRow("", self.also_clinician)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton(
            "Create the clinic", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.demo_button = QPushButton("Try a demo clinic instead")
        self.demo_button.setToolTip(
            "Fill this database with fictional patients to try SIJ Desk out; not for real patients."
        )
        buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.try_create)
        buttons.rejected.connect(self.reject)
        self.demo_button.clicked.connect(self.choose_demo)
        layout.addWidget(buttons)
        self.clinic_name.setFocus()

    def choose_demo(self) -> None:
        self.wants_demo = True
        self.accept()

    def try_create(self) -> None:
        self.clear_errors()
        if self.password.text() != self.repeat.text():
            self.show_errors({"repeat": "does not match the password"})
            return
        clinic = {"clinic_name": self.clinic_name.text()} if self.clinic_name.text() else None
        try:
            with Busy():
                self.signed = self.accounts.initialise(
                    username=self.username.text(),
                    password=self.password.text(),
                    display_name=self.display_name.text(),
                    also_clinician=self.also_clinician.isChecked(),
                    clinic=clinic,
                )
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except UserError as exc:
            self.show_general(str(exc))
            return
        self.accept()


class ChangePasswordDialog(FieldForm):
    """The signed-in user's own password (required after an administrator's reset)."""

    def __init__(self, clinic, parent: QWidget | None = None, *, required: bool = False):
        from sijdesk.services.accounts import MIN_PASSWORD_LENGTH

        super().__init__("Change your password", parent)
        self.setObjectName("changePasswordDialog")
        self.clinic = clinic
        layout = QVBoxLayout(self)
        text = (
            "An administrator set a temporary password for you. Choose your own before going on."
            if required
            else "Choose a new password."
        )
        intro = QLabel(f"{text} It must be at least {MIN_PASSWORD_LENGTH} characters long.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.current = self.add_field("current_password", "Current password", password_field())
        self.new = self.add_field("new_password", "New password", password_field())
        self.repeat = self.add_field("repeat", "New password again", password_field())
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Change password")
        buttons.accepted.connect(self.try_change)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def try_change(self) -> None:
        self.clear_errors()
        if self.new.text() != self.repeat.text():
            self.show_errors({"repeat": "does not match the new password"})
            return
        try:
            with Busy():
                self.clinic.session.change_password(self.current.text(), self.new.text())
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        except UserError as exc:
            self.show_general(str(exc))
            return
        self.clinic.must_change_password = False
        self.accept()
