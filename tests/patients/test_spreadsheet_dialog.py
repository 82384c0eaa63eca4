"""Patient > Import from a spreadsheet… / Export to a spreadsheet… in the window."""

from __future__ import annotations

from sijdesk.ui import spreadsheet_dialog


def test_the_import_is_checked_first_then_done_with_progress(ui, clinic, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Surname,First name,DOB\nNowak,Bea,31/02/1980\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text(
        "Surname,First name,DOB\nNowak,Bea,28/02/1980\nŁukasiewicz,Zoë,1972-03-14\n",
        encoding="utf-8",
    )
    dialog = ui.window.import_patients()
    dialog.ask_path = lambda: str(bad)
    dialog.choose_file()
    dialog.check()
    ui.wait(lambda: "1 problem in 1 row:" in dialog.findings.toPlainText())
    assert "line 2, column DOB:" in dialog.findings.toPlainText()
    assert not dialog.import_button.isEnabled()
    dialog.path.setText(str(good))
    dialog.check()
    ui.wait(lambda: "2 rows can be imported" in dialog.findings.toPlainText())
    assert dialog.import_button.isEnabled()
    assert clinic.patients.count() == 0  # the check wrote nothing
    dialog.import_button.click()
    ui.wait(lambda: dialog.imported == ("000001", "000002"))
    assert "Imported 2 patients" in dialog.findings.toPlainText()
    assert dialog.progress.value() == dialog.progress.maximum() == 2
    dialog.close()
    ui.wait(lambda: ui.window.list_pane.model.rowCount() == 2)


def test_the_export_writes_the_chosen_file(ui, clinic, tmp_path, monkeypatch, messages):
    from tests.window_fixtures import register

    register(clinic, "Bea", "Nowak", "1990-01-01")
    target = tmp_path / "out"
    monkeypatch.setattr(spreadsheet_dialog, "ask_export_path", lambda parent: str(target))
    assert ui.window.export_patients() == 1
    assert (
        (tmp_path / "out.csv")
        .read_text(encoding="utf-8-sig")
        .splitlines()[1]
        .startswith("000001,Nowak,Bea,1990-01-01")
    )
    assert messages.any_contains(": 1 patient.")


def test_reception_does_not_see_the_spreadsheet_actions(qtbot, users, settings):
    from sijdesk.ui.main_window import MainWindow

    main = MainWindow(users["reception"], settings)
    qtbot.addWidget(main)
    assert not main.act_import_patients.isVisible()
    assert not main.act_export_patients.isVisible()
    main.close()
