"""How errors reach the user: plain messages for the environment, a crash dialog for bugs.

Two kinds, as in qutebrowser: a :class:`~sijdesk.errors.UserError` (database
locked, disk full, a record that is gone) is shown as a plain sentence; any
other exception is a bug, logged with its traceback and shown in the crash
dialog with the log file's name. Every modal message of the window goes
through :class:`Messages` so that tests can replace it.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError, ValidationError

log = logging.getLogger(__name__)

APP_TITLE = "SIJ Desk"


class Messages:
    """Modal messages. Tests monkeypatch these static methods."""

    @staticmethod
    def info(parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    @staticmethod
    def warning(parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    @staticmethod
    def question(
        parent: QWidget | None, title: str, text: str, *, default_yes: bool = False
    ) -> bool:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        default = QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No
        answer = QMessageBox.question(parent, title, text, buttons, default)
        return answer == QMessageBox.StandardButton.Yes

    @staticmethod
    def choose(parent: QWidget | None, title: str, text: str, options: list[str]) -> int | None:
        """One of ``options`` (buttons, the first is the default); None when closed."""
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(title)
        box.setText(text)
        buttons = [box.addButton(o, QMessageBox.ButtonRole.ActionRole) for o in options]
        box.setDefaultButton(buttons[0])
        box.exec()
        clicked = box.clickedButton()
        return buttons.index(clicked) if clicked in buttons else None

    @staticmethod
    def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
        """A line of text (e.g. a reason); None when cancelled."""
        value, ok = QInputDialog.getText(parent, title, label, text=text)
        return value if ok else None

    @staticmethod
    def crash(parent: QWidget | None, summary: str, details: str) -> None:
        dialog = CrashDialog(parent, summary, details)
        dialog.exec()


def user_message(exc: UserError) -> str:
    """The sentence shown for a user-facing error."""
    if isinstance(exc, ValidationError):
        return "The record was not saved:\n" + "\n".join(
            f"• {field.replace('_', ' ')}: {message}" for field, message in exc.errors.items()
        )
    return str(exc)


def report_exception(exc: BaseException, *, parent: QWidget | None = None) -> None:
    """Show ``exc`` the way its kind deserves (called on the GUI thread)."""
    if isinstance(exc, UserError):
        log.info("user error shown: %s", exc)
        Messages.warning(parent, APP_TITLE, user_message(exc))
        return
    report_bug(type(exc), exc, exc.__traceback__, parent=parent)


def report_bug(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    parent: QWidget | None = None,
) -> None:
    """Log a bug with its traceback and show the crash dialog."""
    log.error("unexpected error", exc_info=(exc_type, exc, tb))
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    summary = f"{exc_type.__name__}: {exc}"
    Messages.crash(parent, summary, details)


class CrashDialog(QDialog):
    """Says that SIJ Desk hit a bug, where the log is, and offers the details to copy."""

    def __init__(self, parent: QWidget | None, summary: str, details: str):
        super().__init__(parent)
        from sijdesk.paths import log_file

        self.setWindowTitle("SIJ Desk — something went wrong")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        text = QLabel(
            "<p><b>SIJ Desk hit a problem in its own program code.</b> This is a bug, not "
            "something you did.</p><p>Records that were saved are safe. A form you were "
            "filling in is still open: check it and save again.</p>"
            f"<p>The details were written to the log file:<br><code>{log_file()}</code></p>"
        )
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Technical details")
        self.details.setVisible(False)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        show = QPushButton("Show details")
        show.setCheckable(True)
        show.toggled.connect(self.details.setVisible)
        copy = QPushButton("Copy details")
        copy.clicked.connect(lambda: QApplication.clipboard().setText(details))
        buttons.addButton(show, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


_in_hook = threading.local()


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """``sys.excepthook`` of the window: log, then the crash dialog on the GUI thread."""
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    app = QApplication.instance()
    on_gui = app is not None and threading.current_thread() is threading.main_thread()
    if not on_gui or getattr(_in_hook, "active", False):
        log.critical("uncaught error", exc_info=(exc_type, exc, tb))
        return
    _in_hook.active = True
    try:
        if isinstance(exc, UserError):
            report_exception(exc, parent=QApplication.activeWindow())
        else:
            report_bug(exc_type, exc, tb, parent=QApplication.activeWindow())
    except Exception:  # noqa: BLE001 - the hook must never raise
        log.critical("crash dialog failed", exc_info=True)
    finally:
        _in_hook.active = False


def install_excepthook() -> None:
    sys.excepthook = excepthook
