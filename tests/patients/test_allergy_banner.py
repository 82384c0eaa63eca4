"""The allergy banner in the patient header: three states, told apart in words."""

from __future__ import annotations

from tests.window_fixtures import register

LATEX = {"substance": "latex", "kind": "allergy", "reaction": "rash", "severity": "moderate"}


def _banner(ui):
    return ui.view.allergy_banner


def test_the_banner_says_not_recorded_until_someone_asks(ui, clinic):
    patient = register(clinic, "Zoë", "Łukasiewicz", "1972-03-14")
    ui.open_patient(patient.id)
    banner = _banner(ui)
    assert banner.isVisible()
    assert "Allergies: not recorded" in banner.text()
    assert banner.accessibleName() == "Allergies"
    assert banner.accessibleDescription().startswith("Allergies: not recorded.")


def test_none_known_and_a_list_are_shown_and_described(ui, clinic):
    calm = register(clinic, "Henrik", "Sæther", "1961-09-30")
    clinic.allergies.record_none_known(calm.id)
    allergic = register(clinic, "芳", "王", "1968-11-20")
    clinic.allergies.record(allergic.id, LATEX)

    ui.open_patient(calm.id)
    assert _banner(ui).accessibleDescription() == "Allergies: none known (recorded 2026-11-29)."
    assert "ALLERGIES" not in _banner(ui).text()

    ui.open_patient(allergic.id)
    text = _banner(ui).text()
    assert "<b>ALLERGIES:</b>" in text and "<b>Latex</b>: allergy, moderate; rash" in text
    assert _banner(ui).accessibleDescription() == "Allergies: Latex: allergy, moderate; rash."
    # Distinct from the red-flag and override banner, which stays hidden here.
    assert not ui.view.banner.isVisible()


def test_reception_sees_the_allergy_banner(qtbot, clinic, settings):
    from sijdesk.ui.main_window import MainWindow
    from tests.signin import add_user
    from tests.window_fixtures import Ui

    patient = register(clinic, "Amara", "Okonkwo-Bennett", "1979-05-08")
    clinic.allergies.record(patient.id, LATEX)
    reception = add_user(clinic, "desk", "Front Desk", "reception")
    window = MainWindow(reception, settings)
    qtbot.addWidget(window)
    window.show()
    ui = Ui(qtbot, window)
    ui.wait_idle()
    ui.open_patient(patient.id)
    assert "Latex" in ui.view.allergy_banner.text()
    assert not ui.view.clinical_access
    window.close()
