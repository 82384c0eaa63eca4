"""Changes saved on another workstation appear in the window without a restart."""

from __future__ import annotations

from tests.signin import location_of, reopen_clinic
from tests.window_fixtures import register


def _watch(ui):
    watch = ui.window.start_change_watch(interval_ms=3_600_000)  # checks only when asked
    ui.wait(lambda: watch.since is not None and not watch.checking)
    return watch


def test_a_patient_registered_elsewhere_appears_and_our_own_saves_are_not_read_twice(
    ui, clinic, qtbot
):
    watch = _watch(ui)
    other = reopen_clinic(location_of(clinic))  # the reception computer
    try:
        register(other, "Bea", "Nowak", "1990-01-01")
        with qtbot.waitSignal(watch.changedElsewhere, timeout=5000):
            watch.check()
        model = ui.window.list_pane.model
        ui.wait(lambda: model.rowCount() == 1)
        assert "another computer" in ui.window.statusBar().currentMessage()
        register(clinic, "Ann", "Own", "1970-01-01")  # saved here
        with qtbot.assertNotEmitted(watch.changedElsewhere):
            watch.check()
            ui.wait(lambda: not watch.checking)
    finally:
        other.close()


def test_the_open_record_is_read_again_when_it_changed_elsewhere(ui, clinic, qtbot):
    patient = register(clinic, "Bea", "Nowak", "1990-01-01")
    ui.open_patient(patient.id)
    assert "not recorded" in ui.view.allergy_banner.text()
    watch = _watch(ui)
    other = reopen_clinic(location_of(clinic))
    try:
        other.allergies.record_none_known(patient.id)
        with qtbot.waitSignal(watch.changedElsewhere, timeout=5000):
            watch.check()
        ui.wait(lambda: "none known" in ui.view.allergy_banner.text().lower())
    finally:
        other.close()


def test_activating_the_window_looks_for_changes(ui, clinic, qtbot):
    from PySide6.QtCore import Qt

    watch = _watch(ui)
    other = reopen_clinic(location_of(clinic))
    try:
        register(other, "Bea", "Nowak", "1990-01-01")
        with qtbot.waitSignal(watch.changedElsewhere, timeout=5000):
            watch._on_application_state(Qt.ApplicationState.ApplicationActive)
    finally:
        other.close()
