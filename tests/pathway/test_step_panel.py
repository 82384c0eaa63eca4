"""The treatment-step panel: advice from the record, decisions, missing facts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtWidgets import QFrame, QLabel, QPushButton

from sijdesk.ui.forms import AssessmentDialog, OutcomeDialog, TherapyDialog
from sijdesk.ui.step_panel import OverrideDialog
from tests.conftest import TODAY
from tests.window_fixtures import register


def step_texts(panel, step: str) -> str:
    frame = panel.findChild(QFrame, f"step_{step}")
    assert frame is not None, step
    return " ".join(label.text() for label in frame.findChildren(QLabel))


def panel_text(panel) -> str:
    return " ".join(label.text() for label in panel.scroll_area.widget().findChildren(QLabel))


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
    label = ui.panel.findChild(QLabel, "criterion:injection.cluster")
    assert "? unknown" in label.text().replace("&nbsp;", " ")
    assert "Cluster incomplete" in label.text()
    assert label.toolTip().startswith("Source: Laslett 2005")


def test_missing_facts_offer_the_form_that_records_them(ui, opened):
    panel = ui.panel
    assert "provocation" in panel.episode_advice.advice.missing
    button = panel.findChild(QPushButton, "missing:provocation")
    assert button.text() == "Record assessment…"
    button.click()
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
    urgent = [b for b in ui.panel.findChildren(QPushButton) if "urgent referral" in b.text()]
    assert urgent
    urgent[0].click()
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


def test_tab_reads_the_advice_before_the_decision_buttons(ui, opened):
    panel = ui.panel
    record = [
        b for b in panel.scroll_area.widget().findChildren(QPushButton) if b.text() == "Record…"
    ]
    assert record
    widget, seen = record[0], []
    for _ in range(60):
        widget = widget.nextInFocusChain()
        seen.append(widget)
        if widget is panel.accept_button:
            break
    assert panel.accept_button in seen
    assert seen.index(panel.accept_button) > 0


def test_missing_duration_asks_for_the_onset_and_saves_it(ui, clinic):
    patient = register(clinic, "Kai", "Thompson", "1998-04-03")
    episode = clinic.episodes.create(patient.id, {"side": "left"})
    ui.open_patient(patient.id)
    ui.wait(lambda: ui.panel.episode_advice is not None)
    assert ui.panel.episode_advice.facts.symptom_weeks is None
    ui.panel.recordFact.emit("symptom_weeks")
    dialog = ui.view.last_dialog
    assert dialog is not None and "Onset" in dialog.windowTitle()
    onset = TODAY - timedelta(weeks=20)
    dialog.fields["onset_date"].set_value(onset)
    ui.save(dialog)
    assert clinic.episodes.get(episode.id).onset_date == onset
    ui.wait(
        lambda: (
            ui.panel.episode_advice is not None
            and ui.panel.episode_advice.facts.symptom_weeks is not None
        )
    )


def test_injection_advice_asks_for_the_allergies_until_they_are_recorded(ui, opened, clinic):
    panel = ui.panel
    patient, _episode = opened
    assert "Allergies are not recorded" not in panel_text(panel)  # conservative care: no note
    record_failed_therapy(ui)
    ui.wait(
        lambda: panel.episode_advice is not None and panel.episode_advice.advice.step == "injection"
    )
    assert "Allergies are not recorded" in panel_text(panel)
    clinic.allergies.record_none_known(patient.id)
    panel.refresh()
    ui.wait(lambda: panel.episode_advice is not None)
    assert "Allergies are not recorded" not in panel_text(panel)
