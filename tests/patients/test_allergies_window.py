"""Recording allergies in the window: the list, the form, amend and remove."""

from __future__ import annotations

from tests.window_fixtures import register

LIDOCAINE = {"substance": "local_anaesthetic", "substance_text": "lidocaine", "kind": "allergy"}


def _open_allergies(ui, patient):
    ui.open_patient(patient.id)
    assert ui.view.allergies_button.isVisible()
    dialog = ui.view.edit_allergies()
    ui.qtbot.waitUntil(lambda: not dialog.loading)
    return dialog


def test_a_clinician_records_an_allergy_and_the_banner_shows_it(ui, clinic):
    patient = register(clinic, "Amara", "Okonkwo-Bennett", "1979-05-08")
    dialog = _open_allergies(ui, patient)
    assert dialog.status_label.text() == "Allergies: not recorded."
    form = dialog.add()
    assert not form.save_button.isEnabled()  # no substance chosen yet
    form.fields["substance"].set_value("other")
    form.revalidate()
    assert "name the substance" in form.error_labels["substance_text"].text()
    form.fields["substance"].set_value("local_anaesthetic")
    form.fields["substance_text"].setText("lidocaine")
    form.fields["severity"].set_value("severe")
    form.fields["reaction"].set_value("hives and wheeze")
    saved = ui.save(form)
    assert saved.description == "Local anaesthetic (lidocaine): allergy, severe; hives and wheeze"
    ui.wait(lambda: "lidocaine" in ui.view.allergy_banner.text())
    ui.qtbot.waitUntil(lambda: dialog.list.count() == 1)
    assert "recorded by Clinic administrator" in dialog.list.item(0).text()
    assert not dialog.none_button.isEnabled()


def test_no_known_allergies_from_the_dialog(ui, clinic):
    patient = register(clinic, "Henrik", "Sæther", "1961-09-30")
    dialog = _open_allergies(ui, patient)
    dialog.none_button.click()
    ui.wait(lambda: "none known" in ui.view.allergy_banner.text())
    assert clinic.allergies.status(patient.id).state == "none_known"
    ui.qtbot.waitUntil(lambda: dialog.list.count() == 1)
    assert not dialog.amend_button.isEnabled()  # the statement is not amended by hand


def test_amending_needs_a_reason_and_resolving_clears_the_banner(ui, clinic):
    patient = register(clinic, "Zoë", "Łukasiewicz", "1972-03-14")
    clinic.allergies.record(patient.id, LIDOCAINE)
    dialog = _open_allergies(ui, patient)
    form = dialog.amend()
    assert form.fields["substance_text"].value() == "lidocaine"
    form.fields["active"].set_value(False)
    form.revalidate()
    assert "Reason" in form.status.text() and not form.save_button.isEnabled()
    form.fields["reason"].set_value("tolerated lidocaine at the dentist")
    amended = ui.save(form)
    assert (amended.version, amended.active) == (2, False)
    ui.wait(lambda: "not recorded" in ui.view.allergy_banner.text())


def test_entered_in_error_removes_it_with_a_reason(ui, clinic):
    patient = register(clinic, "François", "Nguyễn", "1985-07-02")
    clinic.allergies.record(patient.id, LIDOCAINE)
    dialog = _open_allergies(ui, patient)
    form = dialog.remove()
    assert not form.save_button.isEnabled()
    form.reason.setPlainText("recorded on the wrong patient")
    removed = ui.save(form)
    assert removed.entered_in_error
    ui.qtbot.waitUntil(lambda: dialog.list.count() == 0)
    assert clinic.allergies.history(removed.id)[-1].amendment_reason == (
        "recorded on the wrong patient"
    )


def test_reception_has_no_allergies_button(qtbot, clinic, settings):
    from sijdesk.ui.main_window import MainWindow
    from tests.signin import add_user
    from tests.window_fixtures import Ui

    patient = register(clinic, "Amara", "Okonkwo-Bennett", "1979-05-08")
    reception = add_user(clinic, "desk", "Front Desk", "reception")
    window = MainWindow(reception, settings)
    qtbot.addWidget(window)
    window.show()
    ui = Ui(qtbot, window)
    ui.wait_idle()
    ui.open_patient(patient.id)
    assert ui.view.allergy_banner.isVisible()
    assert not ui.view.allergies_button.isVisible()
    assert not window.act_allergies.isEnabled()
    assert ui.view.edit_allergies() is None
    window.close()
