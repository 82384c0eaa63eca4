"""A patient's family doctor and referrer, chosen from the address book in the
patient dialog and shown in the patient header."""

from __future__ import annotations

from PySide6.QtGui import QAccessible

from tests.patients.test_contacts import MENSAH, WOJCIK
from tests.window_fixtures import register

BOATENG = {"name": "Dr Kwame Boateng", "role": "gp", "practice": "Mill Lane Surgery"}


def _fill_new_patient(dialog) -> None:
    dialog.fields["family_name"].setText("Okonkwo")
    dialog.fields["given_names"].setText("Adaeze")
    dialog.fields["date_of_birth"].setText("1981-06-02")


def test_a_new_patient_gets_a_gp_and_a_referrer_from_the_address_book(ui, clinic):
    gp = clinic.contacts.create(MENSAH)
    surgeon = clinic.contacts.create(WOJCIK)
    dialog = ui.window.new_patient()
    picker = dialog.fields["gp_contact_id"]
    offered = [picker.combo.itemData(i) for i in range(picker.combo.count())]
    assert offered == [None, gp.id]  # only GPs for the GP
    referrer = dialog.fields["referrer_contact_id"]
    assert [referrer.combo.itemText(i) for i in range(referrer.combo.count())] == [
        "Not recorded",
        "Dr Harriet Mensah, Riverside Medical Centre (Family doctor (GP))",
        "Mr Tomasz Wójcik, Riverside General (Spine surgeon)",
    ]
    _fill_new_patient(dialog)
    picker.set_value(gp.id)
    referrer.set_value(surgeon.id)
    ui.qtbot.waitUntil(dialog.save_button.isEnabled)
    saved = ui.save(dialog)
    assert (saved.gp_contact_id, saved.referrer_contact_id) == (gp.id, surgeon.id)
    ui.wait(lambda: ui.view.patient is not None and ui.view.patient.id == saved.id)
    doctors = ui.view.doctors_label.text()
    assert "GP: Dr Harriet Mensah, Riverside Medical Centre" in doctors
    assert "+44 1632 960 100" in doctors
    assert "Referred by: Mr Tomasz Wójcik, Riverside General" in doctors


def test_a_header_says_when_no_gp_is_recorded(ui, clinic):
    patient = register(clinic, "Adaeze", "Okonkwo", "1981-06-02")
    ui.open_patient(patient.id)
    assert ui.view.doctors_label.text() == "GP: not recorded"


def test_changing_the_gp_is_saved_and_a_retired_gp_stays_until_changed(ui, clinic):
    old = clinic.contacts.create(MENSAH)
    new = clinic.contacts.create(BOATENG)
    patient = register(clinic, "Adaeze", "Okonkwo", "1981-06-02", gp_contact_id=old.id)
    clinic.contacts.set_active(old.id, False)
    ui.open_patient(patient.id)
    assert "Dr Harriet Mensah" in ui.view.doctors_label.text()
    dialog = ui.view.edit_patient()
    picker = dialog.fields["gp_contact_id"]
    assert picker.value() == old.id
    assert picker.combo.currentText().endswith("(retired)")
    assert not dialog.is_dirty()
    picker.set_value(new.id)
    ui.qtbot.waitUntil(dialog.save_button.isEnabled)
    saved = ui.save(dialog)
    assert saved.gp_contact_id == new.id
    ui.wait(lambda: "Dr Kwame Boateng" in ui.view.doctors_label.text())
    # Once another is chosen, the retired GP is no longer offered.
    again = ui.view.edit_patient()
    combo = again.fields["gp_contact_id"].combo
    assert [combo.itemData(i) for i in range(combo.count())] == [None, new.id]
    again.close_without_asking()


def test_a_gp_added_from_the_patient_dialog_is_chosen(ui, clinic):
    dialog = ui.window.new_patient()
    added = dialog.add_contact("gp_contact_id")
    assert added.role.currentData() == "gp"
    added.name.setText("Dr Kwame Boateng")
    added.practice.setText("Mill Lane Surgery")
    added.try_save()
    picker = dialog.fields["gp_contact_id"]
    assert picker.combo.currentText() == "Dr Kwame Boateng, Mill Lane Surgery"
    assert [c.name for c in clinic.contacts.all_contacts(role="gp")] == ["Dr Kwame Boateng"]
    # the referrer list offers the new contact too, without choosing it
    referrer = dialog.fields["referrer_contact_id"]
    assert referrer.combo.count() == 2 and referrer.value() is None


def test_an_older_free_text_referrer_is_shown_until_a_contact_is_chosen(ui, clinic):
    patient = register(
        clinic, "Adaeze", "Okonkwo", "1981-06-02", referring_practitioner="Dr Old Note"
    )
    ui.open_patient(patient.id)
    assert "Referred by: Dr Old Note" in ui.view.doctors_label.text()
    dialog = ui.view.edit_patient()
    assert "Dr Old Note" in dialog.earlier_referrer.text()
    dialog.close_without_asking()


def test_the_allergy_banner_tells_screen_readers_when_another_patient_opens(
    ui, clinic, monkeypatch
):
    sent = []

    def record(event):
        sent.append((event.type(), event.object()))

    monkeypatch.setattr(QAccessible, "updateAccessibility", staticmethod(record))
    first = register(clinic, "Adaeze", "Okonkwo", "1981-06-02")
    second = register(clinic, "Bea", "Nowak", "1990-01-01")
    clinic.allergies.record_none_known(second.id)
    ui.open_patient(first.id)
    banner = ui.view.allergy_banner
    assert (QAccessible.Event.DescriptionChanged, banner) in sent
    assert banner.accessibleDescription().startswith("Allergies: not recorded")
    sent.clear()
    ui.open_patient(second.id)
    assert sent.count((QAccessible.Event.DescriptionChanged, banner)) == 1
    assert banner.accessibleDescription().startswith("Allergies: none known")
