"""A form saved after someone else saved the same record: refused, explained,
reloaded with the user's own changes on top, and saved on the second try."""

from __future__ import annotations

from sijdesk.ui.contacts_window import ContactDialog
from tests.patients.test_contacts import MENSAH
from tests.signin import add_user
from tests.window_fixtures import register


def test_the_patient_form_shows_the_other_change_and_keeps_mine(ui, clinic, messages):
    desk = add_user(clinic, "recep", "Front Desk", "reception")
    patient = register(clinic, "Zoë", "Łukasiewicz", "1972-03-14", phone="+44 7700 900123")
    ui.open_patient(patient.id)
    dialog = ui.view.edit_patient()
    dialog.fields["address"].set_value("1 New Street\nRiverside")
    # Meanwhile reception corrects the phone number on their own computer.
    desk.patients.update(patient.id, {"phone": "+44 7700 900999"})
    assert ui.save(dialog) is None  # refused: the form stays open
    warning = messages.texts_of("warning")[-1]
    assert "Front Desk saved this patient's details after you opened it" in warning
    assert "(they changed: phone)" in warning and "save again" in warning
    assert dialog.fields["phone"].value() == "+44 7700 900999"  # their change, shown
    assert dialog.fields["address"].value() == "1 New Street\nRiverside"  # mine, kept
    assert clinic.patients.get(patient.id).address == ""
    saved = ui.save(dialog)
    assert (saved.phone, saved.address) == ("+44 7700 900999", "1 New Street\nRiverside")


def test_the_contact_form_shows_the_other_change_and_keeps_mine(qtbot, clinic):
    desk = add_user(clinic, "recep", "Front Desk", "reception")
    gp = clinic.contacts.create(MENSAH)
    dialog = ContactDialog(clinic, gp)
    qtbot.addWidget(dialog)
    dialog.practice.setText("Riverside Health")
    desk.contacts.update(gp.id, {"phone": "01632 960 111"})
    dialog.try_save()
    assert dialog.result() != ContactDialog.DialogCode.Accepted
    assert "Front Desk saved this contact after you opened it" in dialog.general_error.text()
    assert dialog.phone.text() == "01632 960 111"
    assert dialog.practice.text() == "Riverside Health"
    dialog.try_save()
    assert dialog.result() == ContactDialog.DialogCode.Accepted
    now = clinic.contacts.get(gp.id)
    assert (now.phone, now.practice) == ("01632 960 111", "Riverside Health")
