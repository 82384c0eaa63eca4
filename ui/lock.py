"""The idle lock: after the clinic's idle time the window hides every patient
detail and asks for the password again.

Input anywhere in the application restarts the idle timer. Locking covers the
main window with an opaque lock screen, hides every other window (open forms,
previews) without closing them, and ignores the window's shortcuts, so
unsaved form input is kept for the same user. Someone else may sign in
instead: the first user's open forms are then discarded, which is recorded
in the audit trail, and the application opens the window afresh for the new
user (``MainWindow.switch_to``).

Locking, unlocking and signing in are all audited by the services.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError
from sijdesk.services import AccountService
from sijdesk.ui.signin import Busy, error_label, password_field

log = logging.getLogger(__name__)

ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class LockScreen(QFrame):
    """The opaque cover over the main window while it is locked."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QFrame()
        box.setMinimumWidth(420)
        box.setMaximumWidth(520)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(box)
        self.title = QLabel()
        self.title.setObjectName("lockTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        inner.addWidget(self.title)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        inner.addWidget(self.explain)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setObjectName("lockUsername")
        self.username.setMaxLength(64)
        self.password = password_field()
        self.password.setObjectName("lockPassword")
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        inner.addLayout(form)
        self.error = error_label()
        self.error.setObjectName("lockError")
        inner.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setDefault(True)
        buttons.addWidget(self.unlock_button)
        inner.addLayout(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.password.returnPressed.connect(self.unlock_button.click)
        self.hide()


class IdleLock(QObject):
    """Watches for input and locks ``window`` after ``minutes`` without any.

    Signals:
        locked(): the window was covered.
        unlocked(): the same user came back; everything is shown as it was.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(self, window, minutes: int, *, interval_ms: int | None = None):
        super().__init__(window)
        self.window = window
        self.clinic = window.clinic
        self.is_locked = False
        self.hidden_windows: list[QWidget] = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms if interval_ms is not None else minutes * 60_000)
        self.timer.timeout.connect(self.lock)
        self.screen = LockScreen(window)
        self.screen.unlock_button.clicked.connect(self.try_unlock)
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def _cover_window(self) -> None:
        self.screen.setGeometry(self.window.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Resize and self.is_locked:
            self._cover_window()
        elif event.type() in ACTIVITY_EVENTS and not self.is_locked:
            self.timer.start()
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def lock(self, reason: str = "idle") -> None:
        if self.is_locked:
            return
        self.is_locked = True
        self.timer.stop()
        self.window.set_locked(True)
        # Other windows (forms, previews) are hidden, not closed: their input is kept.
        self.hidden_windows = [
            w
            for w in QApplication.topLevelWidgets()
            if w is not self.window and w.isVisible() and w.isWindow()
        ]
        for widget in self.hidden_windows:
            widget.hide()
        actor = self.clinic.actor
        self.screen.title.setText("SIJ Desk is locked")
        self.screen.explain.setText(
            f"{actor.display_name}, enter your password to go on where you left off. "
            "Someone else may sign in instead; your unsaved input is then discarded."
        )
        self.screen.username.setText(actor.username)
        self.screen.password.clear()
        self.screen.error.hide()
        self._cover_window()
        self.screen.show()
        self.screen.raise_()
        self.screen.password.setFocus()
        try:
            self.clinic.session.lock(reason=reason)
        except UserError as exc:  # the lock itself must never fail
            log.warning("could not record the lock: %s", exc)
        self.locked.emit()

    def try_unlock(self) -> None:
        username = self.screen.username.text().strip().lower()
        password = self.screen.password.text()
        self.screen.password.clear()
        self.screen.error.hide()
        try:
            with Busy():
                if username == self.clinic.actor.username:
                    self.clinic.session.unlock(password)
                    self._unlock()
                    return
                signed = AccountService(self.clinic.db).sign_in(username, password)
        except UserError as exc:
            self.screen.error.setText(str(exc))
            self.screen.error.show()
            self.screen.password.setFocus()
            return
        self._hand_over(signed)

    def _unlock(self) -> None:
        self.is_locked = False
        self.window.set_locked(False)
        self.screen.hide()
        for widget in self.hidden_windows:
            widget.show()
        self.hidden_windows = []
        self.timer.start()
        self.unlocked.emit()

    def _hand_over(self, signed) -> None:
        """Another user signed in: discard the first user's open forms, then let the
        application open the window afresh for the new user."""
        forms = [w.windowTitle() or w.objectName() for w in self.hidden_windows]
        kinds = sorted({w.objectName() or type(w).__name__ for w in self.hidden_windows})
        try:
            self.clinic.session.record_discarded_work(kinds, taken_over_by=signed.actor.username)
        except UserError as exc:
            log.warning("could not record the discarded work: %s", exc)
        log.info("window handed over at the lock screen; %d open windows discarded", len(forms))
        for widget in self.hidden_windows:
            # Closed without "discard your input?" questions: the audit records it.
            widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            if hasattr(widget, "close_without_asking"):
                widget.close_without_asking()
            # Hidden, a dialog closes without its "discard changes?" question.
            widget.close()
        self.hidden_windows = []
        self.stop()
        self.window.switch_to = signed
        self.window.close()
