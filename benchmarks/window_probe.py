"""The window's side of the benchmark suite, run by benchmarks/suite.py in a fresh process.

    python benchmarks/window_probe.py start --db CLINIC    # prints READY when usable
    python benchmarks/window_probe.py start --db CLINIC --typed-later
    python benchmarks/window_probe.py full --db CLINIC --facts FACTS.json

``start`` goes through the door as ``sijdesk`` does: the database opening on its
thread, the sign-in dialog shown (it prints DOOR once painted), the password
given at once (no typing time to hide the opening in: the worst case), then the
main window, and READY once the patient list's first page is painted: the
parent times both lines from launching the process. With ``--typed-later`` the
password waits for the database to be open, as when a user types it, and the
probe prints SIGNED_IN_TO_LIST with the milliseconds from the password given to
the list painted. ``full`` then measures, in the real
window: each kind of search from the query applied to its rows painted, opening
the long-history patients (header, timeline, chart and step panel painted), peak
memory with the list open, memory growth over opening many patients, and the
longest time the event loop was kept from running (a 10 ms watchdog timer). It
prints one JSON line. ``bare`` is the floor: a PySide6 window shown and quit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def bare() -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    window.repaint()
    print("READY", flush=True)
    window.close()
    return 0


class Watchdog:
    """The longest gap between ticks of a 10 ms timer, less the 10 ms: how long the
    event loop was kept from running (a frozen window, as a user would feel it)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.longest = 0.0
        self.phase = "start"  # what the probe was doing, to say where the longest block was
        self.longest_phase = ""
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        blocked = (now - self._last) * 1000 - 10
        if blocked > self.longest:
            self.longest, self.longest_phase = blocked, self.phase
        self._last = now


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Run the event loop until ``condition`` holds (checked every millisecond)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    poll = QTimer()
    poll.setInterval(1)

    def check() -> None:
        if condition() or time.monotonic() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError("the window did not settle in time")


def rss_mb() -> float:
    """Resident memory now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    """This process's highest resident memory so far (Linux), in MB. Not getrusage:
    its ru_maxrss carries over the parent's peak through fork and exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e3
    return 0.0


def open_window(database: str, user: str, password: str, home: Path):
    from PySide6.QtCore import QSettings

    from sijdesk.services import Clinic
    from sijdesk.ui.app import create_application, freeze_startup_objects
    from sijdesk.ui.main_window import MainWindow

    app = create_application()
    clinic = Clinic.sign_in(database, username=user, password=password)
    settings = QSettings(str(home / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(clinic, settings)
    window.resize(1366, 768)
    window.show()
    freeze_startup_objects()  # as sijdesk.ui.app.run does
    return app, clinic, window


def through_the_door(
    database: str, user: str, password: str, home: Path, *, typed_later: bool = False
):
    """As ``sijdesk`` starts: the sign-in dialog while the database opens, then the
    window of whoever signed in. Prints DOOR when the dialog is painted.
    ``typed_later``: the password is given only once the database is open, as when
    a user types it (the time from then on is kept in ``SIGNING_IN``)."""
    from PySide6.QtCore import QSettings

    from sijdesk.db.opening import DatabaseOpening
    from sijdesk.ui.app import create_application, freeze_startup_objects
    from sijdesk.ui.signin import SignInDialog

    app = create_application()
    opening = DatabaseOpening(database)
    dialog = SignInDialog(opening, username=user)
    dialog.show()
    app.processEvents()
    dialog.repaint()
    print("DOOR", flush=True)
    if typed_later:
        wait_until(opening.done)
    SIGNING_IN.append(time.perf_counter())
    dialog.password.setText(password)
    dialog.try_sign_in()  # waits for the opening if it is not over yet
    wait_until(lambda: dialog.result() == SignInDialog.DialogCode.Accepted)
    from sijdesk.services import Clinic
    from sijdesk.ui.main_window import MainWindow

    clinic = Clinic.signed_in(opening.result().database, dialog.signed)
    dialog.deleteLater()
    settings = QSettings(str(home / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(clinic, settings)
    window.resize(1366, 768)
    window.show()
    freeze_startup_objects()  # as sijdesk.ui.app.run does
    return app, clinic, window


SIGNING_IN: list[float] = []  # when the password was given (through_the_door)


def idle(window) -> bool:
    return not (
        window.ops.busy
        or window.patient_view.loading
        or window.step_panel.loading
        or window.list_pane.model.loading
    )


def list_shown(window) -> bool:
    model = window.list_pane.model
    return idle(window) and model.rowCount() > 0 and model.patient_at(0) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("start", "full", "bare"))
    parser.add_argument("--db")
    parser.add_argument("--user", default="clin.long")
    parser.add_argument("--password", default="")
    parser.add_argument("--facts", help="the clinic's facts (suite.py): long-history ids")
    parser.add_argument("--queries", default="{}", help="JSON: kind -> query")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--opens", type=int, default=500)
    parser.add_argument(
        "--typed-later",
        action="store_true",
        help="start: give the password once the database is open (as a user typing)",
    )
    args = parser.parse_args(argv)
    if args.mode == "bare":
        return bare()
    from sijdesk.db import preflight

    preflight.start_early_check(args.db, None)  # as `sijdesk` does before loading the window
    home = Path(os.environ.get("SIJDESK_HOME", "."))
    if args.mode == "start":
        opened = through_the_door(
            args.db, args.user, args.password, home, typed_later=args.typed_later
        )
    else:
        opened = open_window(args.db, args.user, args.password, home)
    app, clinic, window = opened
    watchdog = Watchdog()
    wait_until(lambda: list_shown(window))
    window.list_pane.table.viewport().repaint()
    if SIGNING_IN:
        print(f"SIGNED_IN_TO_LIST {(time.perf_counter() - SIGNING_IN[0]) * 1000:.2f}")
    print("READY", flush=True)
    if args.mode == "start":
        window.close()
        clinic.close()
        return 0
    results: dict[str, list[float]] = {}
    results["peak memory with the list open"] = [peak_rss_mb()]
    pane = window.list_pane
    for kind, query in json.loads(args.queries).items():
        watchdog.phase = f"search: {kind}"
        times = []
        for run in range(args.runs + 1):
            pane.search_now("")  # back to the whole list between runs
            wait_until(lambda: list_shown(window))
            # Painted before the next search starts, as between a user's keystrokes;
            # else that paint ran on the clock of the search timed next.
            app.processEvents()
            started = time.perf_counter()
            pane.search_now(query)
            wait_until(lambda q=query: pane.model.query == q and idle(window))
            if pane.model.rowCount():
                wait_until(lambda: pane.model.patient_at(0) is not None)
            pane.table.viewport().repaint()
            if run:  # the first is a warm-up
                times.append((time.perf_counter() - started) * 1000)
        results[f"search (window): {kind}"] = times
    facts = json.loads(Path(args.facts).read_text()) if args.facts else {"heavy": {}}
    view = window.patient_view
    other = clinic.patients.search(limit=1)[0].id  # opened between runs
    for events, ids in facts["heavy"].items():
        watchdog.phase = f"opening the patient of {events} events"
        times = []
        for run in range(args.runs + 1):
            window.open_patient(other)
            wait_until(
                lambda: view.patient is not None and view.patient.id == other and idle(window)
            )
            started = time.perf_counter()
            window.open_patient(ids["patient_id"])
            wait_until(
                lambda ids=ids: (
                    view.patient is not None
                    and view.patient.id == ids["patient_id"]
                    and idle(window)
                )
            )
            window.repaint()
            if run:
                times.append((time.perf_counter() - started) * 1000)
        results[f"open a patient of {events} events (window)"] = times
    # Memory over many patients opened one after another (each replaces the last).
    watchdog.phase = "opening patients one after another"
    ids = [p.id for p in clinic.patients.search(limit=args.opens)]
    before = None
    for number, patient_id in enumerate(ids):
        window.open_patient(patient_id)
        wait_until(
            lambda pid=patient_id: (
                view.patient is not None and view.patient.id == pid and idle(window)
            )
        )
        if number == min(49, len(ids) - 1):
            before = rss_mb()  # after the first caches and pools have filled
    results[f"memory growth over {len(ids)} patients opened"] = [rss_mb() - (before or rss_mb())]
    results["longest event-loop block"] = [max(0.0, watchdog.longest)]
    notes = {"longest event-loop block": f"while {watchdog.longest_phase}"}
    print(json.dumps({"figures": results, "notes": notes}), flush=True)
    window.close()
    clinic.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
