"""The follow-up list in the window: paged rows, marks, the call list, the badge."""

from __future__ import annotations

import pytest

from sijdesk.services.due import NEUTRAL_REASON
from sijdesk.ui import due_window
from sijdesk.ui.due_window import DueListModel, DueWindow
from sijdesk.ui.workers import Operations
from tests.documents.pdfcheck import pdf_text
from tests.reports.test_due_list import Clinic
from tests.signin import add_user


@pytest.fixture
def overdue(clinic):
    """Twelve patients whose last outcome measure was 50 days ago."""
    b = Clinic(clinic)
    for _ in range(12):
        episode = b.episode()
        b.measure(episode, 50)
    return clinic


def _opened(qtbot, clinic) -> DueWindow:
    window = DueWindow(clinic)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    return window


def test_the_model_fetches_a_page_at_a_time(qtbot, qtmodeltester, overdue, monkeypatch):
    monkeypatch.setattr(due_window, "PAGE", 5)
    ops = Operations()
    model = DueListModel(overdue.due, ops)
    model.refresh()
    qtbot.waitUntil(lambda: not model.loading, timeout=20_000)
    assert (model.rowCount(), model.total) == (5, 12)
    assert model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: not model.loading, timeout=20_000)
    assert model.rowCount() == 10
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: not model.loading and not model.canFetchMore(), timeout=20_000)
    assert model.rowCount() == 12
    names = [model.data(model.index(row, 2)) for row in range(12)]
    assert len(set(names)) == 12  # no row twice across the pages
    ops.shutdown()


def test_reception_sees_names_phones_and_a_neutral_reason(qtbot, overdue):
    reception = add_user(overdue, "desk", "Front Desk", "reception")
    window = _opened(qtbot, reception)
    model = window.model
    assert model.total == 12
    assert model.data(model.index(0, 3)) == "+44 7700 900123"
    assert {model.data(model.index(row, 4)) for row in range(model.rowCount())} == {NEUTRAL_REASON}
    assert window.count_label.text() == "12 due for follow-up, longest due first."


def test_marking_a_row_takes_it_off_and_says_the_count_changed(qtbot, overdue, monkeypatch):
    window = _opened(qtbot, overdue)
    window.table.selectRow(0)
    first = window.selected()
    monkeypatch.setattr(window, "ask_mark", lambda kind, row: {"note": "booked for Monday"})
    with qtbot.waitSignal(window.changed, timeout=20_000):
        window.mark_selected("booked")
    qtbot.waitUntil(lambda: not window.loading and window.model.total == 11, timeout=20_000)
    assert first.episode_id not in {window.model.row_at(r).episode_id for r in range(11)}


def test_a_snooze_to_today_is_refused_plainly(qtbot, overdue, monkeypatch, messages):
    window = _opened(qtbot, overdue)
    window.table.selectRow(0)
    today = overdue.today()
    monkeypatch.setattr(window, "ask_mark", lambda kind, row: {"note": "", "until": today})
    window.mark_selected("snoozed")
    qtbot.waitUntil(lambda: bool(messages.texts_of("warning")), timeout=20_000)
    assert messages.texts_of("warning") == ["Until: must be a day after today"]
    assert overdue.due.count() == 12


def test_the_call_list_prints_what_reception_may_see(qtbot, overdue, tmp_path, monkeypatch):
    reception = add_user(overdue, "desk", "Front Desk", "reception")
    window = _opened(qtbot, reception)
    monkeypatch.setattr(window, "ask_save_path", lambda suggested: str(tmp_path / "calls"))
    assert window.save_call_list() == str(tmp_path / "calls.pdf")
    qtbot.waitUntil(lambda: window.count_label.text().startswith("Saved"), timeout=20_000)
    text = pdf_text((tmp_path / "calls.pdf").read_bytes())
    assert "Follow-up call list" in text and "Due Patient01" in text
    assert NEUTRAL_REASON in text and "outcome measure" not in text


def test_a_row_opens_its_patient_in_the_main_window(qtbot, overdue, settings):
    from sijdesk.ui.main_window import MainWindow

    main = MainWindow(overdue, settings)
    qtbot.addWidget(main)
    main.show()
    window = main.show_due()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert not window.open_button.isEnabled()  # nothing chosen yet
    window.table.selectRow(2)
    row = window.selected()
    with qtbot.waitSignal(window.openPatient, timeout=5_000) as opened:
        window.table.activated.emit(window.model.index(2, 0))  # a double-click or Enter
    assert opened.args == [row.patient_id]
    qtbot.waitUntil(
        lambda: (
            main.patient_view.patient is not None and main.patient_view.patient.id == row.patient_id
        ),
        timeout=20_000,
    )
    window.close()
    main.close()


def test_an_administrator_changes_the_intervals_from_the_list(qtbot, overdue, monkeypatch):
    window = _opened(qtbot, overdue)
    assert window.intervals_button.isVisibleTo(window)
    assert window.model.total == 12  # 50 days since the last measure

    def longer(dialog):
        assert dialog.fields["due_outcome_weeks"].value() == 6
        dialog.fields["due_outcome_weeks"].setValue(8)
        dialog.save()
        qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=20_000)
        return True

    monkeypatch.setattr(window, "ask_intervals", longer)
    with qtbot.waitSignal(window.changed, timeout=20_000):
        window.edit_intervals()
    qtbot.waitUntil(lambda: not window.loading and window.model.total == 0, timeout=20_000)
    assert overdue.due.intervals().outcome_weeks == 8


def test_the_intervals_are_not_offered_to_a_clinician(qtbot, overdue):
    clinician = add_user(overdue, "clin", "Dr Due", "clinician")
    window = _opened(qtbot, clinician)
    assert not window.intervals_button.isVisibleTo(window)


def test_the_toolbar_shows_how_many_are_due(qtbot, overdue, settings):
    from sijdesk.ui.main_window import MainWindow

    main = MainWindow(overdue, settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: main.due_count is not None, timeout=20_000)
    assert main.act_due.iconText() == "Due (12)"
    window = main.show_due()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    window.close()
    main.close()
