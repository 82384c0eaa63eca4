"""Changes saved on other workstations appear without a restart.

Every saved change moves the clinic's change counter on (one number in the
clinic settings row, in the same transaction as the change). The window asks
for it every minute or so and whenever it becomes the active application
again; when another workstation saved something since the last look
(``SettingsService.changes_elsewhere``), the patient list and the open record
are read again. Our own saves are told apart, so they cause no second read.
The question runs on the worker thread; a server that does not answer is
said in the status bar, not in a dialog every minute.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from sijdesk.errors import UserError

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 45_000


class ChangeWatch(QObject):
    """Asks whether others changed the records; ``changedElsewhere`` when they did."""

    changedElsewhere = Signal()

    def __init__(self, window, *, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(window)
        self.window = window
        self.since: int | None = None
        self.checking = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._on_application_state)
        self.check()

    def _on_application_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.check()

    def stop(self) -> None:
        self.timer.stop()

    def check(self) -> None:
        if self.checking or getattr(self.window, "locked", False):
            return
        self.checking = True
        since, settings = self.since, self.window.clinic.settings
        self.window.ops.run(
            lambda: settings.changes_elsewhere(since),
            on_success=self._on_answer,
            on_failure=self._on_failure,
            context=self,
            label="look for changes",
        )

    def _on_answer(self, answer: tuple[int, bool]) -> None:
        self.checking = False
        first = self.since is None
        self.since, elsewhere = answer
        if elsewhere and not first:
            self.changedElsewhere.emit()

    def _on_failure(self, exc: BaseException) -> bool:
        self.checking = False
        if not isinstance(exc, UserError):
            return False  # a bug: the crash dialog
        log.info("could not look for changes: %s", type(exc).__name__)
        self.window.statusBar().showMessage(
            "Could not ask the database for changes made elsewhere; trying again soon.", 10_000
        )
        return True
