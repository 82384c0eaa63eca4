"""The outcome report in the window: counted off the GUI thread, shown, saved."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt

from sijdesk.services.audit import AuditFilter
from sijdesk.ui.reports_window import WHOLE_CLINIC, ReportsWindow, TextTableModel
from tests.documents.pdfcheck import pdf_text
from tests.reports.test_outcome_report import crafted  # noqa: F401 - the fixture
from tests.signin import add_user


def _opened(qtbot, clinic) -> ReportsWindow:
    window = ReportsWindow(clinic)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    return window


def test_the_table_model_passes_the_model_tester(qtmodeltester):
    model = TextTableModel(("Step", "Reached"))
    model.set_rows([("Conservative care", "11"), ("Injection", "fewer than 5")])
    qtmodeltester.check(model)


def test_the_window_shows_the_services_tables(qtbot, crafted):  # noqa: F811
    window = _opened(qtbot, crafted)
    assert window.error.text() == ""
    report = crafted.outcomes.report()
    assert [m.header for m in window.models] == [t.header for t in report.tables()]
    assert [m._rows for m in window.models] == [list(t.rows) for t in report.tables()]
    steps = window.models[0]
    assert steps.data(steps.index(0, 0)) == "Conservative care"
    assert "fewer than 5" in window.status.text()
    assert window.clinician.itemText(0) == WHOLE_CLINIC
    assert window.pdf_button.isEnabled() and window.csv_button.isEnabled()


def test_the_window_draws_the_services_charts(qtbot, crafted):  # noqa: F811
    window = _opened(qtbot, crafted)
    report = crafted.outcomes.report()
    assert [view.report_chart for view in window.charts] == report.charts()
    pain = window.charts[1]
    before, after = pain.bar_sets
    assert (before.label(), after.label()) == ("Before", "After")
    assert [before.at(i) for i in range(before.count())] == [7.0, 0.0, 0.0, 0.0]
    # A value not shown says so on its axis, in the sentence under it and to a screen reader.
    axis = pain.chart.axes(Qt.Orientation.Horizontal)[0]
    assert axis.categories() == [
        "Conservative care",
        "Injection (not shown)",
        "Surgical evaluation (not shown)",
        "Rheumatology (not shown)",
    ]
    assert pain.not_drawn.text() == report.charts()[1].not_drawn
    description = pain.view.accessibleDescription()
    assert "Conservative care: Before 7.0, After 5.0" in description
    assert "Injection: Before not shown" in description


def test_counting_runs_off_the_gui_thread(qtbot, crafted, monkeypatch):  # noqa: F811
    window = _opened(qtbot, crafted)
    window.refresh()
    assert window.loading and not window.show_button.isEnabled()  # returned before the count
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.show_button.isEnabled()


def test_one_clinicians_episodes(qtbot, crafted):  # noqa: F811
    window = _opened(qtbot, crafted)
    window.clinician.setCurrentIndex(window.clinician.findData("clin"))
    window.start.setDate(QDate(2025, 12, 1))
    window.refresh()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.report.clinician == "clin"
    assert window.report.clinician_name == "Dr Report"


def test_a_period_that_ends_before_it_starts_is_said_plainly(qtbot, crafted):  # noqa: F811
    window = _opened(qtbot, crafted)
    shown = window.report
    window.start.setDate(QDate(2026, 11, 1))
    window.end.setDate(QDate(2026, 10, 1))
    window.refresh()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.error.text() == "From: must be on or before the end of the period"
    assert window.report is shown  # the last report stays


def test_save_pdf_and_csv_are_written_and_audited(qtbot, crafted, tmp_path, monkeypatch):  # noqa: F811
    window = _opened(qtbot, crafted)
    targets = iter([str(tmp_path / "report"), str(tmp_path / "report.csv")])
    monkeypatch.setattr(window, "ask_save_path", lambda *a: next(targets))
    pdf = window.save_pdf()
    assert pdf == str(tmp_path / "report.pdf")
    qtbot.waitUntil(lambda: "Saved" in window.status.text(), timeout=20_000)
    assert "Outcome report" in pdf_text((tmp_path / "report.pdf").read_bytes())
    assert window.save_csv() == str(tmp_path / "report.csv")
    qtbot.waitUntil(
        lambda: window.status.text().startswith("Saved") and "csv" in window.status.text()
    )
    text = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    assert "Conservative care" in text
    outputs = [e.details["output"] for e in crafted.audit.events(AuditFilter(action="report"))]
    assert outputs[:2] == ["csv", "pdf"]  # newest first; the window's own view before them


def test_reception_neither_sees_the_menu_nor_gets_the_report(qtbot, clinic, settings):
    from sijdesk.ui.main_window import MainWindow

    reception = add_user(clinic, "desk", "Front Desk", "reception")
    main = MainWindow(reception, settings)
    qtbot.addWidget(main)
    assert not main.act_reports.isVisible()
    window = _opened(qtbot, reception)
    assert "does not allow" in window.error.text()
    assert window.report is None and not window.pdf_button.isEnabled()


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_the_menu_is_there_for_clinical_roles(qtbot, clinic, settings, role):
    from sijdesk.ui.main_window import MainWindow

    acting = clinic if role == "admin" else add_user(clinic, "doc", "Dr Doc", "clinician")
    main = MainWindow(acting, settings)
    qtbot.addWidget(main)
    assert main.act_reports.isVisible()
    window = main.show_reports()
    qtbot.waitUntil(lambda: not window.loading, timeout=20_000)
    assert window.report is not None and window.report.end == acting.today()
    assert window.report.start == date(2025, 11, 30)
    window.close()


def test_an_administrator_changes_the_smallest_count_shown(qtbot, crafted, monkeypatch):  # noqa: F811
    window = _opened(qtbot, crafted)
    assert window.small_button.isVisibleTo(window)
    monkeypatch.setattr(window, "ask_minimum_cell", lambda current: 3)
    window.edit_minimum_cell()
    qtbot.waitUntil(lambda: not window.loading and window.report.minimum_cell == 3, timeout=20_000)
    assert "fewer than 3" in window.status.text()
    assert crafted.outcomes.minimum_cell() == 3


def test_a_clinician_is_not_offered_the_setting(qtbot, crafted):  # noqa: F811
    clinician = add_user(crafted, "clin3", "Dr Third", "clinician")
    window = _opened(qtbot, clinician)
    assert not window.small_button.isVisibleTo(window)
