"""Start the window: the QApplication, the clinic database, sign-in, the window.

``sijdesk`` with no command calls :func:`run`. A new database starts with the
first-run dialog (the first administrator, or a demonstration clinic); any
other with the sign-in dialog; no patient data is shown before that. A
database that cannot be opened (locked, read-only, from a newer release) is a
plain message, never a traceback; bugs after start-up reach the crash dialog and the
log through the installed ``sys.excepthook``.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import threading
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from sijdesk.errors import EnvironmentProblem, UserError
from sijdesk.ui import icons
from sijdesk.ui.errors import Messages, install_excepthook, report_exception
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

APP_NAME = "SIJ Desk"
ORGANISATION = "SIJDesk"
DEMO_PATIENTS = 200


def display_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why no window can be opened here, in plain words; None when one can.

    On Linux with no display server to talk to, Qt would stop the program with
    a message about its "xcb platform plugin"; this says what to do instead."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return None  # offscreen, vnc, eglfs, ...: they need no display server
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return (
        "SIJ Desk's window needs a screen, and there is none here (no DISPLAY or "
        "WAYLAND_DISPLAY: a remote shell, a service or a text console). Start SIJ Desk "
        "from the desktop, or use its commands: sijdesk --help."
    )


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named so that QSettings has a home."""
    existing = QApplication.instance()
    if existing is not None:
        assert isinstance(existing, QApplication)
        app = existing
    else:
        problem = display_problem()
        if problem is not None:
            raise EnvironmentProblem(problem)
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QGuiApplication.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(icons.action_icon("app"))
    from sijdesk.ui.fonts import install_fonts

    install_fonts(app)
    return app


class Door:
    """The dialogs between start-up and the window; tests monkeypatch these."""

    @staticmethod
    def first_run(db) -> tuple[str, object] | None:
        """("admin", SignedIn) or ("demo", None) for a new database; None if cancelled."""
        from sijdesk.ui.signin import FirstRunDialog

        dialog = FirstRunDialog(db)
        if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
            return None
        return ("demo", None) if dialog.wants_demo else ("admin", dialog.signed)

    @staticmethod
    def sign_in(opening, *, username: str = ""):
        """The SignedIn of whoever signs in; None if cancelled; OPENING_STOPPED when the
        database's opening (``opening``, perhaps still running) failed or found no
        accounts, which the caller then deals with."""
        from sijdesk.ui.signin import SignInDialog

        dialog = SignInDialog(opening, username=username)
        code = dialog.exec()
        if code == SignInDialog.OPENING_STOPPED:
            return OPENING_STOPPED
        if code != SignInDialog.DialogCode.Accepted:
            return None
        return dialog.signed

    @staticmethod
    def recover(problem: str, candidate) -> bool:
        """Offer the newest good backup for a damaged database."""
        return Messages.question(
            None,
            "The clinic database is damaged",
            f"{problem}\n\nRestore the newest good backup, a {candidate.kind} backup made "
            f"{candidate.created_at.astimezone():%Y-%m-%d %H:%M}? The damaged file is kept "
            "beside the backups.",
            default_yes=True,
        )

    @staticmethod
    def passphrase() -> str | None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        text, ok = QInputDialog.getText(
            None,
            "Backup passphrase",
            "The newest backup is encrypted. Its passphrase:",
            QLineEdit.EchoMode.Password,
        )
        return text if ok else None

    @staticmethod
    def change_password(clinic) -> bool:
        from sijdesk.ui.signin import ChangePasswordDialog

        dialog = ChangePasswordDialog(clinic, required=True)
        return dialog.exec() == ChangePasswordDialog.DialogCode.Accepted


def create_demo_data(
    clinic, *, patients: int = DEMO_PATIENTS, parent: QWidget | None = None
) -> int | None:
    """Make demo patients on a worker thread with a progress dialog; returns how many.

    The worker only writes numbers into a shared state; a timer on the GUI
    thread reads them into the dialog (workers never touch widgets).
    """
    from sijdesk.demo import create_demo_clinic

    state = {"done": 0, "total": patients, "cancel": False}
    lock = threading.Lock()

    def progress(done: int, total: int) -> bool:
        with lock:
            state["done"], state["total"] = done, total
            return not state["cancel"]

    dialog = QProgressDialog("Creating the demonstration clinic…", "Cancel", 0, patients, parent)
    dialog.setWindowTitle(APP_NAME)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)

    def on_cancel() -> None:
        with lock:
            state["cancel"] = True
        dialog.setLabelText("Stopping after the current batch…")

    dialog.canceled.connect(on_cancel)
    timer = QTimer(dialog)
    timer.setInterval(100)

    def tick() -> None:
        with lock:
            done, total = state["done"], state["total"]
        dialog.setMaximum(total)
        dialog.setValue(done)

    timer.timeout.connect(tick)
    timer.start()

    loop = QEventLoop()
    outcome: dict[str, object] = {}
    ops = Operations()

    def finished(made: int) -> None:
        outcome["made"] = made
        loop.quit()

    def failed(exc: BaseException) -> bool:
        outcome["error"] = exc
        loop.quit()
        return True

    ops.run(
        lambda: create_demo_clinic(clinic, patients=patients, progress=progress),
        on_success=finished,
        on_failure=failed,
        label="demo clinic",
    )
    dialog.show()
    loop.exec()
    timer.stop()
    dialog.close()
    dialog.deleteLater()
    ops.shutdown()
    if "error" in outcome:
        report_exception(outcome["error"], parent=parent)  # type: ignore[arg-type]
        return None
    return int(outcome.get("made", 0))  # type: ignore[call-overload]


CANCELLED = "cancelled"
# The sign-in dialog closed because opening the database failed or found no accounts.
OPENING_STOPPED = "opening stopped"


def open_clinic(args: argparse.Namespace, *, signed=None):
    """The clinic of ``--db``, signed in through the dialogs.

    Returns the Clinic; None after a plain message when the database cannot be
    opened; CANCELLED when the user closed a dialog instead of signing in.
    A new database gets the first-run dialog (its first administrator, or a
    demonstration clinic); any other the sign-in dialog, unless ``signed``
    already says who signed in (at the lock screen of the previous window).

    The database is opened on a thread (DatabaseOpening). For a clinic file that
    exists, the sign-in dialog is shown at once, while it opens: on a big clinic
    the damage check reads the whole file, which the user's typing now hides.
    """
    from sijdesk.db.opening import DatabaseOpening
    from sijdesk.db.preflight import known_file

    db_path, db_url = getattr(args, "db", None), getattr(args, "db_url", None)
    username = getattr(args, "user", None) or ""
    if db_path and db_url:
        Messages.warning(
            None,
            "SIJ Desk cannot open the clinic database",
            "Give either --db (a SQLite file) or --db-url, not both.",
        )
        return None
    opening = DatabaseOpening(db_url or db_path)
    if signed is None and known_file(db_path, db_url) is not None:
        signed = Door.sign_in(opening, username=username)
        if signed is None:
            # Waits for the opening: a migration (and the backup before it) that it
            # began must not be cut off by the program ending.
            opening.close()
            return CANCELLED
        if signed is OPENING_STOPPED:
            signed = None
    try:
        opened = opening.result()
    except BaseException as exc:  # noqa: BLE001 - each kind is reported below
        return _report_opening_failure(exc, opening.location, args, signed)
    return _door(opened, args, signed, username)


def _report_opening_failure(exc: BaseException, location, args, signed):
    """Say why the clinic database could not be opened; None, or the clinic when a
    restored backup or another database was opened instead."""
    from sijdesk.db.engine import is_server_address
    from sijdesk.db.preflight import DatabaseDamaged

    if isinstance(exc, DatabaseDamaged):
        log.warning("the clinic database is damaged")
        if _recover_from_backup(exc):
            return open_clinic(args, signed=signed)
        return None
    if isinstance(exc, EnvironmentProblem):
        log.warning("cannot open the clinic database: %s", exc)
        title = "SIJ Desk cannot open the clinic database"
        if not is_server_address(location):
            Messages.warning(None, title, str(exc))
            return None
        # A server comes back (switched on, network restored), or has moved.
        answer = Messages.choose(
            None, title, str(exc), ["Try again", "Change the database…", "Quit"]
        )
        if answer == 1:
            from sijdesk.ui.database_dialog import DatabaseDialog

            DatabaseDialog().exec()
        if answer in (0, 1):
            return open_clinic(args, signed=signed)
        return None
    if isinstance(exc, UserError):
        log.warning("cannot open the clinic database: %s", exc)
        Messages.warning(None, "SIJ Desk cannot open the clinic database", str(exc))
        return None
    raise exc


def _door(opened, args, signed, username: str):
    """The clinic of an open database once someone has signed in (or set it up)."""
    from sijdesk.db.opening import DatabaseOpening
    from sijdesk.demo import DEMO_ADMIN, DEMO_PASSWORD
    from sijdesk.services import AccountService, Clinic

    db = opened.database
    try:
        accounts = AccountService(db)
        if signed is not None:
            pass
        elif opened.setup_needed:
            choice = Door.first_run(db)
            if choice is None:
                db.dispose()
                return CANCELLED
            kind, signed = choice
            if kind == "demo":
                signed = accounts.initialise(
                    username=DEMO_ADMIN,
                    password=DEMO_PASSWORD,
                    display_name="Clinic administrator",
                    also_clinician=True,
                    is_demo=True,
                )
                clinic = Clinic.signed_in(db, signed)
                create_demo_data(clinic)
                return clinic
        else:
            signed = Door.sign_in(DatabaseOpening.finished(opened), username=username)
            if signed is None or signed is OPENING_STOPPED:
                db.dispose()
                return CANCELLED
        clinic = Clinic.signed_in(db, signed)
        if clinic.must_change_password and not Door.change_password(clinic):
            clinic.session.sign_out()
            db.dispose()
            return CANCELLED
        return clinic
    except UserError as exc:
        db.dispose()
        log.warning("cannot sign in: %s", exc)
        Messages.warning(None, "SIJ Desk", str(exc))
        return None
    except BaseException:
        db.dispose()
        raise


def _recover_from_backup(damage) -> bool:
    """A damaged database at start: offer the newest good backup; True once restored."""
    from sijdesk.backup import newest_good_backup
    from sijdesk.paths import backup_dir
    from sijdesk.services.backups import restore_clinic
    from sijdesk.ui.backups_ui import run_with_progress

    folder = backup_dir()
    candidate = newest_good_backup(folder)
    if candidate is None:
        Messages.warning(
            None,
            "The clinic database is damaged",
            f"{damage}\n\nNo backup was found in {folder}. Copy a backup file there, or ask "
            "for help; the damaged file was not changed.",
        )
        return False
    if not Door.recover(str(damage), candidate):
        return False
    passphrase = None
    if candidate.encrypted:
        passphrase = Door.passphrase()
        if not passphrase:
            return False
    try:
        run_with_progress(
            None,
            "Restoring the newest good backup…",
            lambda _progress: restore_clinic(
                damage.path, candidate.path, passphrase=passphrase, pre_restore_folder=folder
            ),
        )
    except UserError as exc:
        Messages.warning(None, "Restore from a backup", f"{exc}\n\nThe database was not changed.")
        return False
    Messages.info(
        None,
        "Restore from a backup",
        f"The clinic database was restored from the backup of "
        f"{candidate.created_at.astimezone():%Y-%m-%d %H:%M}. Anything recorded after it must "
        "be entered again. The damaged file is kept beside the backups.",
    )
    return True


def _restore_then_sign_in_again(clinic, request) -> None:
    """Close the database, restore the chosen backup, say what happened."""
    from sijdesk.ui.backups_ui import perform_restore

    database = clinic.db.path
    clinic.close()
    try:
        message = perform_restore(request, database)
    except UserError as exc:
        Messages.warning(None, "Restore from a backup", f"{exc}\n\nThe database was not changed.")
        return
    Messages.info(None, "Restore from a backup", message)


def freeze_startup_objects() -> None:
    """Set every object alive now (modules, the window's widgets and their wrappers,
    some 100,000 at a 100,000-patient clinic) aside from the garbage collector.

    Its full collections come every few hundred thousand allocations, and opening a
    patient allocates many; each scanned all of these for nothing: 84 ms of frozen
    window at 100,000 patients, 8-17 ms once they are set aside. The few cycles of
    start-up garbage this keeps are never freed: a small, fixed cost.
    """
    gc.freeze()


def exec_application(app: QApplication) -> int:
    """Run the event loop until the window closes (tests replace this)."""
    return int(app.exec())


def run(args: argparse.Namespace) -> int:
    """Open the window; returns the exit status."""
    app = create_application()
    install_excepthook()
    signed = None
    while True:
        clinic = open_clinic(args, signed=signed)
        signed = None
        if clinic is None:
            return 3
        if clinic is CANCELLED:
            return 0
        try:
            from sijdesk.ui.main_window import MainWindow

            window = MainWindow(clinic)
            window.start_idle_lock(clinic.settings.get().idle_lock_minutes)
            window.start_change_watch()
            window.backups.start()
            window.show()
            freeze_startup_objects()
            # An administrator with an empty letterhead is asked to fill it in.
            QTimer.singleShot(0, window.documents.offer_first_run)
            status = exec_application(app)
            restore = window.backups.restore_request
            if restore is None:
                window.backups.closing_backup()
            try:
                clinic.session.sign_out()
            except UserError as exc:  # the audit of signing out must not stop the exit
                log.warning("could not record the sign-out: %s", exc)
            if restore is not None:
                _restore_then_sign_in_again(clinic, restore)
                args = argparse.Namespace(**{**vars(args), "user": None})
                window.deleteLater()
                continue
            if window.switch_to is not None:
                # Another user signed in at the lock screen.
                signed = window.switch_to
            elif not window.signed_out:
                return status
            # "Sign out": the next user signs in (the username is not carried over).
            args = argparse.Namespace(**{**vars(args), "user": None})
            window.deleteLater()
        finally:
            clinic.close()


__all__ = ["create_application", "create_demo_data", "run"]
