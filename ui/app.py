"""Start the window: the QApplication, the clinic database, demo data on request, the window.

``sijdesk`` with no command calls :func:`run`. A database that cannot be
opened (locked, read-only, from a newer release, an unknown user) is a plain
message, never a traceback; bugs after start-up reach the crash dialog and the
log through the installed ``sys.excepthook``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from sijdesk.errors import UserError
from sijdesk.ui import icons
from sijdesk.ui.errors import Messages, install_excepthook, report_exception
from sijdesk.ui.workers import Operations

log = logging.getLogger(__name__)

APP_NAME = "SIJ Desk"
ORGANISATION = "SIJDesk"
DEMO_PATIENTS = 200


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, named so that QSettings has a home."""
    existing = QApplication.instance()
    if existing is not None:
        assert isinstance(existing, QApplication)
        app = existing
    else:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANISATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QGuiApplication.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(icons.action_icon("app"))
    return app


class DemoOffer:
    """Tests monkeypatch :meth:`ask`."""

    @staticmethod
    def ask(parent: QWidget | None) -> bool:
        return Messages.question(
            parent,
            "Empty clinic database",
            "This clinic database has no patients yet.\n\nFill it with a demonstration clinic "
            f"of {DEMO_PATIENTS} fictional patients, to try SIJ Desk out? Choose No to start "
            "with an empty database for real patients.",
        )


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


def open_clinic(args: argparse.Namespace):
    """The clinic of ``--db`` as ``--user``; None (after a plain message) when it cannot open."""
    from sijdesk.services import Clinic

    try:
        return Clinic.open(getattr(args, "db", None), username=getattr(args, "user", None))
    except UserError as exc:
        log.warning("cannot open the clinic database: %s", exc)
        Messages.warning(None, "SIJ Desk cannot open the clinic database", str(exc))
        return None


def exec_application(app: QApplication) -> int:
    """Run the event loop until the window closes (tests replace this)."""
    return int(app.exec())


def run(args: argparse.Namespace) -> int:
    """Open the window; returns the exit status."""
    app = create_application()
    install_excepthook()
    clinic = open_clinic(args)
    if clinic is None:
        return 3
    try:
        try:
            empty = clinic.patients.count(include_archived=True) == 0
        except UserError as exc:
            Messages.warning(None, "SIJ Desk", str(exc))
            return 3
        if empty and DemoOffer.ask(None):
            create_demo_data(clinic)
        from sijdesk.ui.main_window import MainWindow

        window = MainWindow(clinic)
        window.show()
        # An administrator with an empty letterhead is asked to fill it in.
        QTimer.singleShot(0, window.documents.offer_first_run)
        return exec_application(app)
    finally:
        clinic.close()


__all__ = ["create_application", "create_demo_data", "run"]
