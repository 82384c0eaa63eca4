"""Backups in the window: the status bar's "last verified backup", automatic
backups while changes happen and at close, File → Back up now… and Restore
from a backup…, and the administrator's backup settings.

Backups run on a worker thread with a progress dialog (the window never
freezes). A restore replaces the database, so the window only asks for it:
it records the request and closes, and the application (``ui/app.py``)
restores with every connection closed, then asks who signs in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from sijdesk.errors import UserError, ValidationError
from sijdesk.ui.errors import Messages
from sijdesk.ui.signin import Busy, FieldForm, password_field
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

STATUS_REFRESH_MS = 60_000


def run_with_progress(parent: QWidget | None, label: str, work: Callable[[Callable], Any]) -> Any:
    """Run ``work(progress)`` on a worker thread behind a modal progress dialog.

    ``progress(done, total)`` may be called from the worker; a timer on the GUI
    thread copies it into the dialog. Returns the result or raises the error.
    """
    state = {"done": 0, "total": 0}
    lock = threading.Lock()

    def progress(done: int, total: int) -> None:
        with lock:
            state["done"], state["total"] = done, total

    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setObjectName("backupProgress")
    dialog.setWindowTitle("SIJ Desk")
    dialog.setCancelButton(None)  # a half-made backup or restore must not be abandoned
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    timer = QTimer(dialog)
    timer.setInterval(100)

    def tick() -> None:
        with lock:
            done, total = state["done"], state["total"]
        if total:
            dialog.setMaximum(total)
            dialog.setValue(done)

    timer.timeout.connect(tick)
    timer.start()
    loop = QEventLoop()
    outcome: dict[str, Any] = {}
    ops = Operations()

    def finished(value: Any) -> None:
        outcome["value"] = value
        loop.quit()

    def failed(exc: BaseException) -> bool:
        outcome["error"] = exc
        loop.quit()
        return True

    ops.run(lambda: work(progress), on_success=finished, on_failure=failed, label=label)
    dialog.show()
    if not outcome:
        loop.exec()
    timer.stop()
    dialog.close()
    dialog.deleteLater()
    ops.shutdown()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@dataclass(frozen=True)
class RestoreRequest:
    """What the application restores once the window has closed the database."""

    file: Path
    passphrase: str | None
    restored_by: str
    keys: tuple
    folder: Path


class BackupController(QObject):
    """Backups for one main window."""

    def __init__(self, window, clinic, ops: Operations):
        super().__init__(window)
        self.window = window
        self.clinic = clinic
        self.ops = ops
        self.is_admin = "admin" in clinic.actor.roles
        self.restore_request: RestoreRequest | None = None
        self.label = QLabel("")
        self.label.setObjectName("backupStatus")
        self.label.setAccessibleName("Backups")
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(STATUS_REFRESH_MS)
        self.status_timer.timeout.connect(self.refresh_status)
        self.backup_timer = QTimer(self)
        self.backup_timer.timeout.connect(self.backup_if_changed)
        self._running = False
        try:
            minutes = clinic.settings.get().backup_interval_minutes
        except UserError:
            minutes = 30
        self.backup_timer.setInterval(minutes * 60_000)

    def start(self) -> None:
        self.refresh_status()
        self.status_timer.start()
        self.backup_timer.start()

    def stop(self) -> None:
        self.status_timer.stop()
        self.backup_timer.stop()

    def refresh_status(self) -> None:
        try:
            status = self.clinic.backups.status()
        except UserError as exc:
            self.label.setText("Backups: unknown")
            self.label.setToolTip(str(exc))
            return
        self.label.setText(status.text())
        if status.is_stale():
            self.label.setStyleSheet("color: #b00020; font-weight: bold;")
            self.label.setToolTip(
                "There is no verified backup from the last day. An administrator can make one "
                "with File → Back up now."
            )
        else:
            self.label.setStyleSheet("")
            self.label.setToolTip(f"Backups are kept in {status.folder}")

    # -- automatic -----------------------------------------------------------------------------

    def backup_if_changed(self) -> None:
        """The interval backup: on the worker, only when the record changed."""
        if self._running or self.clinic.db.path is None:
            return
        backups = self.clinic.backups
        self._running = True

        def work():
            if not backups.changes_since_last_backup():
                return None
            return backups.back_up(kind="auto")

        def done(_info) -> None:
            self._running = False
            self.refresh_status()

        def failed(exc: BaseException) -> bool:
            self._running = False
            log.warning("automatic backup failed: %s", type(exc).__name__)
            self.refresh_status()
            if isinstance(exc, UserError):
                self.window.statusBar().showMessage(f"The automatic backup failed: {exc}", 15000)
                return True
            return False

        self.ops.run(work, on_success=done, on_failure=failed, label="automatic backup")

    def closing_backup(self) -> None:
        """At close, when the record changed since the last backup; never blocks closing."""
        if self.clinic.db.path is None:
            return
        backups = self.clinic.backups
        try:
            if not backups.changes_since_last_backup():
                return
            run_with_progress(
                None,
                "Making the closing backup…",
                lambda progress: backups.back_up(kind="auto", progress=progress),
            )
        except UserError as exc:
            log.warning("closing backup failed: %s", type(exc).__name__)
            Messages.warning(None, "Backup", f"The closing backup could not be made: {exc}")

    # -- File menu -----------------------------------------------------------------------------

    def back_up_now(self):
        backups = self.clinic.backups
        try:
            info = run_with_progress(
                self.window,
                "Making a backup…",
                lambda progress: backups.back_up(kind="manual", progress=progress),
            )
        except UserError as exc:
            Messages.warning(self.window, "Back up now", str(exc))
            self.refresh_status()
            return None
        self.refresh_status()
        Messages.info(
            self.window,
            "Back up now",
            f"The backup was made and verified:\n{info.path}"
            + (
                "\n\nIt is encrypted with the clinic's backup passphrase." if info.encrypted else ""
            ),
        )
        return info

    def ask_backup_file(self) -> str:
        """Tests monkeypatch this."""
        try:
            folder = str(self.clinic.backups.folder())
        except UserError:
            folder = ""
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Restore from a backup", folder, "SIJ Desk backups (*.sijbak)"
        )
        return path

    def ask_passphrase(self) -> str | None:
        """Tests monkeypatch this."""
        text, ok = QInputDialog.getText(
            self.window,
            "Backup passphrase",
            "This backup is encrypted. Its passphrase:",
            QLineEdit.EchoMode.Password,
        )
        return text if ok else None

    def restore_from_backup(self) -> RestoreRequest | None:
        from sijdesk import backup

        chosen = self.ask_backup_file()
        if not chosen:
            return None
        try:
            info = backup.read_header(Path(chosen))
        except UserError as exc:
            Messages.warning(self.window, "Restore from a backup", str(exc))
            return None
        passphrase = None
        if info.encrypted:
            passphrase = self.ask_passphrase()
            if not passphrase:
                return None
        if not Messages.question(
            self.window,
            "Restore from a backup",
            f"Replace the clinic database with the {info.kind} backup of "
            f"{info.created_at.astimezone():%Y-%m-%d %H:%M}?\n\n"
            "Everything recorded after that backup is taken out of use. The database as it "
            "is now is kept as a pre-restore backup first. SIJ Desk then closes the records; "
            "everyone signs in again.",
        ):
            return None
        try:
            keys = self.clinic.backups.encryption_keys()
            folder = self.clinic.backups.folder()
        except UserError as exc:
            Messages.warning(self.window, "Restore from a backup", str(exc))
            return None
        self.restore_request = RestoreRequest(
            Path(chosen), passphrase, self.clinic.actor.username, keys, folder
        )
        self.window.close()
        return self.restore_request

    def edit_settings(self):
        dialog = BackupSettingsDialog(self.clinic, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


def perform_restore(request: RestoreRequest, database: Path) -> str:
    """The restore itself, with a progress dialog; returns the sentence to show."""
    from sijdesk.services.backups import restore_clinic

    info = run_with_progress(
        None,
        "Checking and restoring the backup…",
        lambda _progress: restore_clinic(
            database,
            request.file,
            passphrase=request.passphrase,
            restored_by=request.restored_by,
            pre_restore_keys=request.keys,
            pre_restore_folder=request.folder,
        ),
    )
    return (
        f"The clinic database was restored from the {info.kind} backup of "
        f"{info.created_at.astimezone():%Y-%m-%d %H:%M}. The database as it was before is "
        f"kept in {request.folder}. Sign in again to go on."
    )


class BackupSettingsDialog(FieldForm):
    """Where and how often automatic backups are made, how many are kept, encryption."""

    def __init__(self, clinic, parent: QWidget | None = None):
        super().__init__("Backup settings", parent)
        self.setObjectName("backupSettingsDialog")
        self.clinic = clinic
        current = clinic.settings.get()
        layout = QVBoxLayout(self)
        self.folder = self.add_field("backup_folder", "Backup folder", QLineEdit())
        self.folder.setText(current.backup_folder)
        self.folder.setPlaceholderText(str(clinic.backups.folder()))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        self.form.addRow("", browse)
        self.interval = QSpinBox()
        self.interval.setRange(5, 24 * 60)
        self.interval.setSuffix(" minutes")
        self.interval.setValue(current.backup_interval_minutes)
        self.form.addRow("While changes happen, every", self.interval)
        self.daily, self.weekly, self.monthly = QSpinBox(), QSpinBox(), QSpinBox()
        for box, (low, high), value in (
            (self.daily, (1, 366), current.backup_keep_daily),
            (self.weekly, (0, 520), current.backup_keep_weekly),
            (self.monthly, (0, 600), current.backup_keep_monthly),
        ):
            box.setRange(low, high)
            box.setValue(value)
        keep = QHBoxLayout()
        for box, text in (
            (self.daily, "daily"),
            (self.weekly, "weekly"),
            (self.monthly, "monthly"),
        ):
            box.setAccessibleName(f"Keep {text} backups")
            keep.addWidget(box)
            keep.addWidget(QLabel(text))
        self.form.addRow("Keep", keep)
        layout.addLayout(self.form)
        self.encrypted = QCheckBox("Encrypt backups with a passphrase")
        self.encrypted.setChecked(current.backups_encrypted)
        layout.addWidget(self.encrypted)
        self.passphrase = password_field()
        self.passphrase.setObjectName("passphrase")
        self.repeat = password_field()
        self.repeat.setObjectName("passphraseRepeat")
        crypto = QFormLayout()
        self.passphrase_error = QLabel("")
        self.passphrase_error.setStyleSheet("color: #b00020;")
        crypto.addRow("New passphrase", self.passphrase)
        crypto.addRow("Passphrase again", self.repeat)
        crypto.addRow("", self.passphrase_error)
        layout.addLayout(crypto)
        note = QLabel(
            "Leave the passphrase empty to keep the current one. It is stored nowhere: "
            "without it an encrypted backup cannot be restored by anyone."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.general_error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Backup folder", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def try_save(self) -> None:
        self.clear_errors()
        self.passphrase_error.setText("")
        wants_new = bool(self.passphrase.text() or self.repeat.text())
        if wants_new and self.passphrase.text() != self.repeat.text():
            self.passphrase_error.setText("The two passphrases differ.")
            return
        currently = self.clinic.settings.get().backups_encrypted
        if self.encrypted.isChecked() and not currently and not wants_new:
            self.passphrase_error.setText("Choose a passphrase to encrypt backups.")
            return
        try:
            self.clinic.settings.update(
                {
                    "backup_folder": self.folder.text(),
                    "backup_interval_minutes": self.interval.value(),
                    "backup_keep_daily": self.daily.value(),
                    "backup_keep_weekly": self.weekly.value(),
                    "backup_keep_monthly": self.monthly.value(),
                }
            )
            if self.encrypted.isChecked() and wants_new:
                with Busy():
                    self.clinic.backups.set_passphrase(self.passphrase.text())
            elif not self.encrypted.isChecked() and currently:
                self.clinic.backups.stop_encrypting()
        except ValidationError as exc:
            if "passphrase" in exc.errors:
                self.passphrase_error.setText("The passphrase " + exc.errors["passphrase"] + ".")
                return
            self.show_errors(exc.errors)
            return
        except UserError as exc:
            self.show_general(str(exc))
            return
        self.accept()
