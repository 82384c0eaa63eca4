"""File > Clinic database…: which database this computer opens.

Its own SQLite file (one computer), or the clinic's PostgreSQL server (several
workstations). "Try the connection" asks the server on a worker thread and
says in one sentence what is there; Save keeps the choice for this computer
(``sijdesk/workstation.py``), used from the next sign-in on.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sijdesk import workstation
from sijdesk.db.engine import DATABASE_URL_ENV, safe_url
from sijdesk.errors import UserError
from sijdesk.paths import default_database_path
from sijdesk.ui.signin import FieldForm, password_field
from sijdesk.ui.workers import Operations

HINT_STYLE = "color: #555555;"


class DatabaseDialog(FieldForm):
    def __init__(self, parent: QWidget | None = None):
        super().__init__("Clinic database", parent)
        self.setObjectName("databaseDialog")
        self.setMinimumWidth(560)
        self.ops = Operations(self)
        self.saved = False
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Which clinic database this computer opens. One computer can keep the records "
            "in its own file; when several computers work at once, they share a PostgreSQL "
            "server instead."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.local = QRadioButton(f"This computer's own file ({default_database_path()})")
        self.server = QRadioButton("The clinic's PostgreSQL server")
        for radio in (self.local, self.server):
            radio.toggled.connect(lambda _on: self._update())
            layout.addWidget(radio)
        self.host = self.add_field("host", "Server", QLineEdit())
        self.host.setPlaceholderText("e.g. clinic-server or 192.168.1.20")
        self.port = self.add_field("port", "Port", QLineEdit())
        self.port.setPlaceholderText("5432")
        self.database = self.add_field("database", "Database", QLineEdit())
        self.user = self.add_field("user", "User name on the server", QLineEdit())
        self.password = self.add_field("password", "Password on the server", password_field())
        layout.addLayout(self.form)
        row = QHBoxLayout()
        self.try_button = QPushButton("Try the connection")
        self.try_button.clicked.connect(self.try_connection)
        row.addWidget(self.try_button)
        self.answer = QLabel("")
        self.answer.setObjectName("connectionAnswer")
        self.answer.setWordWrap(True)
        row.addWidget(self.answer, 1)
        layout.addLayout(row)
        self.override = QLabel("")
        self.override.setWordWrap(True)
        self.override.setStyleSheet(HINT_STYLE)
        layout.addWidget(self.override)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._load(workstation.saved_url())
        if os.environ.get(DATABASE_URL_ENV):
            self.override.setText(
                f"Note: {DATABASE_URL_ENV} is set on this computer and wins over this choice."
            )
        self._update()

    def _load(self, url: str | None) -> None:
        if not url:
            self.local.setChecked(True)
            return
        self.server.setChecked(True)
        try:
            parsed = make_url(url)
        except ArgumentError:
            return
        query = {k: v if isinstance(v, str) else v[0] for k, v in parsed.query.items()}
        self.host.setText(parsed.host or query.get("host", ""))
        port = parsed.port or query.get("port")
        self.port.setText(str(port) if port else "")
        self.database.setText(parsed.database or "")
        self.user.setText(parsed.username or "")
        self.password.setText(parsed.password or "")

    def _update(self) -> None:
        on = self.server.isChecked()
        for field in (self.host, self.port, self.database, self.user, self.password):
            field.setEnabled(on)
        self.try_button.setEnabled(on)

    def address(self) -> workstation.ServerAddress | None:
        """The server's address from the fields, or None after showing what is wrong."""
        self.clear_errors()
        port_text = self.port.text().strip()
        port = int(port_text) if port_text.isdigit() else None
        address = workstation.ServerAddress(
            self.host.text(), self.database.text(), self.user.text(), self.password.text(), port
        )
        problems = address.problems()
        if port_text and not port_text.isdigit():
            problems["port"] = "must be a number, such as 5432"
        if problems:
            self.show_errors(problems)
            return None
        return address

    def try_connection(self) -> None:
        address = self.address()
        if address is None:
            return
        url = address.url()
        self.answer.setText("Asking the server…")
        self.try_button.setEnabled(False)
        self.ops.run(
            lambda: workstation.try_connection(url),
            on_success=self._answered,
            on_failure=self._not_answered,
            context=self,
            label="try the database connection",
        )

    def _answered(self, sentence: str) -> None:
        self.try_button.setEnabled(True)
        self.answer.setText(sentence)

    def _not_answered(self, exc: BaseException) -> bool:
        self.try_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.answer.setText(str(exc))
            return True
        return False

    def try_save(self) -> None:
        url = None
        if self.server.isChecked():
            address = self.address()
            if address is None:
                return
            url = address.url()
        try:
            workstation.save_url(url)
        except OSError as exc:
            self.show_general(f"The choice could not be saved ({exc.strerror or exc}).")
            return
        self.saved = True
        self.chosen = safe_url(url) if url else str(default_database_path())
        self.accept()
