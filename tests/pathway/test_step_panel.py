"""The treatment-step panel: advice from the record, decisions, missing facts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QToolTip

from sijdesk.ui.forms import AssessmentDialog, OutcomeDialog, TherapyDialog
from sijdesk.ui.step_panel import OverrideDialog
from tests.conftest import TODAY
from tests.window_fixtures import register


def step_texts(panel, step: str) -> str:
    """The step's part of the document shown (HTML)."""
    return panel.sections[f"step_{step}"]


def panel_text(panel) -> str:
    return panel.panel_text()


def text_point(view, text: str) -> QPoint:
    """Where ``text`` is drawn in the advice view (viewport coordinates), scrolled into view."""
    found = view.document().find(text, 0, QTextDocument.FindFlag.FindCaseSensitively)
    assert not found.isNull(), text
    cursor = QTextCursor(view.document())
    cursor.setPosition(found.selectionStart() + 1)
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    return view.cursorRect(cursor).center()


def click_text(qtbot, view, text: str) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=text_point(view, text))


@pytest.fixture
def opened(ui, patient_with_episode):
    patient, episode = patient_with_episode
    ui.open_patient(patient.id)
    ui.wait(lambda: ui.panel.episode_advice is not None)
    return patient, episode


def record_failed_therapy(ui) -> None:
    """Through the forms: a positive cluster and seven weeks of therapy without response."""
    dialog = ui.view.record("assessment")
    assert isinstance(dialog, AssessmentDialog)
    dialog.region.buttons["below_belt"].click()
    dialog.fields["pain_sites"].set_value(["buttock"])
    for test in ("distraction", "thigh_thrust", "compression"):
        dialog.fields[test].yes.click()
    dialog.fields["sacral_thrust"].no.click()
    dialog.fields["nicotine"].no.click()
    ui.save(dialog)

    outcome = ui.view.record("outcome")
    assert isinstance(outcome, OutcomeDialog)
    outcome.fields["date"].set_value(TODAY - timedelta(weeks=8))
    outcome.nrs.setText("7")
    ui.save(outcome)

    for weeks_ago in (7, 0):
        therapy = ui.view.record("therapy")
        assert isinstance(therapy, TherapyDialog)
        therapy.fields["date"].set_value(TODAY - timedelta(weeks=weeks_ago))
        therapy.fields["components"].set_value(["motor_retraining"])
        therapy.fields["minutes"].setText("45")
        therapy.fields["response"].buttons["none"].click()
        ui.save(therapy)


def test_recording_through_forms_moves_the_advice_from_conservative_to_injection(ui, opened):
    panel = ui.panel
    assert panel.episode_advice.advice.step == "conservative"
    assert "★ advised" in step_texts(panel, "conservative")
    assert "★ advised" not in step_texts(panel, "injection")

    record_failed_therapy(ui)
    ui.wait(
        lambda: panel.episode_advice is not None and panel.episode_advice.advice.step == "injection"
    )
    injection = step_texts(panel, "injection")
    assert "★ advised" in injection and "diagnostic" in injection
    assert "✓&nbsp;met" in injection  # symbol and word, not colour alone
    assert "★ advised" not in step_texts(panel, "conservative")
    assert panel.accept_button.isEnabled()
    assert "Injection clinic" in panel.referral_button.text()


def test_criteria_show_values_and_their_source_on_hover(ui, opened):
    injection = step_texts(ui.panel, "injection")
    assert '<a name="criterion:injection.cluster"></a>' in injection
    assert "? unknown" in panel_text(ui.panel)
    assert "Cluster incomplete" in panel_text(ui.panel)
    view = ui.panel.advice_view
    point = text_point(view, "Cluster incomplete")
    assert view.tooltip_at(point).startswith("Source: Laslett 2005")
    # the hover itself: Qt's tooltip event over the text shows the source
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    assert QToolTip.text().startswith("Source: Laslett 2005")
    QToolTip.hideText()


def test_missing_facts_offer_the_form_that_records_them(ui, opened):
    panel = ui.panel
    assert "provocation" in panel.episode_advice.advice.missing
    assert '<a href="record:provocation">Record assessment…</a>' in panel.sections["missing"]
    click_text(ui.qtbot, panel.advice_view, "Record assessment…")
    assert isinstance(ui.view.last_dialog, AssessmentDialog)
    ui.view.last_dialog.close_without_asking()
    panel.recordFact.emit("baseline")
    assert isinstance(ui.view.last_dialog, OutcomeDialog)
    ui.view.last_dialog.close_without_asking()


def test_pending_injection_result_opens_the_injection_to_amend(ui, opened):
    _patient, episode = opened
    entry = ui.window.clinic.timeline.add(
        episode.id,
        "injection",
        {"date": TODAY - timedelta(days=3), "purpose": "diagnostic", "side": "right"},
    )
    ui.panel.recordFact.emit("injections")
    ui.wait(lambda: getattr(ui.view.last_dialog, "entry", None) is not None)
    assert ui.view.last_dialog.entry.id == entry.id
    assert "Amend" in ui.view.last_dialog.windowTitle()


def test_override_without_a_reason_is_refused_and_with_one_lands_on_the_timeline(ui, opened):
    panel = ui.panel
    dialog = panel.open_override()
    assert isinstance(dialog, OverrideDialog)
    assert "OKONKWO-BENNETT" in dialog.windowTitle()
    assert not dialog.save_button.isEnabled()
    dialog.submit()  # straight to the service, as a mis-click could
    ui.wait(lambda: not dialog.saving)
    assert dialog.isVisible()
    assert "reason" in dialog.error_labels["reason"].text()
    assert "decision" not in ui.timeline_kinds()

    dialog.step.set_value("injection")
    dialog.reason.setPlainText("Severe pain; patient travelling abroad for three months.")
    entry = ui.save(dialog)
    assert entry.kind == "decision" and entry.record.decision == "overridden"
    ui.wait(lambda: "decision" in ui.timeline_kinds())
    ui.wait(
        lambda: (
            panel.episode_advice is not None and panel.episode_advice.current_step == "injection"
        )
    )
    assert "● now" in step_texts(panel, "injection")
    # an override is on record: the header says so
    assert ui.view.banner.isVisible()
    assert "overridden" in ui.view.banner.text()


def test_accept_records_the_decision(ui, opened):
    panel = ui.panel
    panel.accept_button.click()
    ui.wait(lambda: "decision" in ui.timeline_kinds())
    ui.wait(lambda: panel.episode_advice.last_decision is not None)
    assert "accepted" in panel.decision_label.text()
    assert "● now" in step_texts(panel, "conservative")


def test_red_flag_makes_the_urgent_referral_unmistakable(ui, clinic):
    patient = register(clinic, "Dolores", "Ramírez Ibáñez", "1957-01-22", sex="female")
    episode = clinic.episodes.create(patient.id, {"side": "bilateral"})
    clinic.timeline.add(
        episode.id,
        "assessment",
        {"date": TODAY, "pain_region": "both", "red_flags": ["cancer_history", "weight_loss"]},
    )
    ui.open_patient(patient.id)
    ui.wait(lambda: ui.panel.episode_advice is not None)
    text = panel_text(ui.panel)
    assert "URGENT REFERRAL" in text
    assert "History of cancer" in text
    assert ui.view.banner.isVisible() and "Red flag" in ui.view.banner.text()
    assert ui.panel.urgent_button.isVisible()
    asked = []
    ui.panel.referralRequested.connect(asked.append)
    ui.panel.urgent_button.click()
    assert asked == ["urgent"]
    assert ui.window.step_panel.episode_advice.advice.referral == "urgent"


def test_a_fusion_closes_the_pathway_and_the_panel_shows_the_procedure(
    ui, clinic, patient_with_episode
):
    patient, episode = patient_with_episode
    clinic.timeline.add(
        episode.id,
        "procedure",
        {"date": TODAY - timedelta(days=30), "procedure": "sij_fusion", "side": "right"},
    )
    ui.open_patient(patient.id)
    ui.wait(lambda: ui.panel.episode_advice is not None)
    assert ui.panel.episode_advice.advice is None
    text = panel_text(ui.panel)
    assert "Pathway closed" in text and "SIJ fusion" in text
    assert not ui.panel.accept_button.isEnabled()


def test_the_panel_refreshes_when_the_record_changes(ui, opened):
    panel = ui.panel
    before = panel.episode_advice
    dialog = ui.view.record("outcome")
    dialog.nrs.setText("8")
    ui.save(dialog)
    ui.wait(lambda: panel.episode_advice is not None and panel.episode_advice is not before)
    assert panel.episode_advice.facts.nrs == 8


def test_tab_reads_the_advice_links_then_the_decision_buttons(ui, opened):
    panel, view = ui.panel, ui.panel.advice_view
    view.setFocus()
    links = []
    for _ in range(30):
        ui.qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is not view:
            break
        links.append(view.textCursor().selectedText())
    assert QApplication.focusWidget() is panel.accept_button
    assert "Record assessment…" in links and "hide" in links
    # Enter on a link does what a click does
    view.setFocus()
    ui.qtbot.keyClick(view, Qt.Key.Key_Tab)
    while view.textCursor().selectedText() != "Record outcome…":
        ui.qtbot.keyClick(view, Qt.Key.Key_Tab)
    asked = []
    panel.recordFact.connect(asked.append)
    ui.qtbot.keyClick(view, Qt.Key.Key_Return)
    assert asked and asked[0] in ("baseline", "nrs", "odi")


def test_a_step_s_details_hide_and_show_again(ui, opened):
    panel = ui.panel
    detail = "The first step for every SIJ complaint."
    components = "Components that fit:"
    before = step_texts(panel, "conservative")
    shown = detail if detail in before else components
    assert shown in before
    click_text(ui.qtbot, panel.advice_view, "hide")  # the first step's link
    assert shown not in step_texts(panel, "conservative")
    assert shown not in panel.panel_text()
    assert "Enough conservative care" in step_texts(panel, "injection")  # the others stay
    click_text(ui.qtbot, panel.advice_view, "show")
    assert shown in step_texts(panel, "conservative")
    # a refresh of the same episode keeps the step as the user left it
    panel.refresh()
    ui.wait(lambda: panel.episode_advice is not None)
    assert shown in step_texts(panel, "conservative")
