"""The administrator's audit window: filters, the chain's state, CSV export."""

from __future__ import annotations

import csv

from sijdesk.ui.audit_window import AuditModel, AuditWindow
from sijdesk.ui.main_window import MainWindow
from tests.signin import add_user, run_sql
from tests.window_fixtures import register


def test_audit_model_passes_the_model_tester(qtmodeltester, clinic):
    register(clinic, "Ann", "Smith", "1970-01-01")
    model = AuditModel()
    model.set_rows(clinic.audit.events())
    qtmodeltester.check(model)
    assert model.rowCount() >= 2


def test_filter_by_user_and_action_then_export(qtbot, clinic, tmp_path, messages):
    recep = add_user(clinic, "recep", "Front Desk", "reception")
    recep.patients.search("smi")
    register(recep, "Ann", "Smith", "1970-01-01")
    window = AuditWindow(clinic)
    qtbot.addWidget(window)
    window.user.setCurrentText("recep")
    window.action.setCurrentText("patient")
    window.refresh()
    assert [window.model.index(r, 2).data() for r in range(window.model.rowCount())] == [
        "patient.search"
    ]
    assert window.model.index(0, 1).data() == "recep"
    assert '"query": "smi"' in window.model.index(0, 5).data()
    assert window.count_label.text() == "1 matching events"
    target = tmp_path / "out.csv"
    window.ask_export_path = lambda: str(target)
    assert window.export_csv() == 1
    with target.open(newline="", encoding="utf-8") as handle:
        (header, row) = list(csv.reader(handle))
    assert row[2:4] == ["recep", "patient.search"]


def test_a_reversed_date_range_is_said_plainly(qtbot, clinic):
    from PySide6.QtCore import QDate

    window = AuditWindow(clinic)
    qtbot.addWidget(window)
    window.since_check.setChecked(True)
    window.until_check.setChecked(True)
    window.since.setDate(QDate(2026, 3, 1))
    window.until.setDate(QDate(2026, 2, 1))
    window.refresh()
    assert "on or after the start date" in window.error.text()


def test_the_chain_state_is_shown_and_a_broken_event_named(qtbot, clinic):
    window = AuditWindow(clinic)
    qtbot.addWidget(window)
    window.check_chain()
    qtbot.waitUntil(window.check_button.isEnabled, timeout=10_000)
    assert window.chain_label.text().startswith("Audit chain intact")
    run_sql(clinic, "DELETE FROM audit_event WHERE id = 1")
    window.check_chain()
    qtbot.waitUntil(window.check_button.isEnabled, timeout=10_000)
    assert window.chain_label.text().startswith("Audit chain BROKEN at event 1")
    window.ops.shutdown()


def test_only_administrators_see_the_audit_menu(qtbot, clinic, settings):
    clin = add_user(clinic, "clin", "Dr C", "clinician")
    admin_window = MainWindow(clinic, settings)
    qtbot.addWidget(admin_window)
    clin_window = MainWindow(clin, settings)
    qtbot.addWidget(clin_window)
    assert admin_window.act_audit.isVisible()
    assert not clin_window.act_audit.isVisible()
