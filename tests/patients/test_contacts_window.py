"""The address book window: add, correct, retire and restore contacts, and
choose who each kind of letter goes to."""

from __future__ import annotations

from sqlalchemy import select

from sijdesk.models import AuditEvent
from sijdesk.ui.contacts_window import (
    NO_DEFAULT,
    AddressBookWindow,
    ContactDialog,
    ContactsModel,
)
from tests.patients.test_contacts import MENSAH, WOJCIK


def _type(qtbot, field, text):
    field.clear()
    qtbot.keyClicks(field, text)


def _open(qtbot, clinic) -> AddressBookWindow:
    window = AddressBookWindow(clinic)
    qtbot.addWidget(window)
    return window


def test_contacts_model_passes_the_model_tester(qtmodeltester, clinic):
    clinic.contacts.create(MENSAH)
    retired = clinic.contacts.create(WOJCIK)
    clinic.contacts.set_active(retired.id, False)
    model = ContactsModel()
    model.set_rows(clinic.contacts.all_contacts(include_retired=True))
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(2)] == [MENSAH["name"], WOJCIK["name"]]
    assert model.index(0, 1).data() == "Family doctor (GP)"
    assert [model.index(r, 5).data() for r in range(2)] == ["in use", "retired"]


def test_reception_adds_a_contact_and_it_is_listed_and_selected(qtbot, users):
    reception = users["reception"]
    window = _open(qtbot, reception)
    dialog = ContactDialog(reception, parent=window)
    qtbot.addWidget(dialog)
    _type(qtbot, dialog.name, "Dr Ama Owusu")
    dialog.role.setCurrentIndex(dialog.role.findData("rheumatologist"))
    _type(qtbot, dialog.practice, "Riverside General")
    dialog.address.setPlainText("Rheumatology Department\nRiverside RV1 9ZZ")
    _type(qtbot, dialog.phone, "01632 960 555")
    dialog.try_save()
    assert dialog.result() == ContactDialog.DialogCode.Accepted
    saved = reception.contacts.get(dialog.saved.id)
    assert (saved.name, saved.role, saved.address) == (
        "Dr Ama Owusu",
        "rheumatologist",
        "Rheumatology Department\nRiverside RV1 9ZZ",
    )
    window.refresh(saved.id)
    assert window.selected() == saved
    assert window.edit_button.isEnabled()


def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(qtbot, clinic):
    dialog = ContactDialog(clinic)
    qtbot.addWidget(dialog)
    dialog.show()
    _type(qtbot, dialog.name, "Dr Ama Owusu")
    _type(qtbot, dialog.phone, "ring her")
    _type(qtbot, dialog.secure_email, "owusu at hospital")
    dialog.try_save()
    assert dialog.result() != ContactDialog.DialogCode.Accepted
    assert dialog.errors["phone"].isVisible()
    assert dialog.errors["phone"].text() == "Must contain a telephone number"
    assert dialog.errors["secure_email"].text() == "Is not an e-mail address"
    assert not dialog.errors["name"].isVisible()
    assert clinic.contacts.all_contacts() == []


def test_a_correction_changes_only_what_was_edited_and_is_audited_by_field(qtbot, clinic):
    gp = clinic.contacts.create(MENSAH)
    dialog = ContactDialog(clinic, gp)
    qtbot.addWidget(dialog)
    assert dialog.role.currentData() == "gp"
    assert dialog.address.toPlainText() == MENSAH["address"]
    _type(qtbot, dialog.phone, "+44 1632 960 999")
    dialog.try_save()
    assert dialog.result() == ContactDialog.DialogCode.Accepted
    assert clinic.contacts.get(gp.id).phone == "+44 1632 960 999"
    with clinic.db.read() as session:
        summaries = session.scalars(
            select(AuditEvent.summary).where(
                AuditEvent.entity == "contact", AuditEvent.action == "update"
            )
        ).all()
    assert summaries == ["corrected phone"]
    unchanged = ContactDialog(clinic, clinic.contacts.get(gp.id))
    qtbot.addWidget(unchanged)
    unchanged.try_save()  # saving an untouched form closes it and writes nothing
    assert unchanged.result() == ContactDialog.DialogCode.Accepted
    with clinic.db.read() as session:
        count = len(session.scalars(select(AuditEvent).where(AuditEvent.entity == "contact")).all())
    assert count == 2


def test_retire_and_restore_keep_the_contact(qtbot, clinic, messages):
    surgeon = clinic.contacts.create(WOJCIK)
    window = _open(qtbot, clinic)
    window.refresh(surgeon.id)
    messages.answers.append(False)  # "Retire?" -- no
    window.toggle_active()
    assert clinic.contacts.get(surgeon.id).active
    messages.answers.append(True)
    window.toggle_active()
    assert not clinic.contacts.get(surgeon.id).active
    # The retired contact stays in view (retired shown) so it can be restored.
    assert window.show_retired.isChecked()
    assert window.selected().id == surgeon.id
    assert window.toggle_button.text() == "Restore"
    window.toggle_active()
    assert clinic.contacts.get(surgeon.id).active
    window.show_retired.setChecked(False)
    window.role_filter.setCurrentIndex(window.role_filter.findData("gp"))
    assert window.model.rowCount() == 0
    window.role_filter.setCurrentIndex(window.role_filter.findData("spine_surgeon"))
    assert window.model.rowCount() == 1


def test_each_letter_kind_offers_contacts_of_its_role_and_saves_the_default(qtbot, clinic):
    gp = clinic.contacts.create(MENSAH)
    surgeon = clinic.contacts.create(WOJCIK)
    window = _open(qtbot, clinic)
    combo = window.defaults.combos["spine_surgeon"]
    offered = [combo.itemData(i) for i in range(combo.count())]
    assert offered == [None, surgeon.id]  # the GP is not offered for a surgeon's letter
    assert combo.currentText() == NO_DEFAULT
    urgent = window.defaults.combos["urgent"]
    assert {urgent.itemData(i) for i in range(urgent.count())} == {None, gp.id, surgeon.id}
    combo.setCurrentIndex(1)
    window.defaults.save("spine_surgeon")
    assert clinic.contacts.letter_defaults()["spine_surgeon"].id == surgeon.id
    assert "now go to Mr Tomasz Wójcik, Riverside General" in window.defaults.note.text()
    reopened = _open(qtbot, clinic)
    assert reopened.defaults.combos["spine_surgeon"].currentData() == surgeon.id
    reopened.defaults.combos["spine_surgeon"].setCurrentIndex(0)
    reopened.defaults.save("spine_surgeon")
    assert "spine_surgeon" not in clinic.contacts.letter_defaults()


def test_every_role_finds_the_address_book_in_the_tools_menu(qtbot, users, settings):
    from sijdesk.ui.main_window import MainWindow

    main = MainWindow(users["reception"], settings)
    qtbot.addWidget(main)
    assert main.act_address_book.isVisible()
    assert not main.act_users.isVisible()
    window = main.show_address_book()
    assert window.isVisible()
    assert window.clinic is users["reception"]
    window.close()
    main.close()
