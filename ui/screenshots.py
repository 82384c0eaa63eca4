"""Render the main screens of a fresh demo clinic to PNG (offscreen), for looking at them.

    .venv/bin/python -m sijdesk.ui.screenshots --out resources/screenshots

Makes a demonstration clinic in a temporary folder, opens the main window at
1366 x 768 and saves:

- ``main_injection.png``: a patient whose episode advises an injection;
- ``main_red_flag.png``: the red-flag patient (urgent referral);
- ``main_fusion.png``: an episode closed by an SIJ fusion;
- ``panel_injection_full.png``: the whole step panel of that patient (scrolled content);
- ``form_assessment.png``: the assessment form, partly filled in;
- ``form_outcome.png``: the outcome form with NRS and ODI sections;
- ``form_override.png``: overriding the advice;
- ``form_new_patient.png``: registration with a validation message.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def wait(app, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if condition():
            # let layouts settle and paint
            for _ in range(5):
                app.processEvents()
                time.sleep(0.02)
            return
        time.sleep(0.01)
    raise TimeoutError("the window did not settle in time")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder for the PNG files")
    parser.add_argument("--patients", type=int, default=200)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    tmp = Path(tempfile.mkdtemp(prefix="sijdesk-screens-"))
    os.environ["SIJDESK_HOME"] = str(tmp)

    from PySide6.QtCore import QSettings

    from sijdesk.demo import create_demo_clinic, new_demo_clinic
    from sijdesk.ui.app import create_application
    from sijdesk.ui.errors import Messages
    from sijdesk.ui.forms import OutcomeDialog
    from sijdesk.ui.main_window import MainWindow

    app = create_application(["render_screens"])
    messages: list[str] = []
    Messages.info = staticmethod(lambda parent, title, text: messages.append(text))  # type: ignore[method-assign]
    Messages.warning = staticmethod(lambda parent, title, text: messages.append(text))  # type: ignore[method-assign]
    Messages.question = staticmethod(lambda *a, **k: True)  # type: ignore[method-assign]

    clinic = new_demo_clinic(str(tmp / "clinic.sqlite3"))
    create_demo_clinic(clinic, patients=args.patients)

    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(clinic, settings)
    window.resize(1366, 768)
    window.show()
    view, panel = window.patient_view, window.step_panel

    def settled() -> bool:
        return not window.ops.busy and not view.loading and not panel.loading

    wait(app, settled)

    def show_record(number: str) -> None:
        patient = clinic.patients.get_by_record_number(number)
        window.open_patient(patient.id)
        wait(app, lambda: settled() and view.patient is not None and view.patient.id == patient.id)

    def open_record(number: str, name: str) -> None:
        show_record(number)
        window.grab().save(str(out / name))
        print(out / name)

    # the most recent entries show in the Recent list
    for number in ("000002", "000003"):
        show_record(number)

    open_record("000009", "main_fusion.png")
    open_record("000006", "main_red_flag.png")
    open_record("000003", "main_injection.png")
    # The whole advice document, as tall as it needs to be.
    view_height = panel.advice_view.height()
    panel.advice_view.setFixedHeight(int(panel.advice_view.document().size().height()) + 8)
    panel.advice_view.grab().save(str(out / "panel_injection_full.png"))
    panel.advice_view.setMinimumHeight(0)
    panel.advice_view.setMaximumHeight(16777215)
    panel.advice_view.resize(panel.advice_view.width(), view_height)
    print(out / "panel_injection_full.png")

    # the assessment form, partly filled in
    dialog = view.record("assessment")
    assert dialog is not None
    dialog.fields["pain_region"].set_value("below_belt")
    dialog.fields["pain_sites"].set_value(["buttock", "posterior_thigh"])
    dialog.fields["functional"].set_value(["locked_up", "weakness"])
    for test, value in (("distraction", True), ("thigh_thrust", True), ("compression", False)):
        dialog.fields[test].set_value(value)
    dialog.fields["nicotine"].set_value(False)
    dialog.fields["findings"].set_value("Deep right buttock ache, worse rising from a chair.")
    wait(app, lambda: True)
    dialog.grab().save(str(out / "form_assessment.png"))
    print(out / "form_assessment.png")
    dialog.close_without_asking()

    dialog = view.record("outcome")
    assert isinstance(dialog, OutcomeDialog)
    dialog.nrs.setText("11")
    dialog.odi.set_value([2, 1, 3, 2, 3, 2, 1, None, 2, 2])
    wait(app, lambda: True)
    dialog.grab().save(str(out / "form_outcome.png"))
    print(out / "form_outcome.png")
    dialog.close_without_asking()

    override = panel.open_override()
    assert override is not None
    override.reason.setPlainText("Patient prefers to continue physiotherapy for 4 more weeks.")
    wait(app, lambda: True)
    override.grab().save(str(out / "form_override.png"))
    print(out / "form_override.png")
    override.close_without_asking()

    new = window.new_patient()
    new.fields["family_name"].setText("Nguyễn")
    new.fields["date_of_birth"].setText("1990-02-30")
    wait(app, lambda: True)
    new.grab().save(str(out / "form_new_patient.png"))
    print(out / "form_new_patient.png")
    new.close_without_asking()

    window.close()
    clinic.close()
    if messages:
        print("messages shown:", *messages, sep="\n  ", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
