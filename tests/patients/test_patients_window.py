"""Finding and registering patients through the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from sijdesk.ui.patient_dialog import DuplicatePrompt
from tests.window_fixtures import register


def test_creating_a_patient_through_the_dialog_shows_it_in_the_list(ui, clinic):
    dialog = ui.window.new_patient()
    assert not dialog.save_button.isEnabled()  # nothing typed yet
    dialog.fields["family_name"].setText("Łukasiewicz")
    dialog.fields["given_names"].setText("Zoë")
    dialog.fields["date_of_birth"].setText("1972-03-14")
    dialog.fields["sex"].set_value("female")
    dialog.fields["phone"].setText("+44 7700 900123")
    ui.qtbot.waitUntil(dialog.save_button.isEnabled)
    assert "54" in dialog.age.text() or "Age" in dialog.age.text()
    saved = ui.save(dialog)
    assert saved is not None and saved.record_number
    ui.wait(lambda: ui.view.patient is not None and ui.view.patient.id == saved.id)
    model = ui.window.list_pane.model
    ui.wait(lambda: model.rowCount() == 1)
    assert model.data(model.index(0, 0)) == "ŁUKASIEWICZ, Zoë"
    # the header always shows name, age, sex, date of birth and record number
    assert "ŁUKASIEWICZ" in ui.view.name_label.text()
    facts = ui.view.facts_label.text()
    assert "DOB 1972-03-14" in facts and f"Record {saved.record_number}" in facts
    assert "Female" in facts and "54 y" in facts


def test_new_patient_form_marks_missing_names_and_bad_dates(ui):
    dialog = ui.window.new_patient()
    dialog.fields["family_name"].setText("Nguyễn")
    dialog.fields["date_of_birth"].setText("1990-02-30")
    ui.qtbot.waitUntil(lambda: "YYYY-MM-DD" in dialog.error_labels["date_of_birth"].text())
    assert dialog.error_labels["given_names"].isVisible()
    assert "required" in dialog.error_labels["given_names"].text()
    assert not dialog.save_button.isEnabled()
    assert dialog.status.text().startswith("Cannot save yet")


def test_a_search_narrows_the_list(ui, people):
    pane = ui.window.list_pane
    pane.model.refresh()
    ui.wait(lambda: pane.model.rowCount() == len(people))
    pane.search.setText("łuk")  # typed: applied after the debounce
    ui.wait(lambda: pane.model.rowCount() == 1, timeout=5000)
    assert pane.model.data(pane.model.index(0, 0)) == "ŁUKASIEWICZ, Zoë"
    pane.search_now("no such person")
    ui.wait(lambda: pane.model.rowCount() == 0)
    assert pane.empty_label.isVisible()
    assert "New patient" in pane.empty_label.text()


def test_enter_in_search_opens_the_only_match(ui, people):
    pane = ui.window.list_pane
    pane.search_now("sæther")
    ui.wait(lambda: pane.model.rowCount() == 1)
    ui.window.focus_search()
    ui.qtbot.keyClick(pane.search, Qt.Key.Key_Return)
    ui.wait(lambda: ui.view.patient is not None)
    assert ui.view.patient.family_name == "Sæther"


def test_arrow_down_moves_into_the_list_and_enter_opens(ui, people):
    pane = ui.window.list_pane
    pane.model.refresh()
    ui.wait(lambda: pane.model.rowCount() == len(people))
    pane.search.setFocus()
    ui.qtbot.keyClick(pane.search, Qt.Key.Key_Down)
    assert pane.table.currentIndex().row() == 0
    ui.qtbot.keyClick(pane.table, Qt.Key.Key_Down)
    ui.qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    ui.wait(lambda: ui.view.patient is not None)
    assert ui.view.patient.id == pane.model.patient_at(1).id


def test_recent_patients_are_one_key_away(ui, people):
    ui.open_patient(people[2].id)
    ui.open_patient(people[0].id)
    pane = ui.window.list_pane
    assert pane.recent_list.count() == 2
    assert "王, 芳" in pane.recent_list.item(1).text()
    ui.qtbot.keyClick(ui.window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    ui.wait(lambda: ui.view.patient.id == people[2].id)
    # kept in QSettings: a new window on the same database shows them
    from sijdesk.ui.main_window import database_key
    from sijdesk.ui.patient_list import RecentPatients

    again = RecentPatients(ui.window.settings, database_key(ui.window.clinic))
    assert [patient_id for patient_id, _label in again.entries()] == [people[2].id, people[0].id]


def test_duplicate_warning_can_open_the_existing_record(ui, people, monkeypatch):
    asked = []
    monkeypatch.setattr(
        DuplicatePrompt,
        "ask",
        staticmethod(lambda parent, matches: asked.append(matches) or ("open", matches[0])),
    )
    dialog = ui.window.new_patient()
    dialog.fields["family_name"].setText("Nguyen")  # accents do not hide a duplicate
    dialog.fields["given_names"].setText("Francois")
    dialog.fields["date_of_birth"].setText("1985-07-02")
    ui.qtbot.waitUntil(dialog.save_button.isEnabled)
    dialog.save_button.click()
    ui.wait(lambda: bool(asked) and ui.view.patient is not None)
    assert asked == [[people[1].record_number]]
    assert ui.view.patient.id == people[1].id
    assert ui.window.clinic.patients.count() == len(people)


def test_duplicate_warning_can_register_anyway(ui, people, monkeypatch):
    monkeypatch.setattr(
        DuplicatePrompt, "ask", staticmethod(lambda parent, matches: ("register", None))
    )
    dialog = ui.window.new_patient()
    dialog.fields["family_name"].setText("Łukasiewicz")
    dialog.fields["given_names"].setText("Zoë")
    dialog.fields["date_of_birth"].setText("1972-03-14")
    ui.qtbot.waitUntil(dialog.save_button.isEnabled)
    saved = ui.save(dialog)
    assert saved is not None and saved.id != people[0].id
    assert ui.window.clinic.patients.count() == len(people) + 1


def test_archiving_hides_the_patient_from_the_list(ui, people, messages):
    ui.open_patient(people[3].id)
    messages.answers.append(True)
    ui.window.toggle_archive()
    pane = ui.window.list_pane
    ui.wait(lambda: pane.model.rowCount() == len(people) - 1)
    pane.archived.setChecked(True)
    ui.wait(lambda: pane.model.rowCount() == len(people))
    assert "ARCHIVED" in ui.view.facts_label.text()


@pytest.fixture
def many_people(clinic, people):
    return people + [
        register(clinic, "Anna", f"Test-{n:02}", "1990-01-01", sex="female") for n in range(40)
    ]


def test_a_search_matching_more_than_the_list_shows_says_so(ui, many_people, monkeypatch):
    from sijdesk.ui.patient_list import PatientListModel

    monkeypatch.setattr(PatientListModel, "MATCH_LIMIT", 30)
    pane = ui.window.list_pane
    pane.search_now("a")
    ui.wait(lambda: pane.model.rowCount() == 30)
    ui.wait_idle()
    assert pane.count_label.text() == "More than 30 patients"
    assert pane.empty_label.isVisible() and "first 30 matches" in pane.empty_label.text()
    pane.search_now("sæther")
    ui.wait(lambda: pane.model.rowCount() == 1)
    ui.wait_idle()
    assert pane.count_label.text() == "1 patient" and not pane.empty_label.isVisible()
