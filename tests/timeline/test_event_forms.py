"""Event forms: live validation beside the fields, saving, amending, removing, Esc."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from sijdesk.kinds import RECORDABLE_KINDS
from sijdesk.models import AuditEvent
from sijdesk.ui.body_diagram import BodyDiagram
from sijdesk.ui.timeline import HistoryDialog
from tests.conftest import TODAY


@pytest.fixture
def opened(ui, patient_with_episode):
    patient, episode = patient_with_episode
    ui.open_patient(patient.id)
    assert ui.view.episode.id == episode.id
    return patient, episode


def test_every_event_form_names_the_patient_in_its_title(ui, opened):
    patient, _episode = opened
    for kind in RECORDABLE_KINDS:
        dialog = ui.view.record(kind)
        title = dialog.windowTitle()
        assert "OKONKWO-BENNETT, Amara" in title, title
        assert "DOB 1979-05-08" in title and f"Record {patient.record_number}" in title
        dialog.close_without_asking()


def test_outcome_form_marks_nrs_11_and_keeps_save_disabled(ui, opened):
    dialog = ui.view.record("outcome")
    assert not dialog.save_button.isEnabled()  # empty: nothing to save yet
    dialog.nrs.setText("11")
    ui.qtbot.waitUntil(lambda: "from 0 to 10" in dialog.error_labels["nrs"].text())
    assert dialog.error_labels["nrs"].isVisible()
    assert not dialog.save_button.isEnabled()
    assert "from 0 to 10" in dialog.status.text()
    dialog.nrs.setText("7")
    ui.qtbot.waitUntil(dialog.save_button.isEnabled)
    assert not dialog.error_labels["nrs"].isVisible()


def test_outcome_form_refuses_a_future_date(ui, opened):
    dialog = ui.view.record("outcome")
    dialog.nrs.setText("5")
    dialog.fields["date"].set_value(TODAY + timedelta(days=1))
    ui.qtbot.waitUntil(lambda: "future" in dialog.error_labels["date"].text())
    assert dialog.error_labels["date"].isVisible()
    assert not dialog.save_button.isEnabled()


def test_outcome_form_scores_the_odi_live(ui, opened):
    dialog = ui.view.record("outcome")
    dialog.odi.set_value([2, 1, 3, 2, 3, 2, 1, None, 2, 2])
    assert "40.0 %" in dialog.odi.score.text() and "moderate" in dialog.odi.score.text()
    dialog.odi.combos[0].setCurrentIndex(0)  # a second section unanswered
    assert "not scored" in dialog.odi.score.text()
    # section names only: the licensed question wording is not in the form
    assert [label.text() for label in dialog.odi.labels][:3] == [
        "1 Pain intensity",
        "2 Personal care",
        "3 Lifting",
    ]


def test_recording_an_outcome_puts_it_on_the_timeline_and_the_chart(ui, opened):
    dialog = ui.view.record("outcome")
    dialog.nrs.setText("7")
    dialog.odi.set_value([2] * 10)
    entry = ui.save(dialog)
    assert entry.kind == "outcome"
    ui.wait(lambda: ui.timeline_kinds() == ["outcome"])
    assert ui.view.chart.points[0] == [(TODAY, 7.0)]
    assert ui.view.chart.stack.currentWidget() is ui.view.chart.view


def test_injection_relief_is_computed_from_pain_and_stays_editable(ui, opened):
    dialog = ui.view.record("injection")
    assert dialog.fields["side"].value() == "right"  # the episode's side
    dialog.pain_before.setText("8")
    dialog.pain_after.setText("2")
    assert dialog.relief.text() == "75"
    dialog.relief.clear()
    ui.qtbot.keyClicks(dialog.relief, "60")
    dialog.pain_after.setText("1")
    assert dialog.relief.text() == "60"  # the user's own figure is kept


def test_esc_asks_before_discarding_typed_input(ui, opened, messages):
    dialog = ui.view.record("note")
    dialog.fields["text"].setPlainText("Phoned: will bring the MRI report.")
    messages.answers.append(False)
    ui.qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert messages.texts_of("question")
    messages.answers.append(True)
    dialog.reject()
    assert not dialog.isVisible()
    assert ui.window.clinic.timeline.entries(opened[1].id) == []  # nothing half-saved


def test_esc_on_an_untouched_form_closes_without_asking(ui, opened, messages):
    dialog = ui.view.record("therapy")
    ui.qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert not messages.texts_of("question")


def test_amend_keeps_the_history(ui, opened, qtbot):
    dialog = ui.view.record("outcome")
    dialog.nrs.setText("6")
    first = ui.save(dialog)
    amend = ui.view.amend(first)
    assert "Amend" in amend.windowTitle()
    assert amend.nrs.text() == "6"
    amend.nrs.setText("5")
    qtbot.waitUntil(amend.error_labels["amendment_reason"].isVisible)
    assert not amend.save_button.isEnabled()  # a reason is required
    amend.reason.setPlainText("Typed 6 instead of 5")
    second = ui.save(amend)
    assert second.version == 2 and second.root_id == first.root_id
    ui.wait(lambda: [e.version for e in ui.view.timeline.model.entries()] == [2])
    model = ui.view.timeline.model
    assert model.index(0, model.STATUS).data() == "amended (v. 2)"
    ui.view.timeline.select_root(first.root_id)
    ui.view.timeline.history_button.click()
    ui.wait(lambda: isinstance(ui.view.last_dialog, HistoryDialog))
    history = ui.view.last_dialog
    assert len(history.versions) == 2
    assert history.versions[0].record.nrs == 6 and history.versions[1].record.nrs == 5
    assert "Typed 6 instead of 5" in history.list.item(1).text()


def test_remove_as_entered_in_error_needs_a_reason(ui, opened):
    dialog = ui.view.record("note")
    dialog.fields["text"].setPlainText("Wrong patient")
    entry = ui.save(dialog)
    remove = ui.view.remove(entry)
    assert not remove.save_button.isEnabled()
    remove.reason.setPlainText("Belongs to another patient")
    ui.save(remove)
    ui.wait(lambda: ui.timeline_kinds() == [])
    ui.view.timeline.show_removed.setChecked(True)
    ui.wait(lambda: ui.timeline_kinds() == ["note"])
    model = ui.view.timeline.model
    assert model.index(0, model.STATUS).data() == "entered in error"
    assert not ui.view.timeline.amend_button.isEnabled()


def test_timeline_filters_by_kind_and_toggles_order(ui, opened):
    _patient, episode = opened
    timeline = ui.window.clinic.timeline
    timeline.add(episode.id, "outcome", {"date": TODAY - timedelta(days=20), "nrs": 7})
    timeline.add(episode.id, "note", {"date": TODAY - timedelta(days=10), "text": "Called"})
    timeline.add(episode.id, "outcome", {"date": TODAY, "nrs": 4})
    pane = ui.view.timeline
    pane.reload()
    ui.wait(lambda: len(pane.model.entries()) == 3)
    dates = [e.event_date for e in pane.model.entries()]
    assert dates == sorted(dates, reverse=True)  # newest first
    pane.order_button.click()
    ui.wait(lambda: pane.model.entries()[0].event_date < pane.model.entries()[-1].event_date)
    assert "Oldest first" in pane.order_button.text()
    pane.set_kind("note")
    ui.wait(lambda: ui.timeline_kinds() == ["note"])
    pane.set_kind("medication")
    ui.wait(lambda: ui.timeline_kinds() == [])
    assert "No medication course events" in pane.empty_label.text()


def test_opening_an_event_shows_its_fields(ui, opened):
    dialog = ui.view.record("outcome")
    dialog.nrs.setText("6")
    entry = ui.save(dialog)
    ui.view.timeline.select_root(entry.root_id)
    ui.qtbot.keyClick(ui.view.timeline.table, Qt.Key.Key_Return)
    viewer = ui.view.last_dialog
    assert "Outcome measures" in viewer.windowTitle()
    assert "Record " in viewer.windowTitle()


def test_assessment_region_from_the_body_diagram_and_radios(ui, opened):
    dialog = ui.view.record("assessment")
    diagram = dialog.findChild(BodyDiagram)
    diagram.click_half(above=False)
    assert dialog.fields["pain_region"].value() == "below_belt"
    diagram.click_half(above=True)
    assert dialog.fields["pain_region"].value() == "both"
    dialog.region.buttons["above_belt"].click()
    assert diagram.region() == "above_belt"
    dialog.close_without_asking()


def test_medication_form_requires_a_name(ui, opened):
    dialog = ui.view.record("medication")
    dialog.fields["category"].set_value("nsaid")
    ui.qtbot.waitUntil(dialog.error_labels["name"].isVisible)
    assert "required" in dialog.error_labels["name"].text()
    assert not dialog.save_button.isEnabled()


def _tab_chain(start, stop_after: int = 80) -> list:
    chain, widget = [], start
    for _ in range(stop_after):
        chain.append(widget)
        widget = widget.nextInFocusChain()
        if widget is start:
            break
    return chain


def test_tab_order_follows_the_form_and_ends_with_the_buttons(ui, opened):
    dialog = ui.view.record("outcome")
    chain = _tab_chain(dialog.fields["date"])
    position = {id(w): i for i, w in enumerate(chain)}
    date_at, nrs_at = position[id(dialog.fields["date"])], position[id(dialog.nrs)]
    last_odi = position[id(dialog.odi.combos[-1])]
    save_at = position[id(dialog.save_button)]
    assert date_at < nrs_at < last_odi < save_at
    dialog.close_without_asking()


@pytest.mark.sqlite_only  # fills the SQLite file's pages
def test_a_full_disk_refuses_the_save_and_the_form_keeps_its_input(ui, opened, clinic, messages):
    from sqlalchemy import event

    from sijdesk.check import check_database

    # SQLite's page limit gives exactly the error a full disk gives.
    @event.listens_for(clinic.db.engine, "connect")
    def _full(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    clinic.db.engine.dispose()
    dialog = ui.view.record("note")
    # Longer than the few free pages a migration may leave behind (48,000 characters).
    text = "Long consultation note. " * 2000
    dialog.fields["text"].set_value(text)
    assert ui.save(dialog) is None
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.fields["text"].value() == text.strip() or dialog.fields["text"].value() == text
    assert any("disk is full" in t for t in messages.texts_of("warning"))
    event.remove(clinic.db.engine, "connect", _full)
    clinic.db.engine.dispose()
    assert ui.timeline_kinds() == []
    assert check_database(clinic.db.path).ok
    dialog.close_without_asking()


def test_the_chart_draws_from_the_timelines_read_of_the_episode(ui, opened, clinic):
    """Opening an episode reads its events once (audited once), for both timeline and
    chart; a timeline narrowed to one kind leaves the chart showing the whole episode."""
    _patient, episode = opened

    def timeline_reads() -> int:
        with clinic.db.read() as session:
            return session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "timeline.view", AuditEvent.entity_id == episode.id)
            )

    clinic.timeline.add(episode.id, "outcome", {"date": TODAY - timedelta(days=7), "nrs": 6})
    before = timeline_reads()
    ui.view.reload()
    ui.wait_idle()
    assert timeline_reads() == before + 1
    assert ui.view.chart.points[0] == [(TODAY - timedelta(days=7), 6.0)]
    ui.view.timeline.set_kind("therapy")
    ui.wait_idle()
    assert ui.timeline_kinds() == []
    assert ui.view.chart.points[0] == [(TODAY - timedelta(days=7), 6.0)]


def test_opening_a_patient_reads_everything_in_one_job_and_one_audit_write(
    ui, patient_with_episode, clinic, monkeypatch
):
    """Header, timeline, chart and advice come from one worker job whose reads are
    audited one by one but written in one transaction (issue 14: opening speed)."""
    patient, episode = patient_with_episode
    clinic.timeline.add(episode.id, "outcome", {"date": TODAY - timedelta(days=7), "nrs": 6})
    clinic.timeline.add(episode.id, "therapy", {"date": TODAY - timedelta(days=3)})
    jobs: list[str] = []
    run = ui.window.ops.run

    def counted_run(fn, **options):
        jobs.append(options.get("label", ""))
        return run(fn, **options)

    writes: list[int] = []
    write = clinic.db.write

    def counted_write():
        writes.append(1)
        return write()

    monkeypatch.setattr(ui.window.ops, "run", counted_run)
    monkeypatch.setattr(clinic.db, "write", counted_write)
    ui.open_patient(patient.id)
    assert jobs == ["open patient"]
    assert len(writes) == 1
    assert ui.timeline_kinds() == ["therapy", "outcome"]  # newest first
    assert ui.view.chart.points[0] == [(TODAY - timedelta(days=7), 6.0)]
    assert ui.panel.episode_id == episode.id
    assert ui.panel.episode_advice is not None
    assert ui.panel.episode_advice.advice is not None
    assert ui.panel.accept_button.isEnabled()


def test_an_opened_patient_keeps_the_timelines_filter_and_shows_an_advice_failure(
    ui, patient_with_episode, clinic, monkeypatch
):
    from sijdesk.errors import UserError

    patient, episode = patient_with_episode
    clinic.timeline.add(episode.id, "outcome", {"date": TODAY - timedelta(days=7), "nrs": 6})
    clinic.timeline.add(episode.id, "therapy", {"date": TODAY - timedelta(days=3)})
    ui.view.timeline.set_kind("outcome")
    ui.wait_idle()

    def broken(*_args):
        raise UserError("The pathway's thresholds file is damaged.")

    from sijdesk.services import pathway_service

    monkeypatch.setattr(pathway_service, "advise", broken)
    ui.window.ops.default_failure = lambda exc, context: None  # the dialog is tested elsewhere
    ui.open_patient(patient.id)
    assert ui.timeline_kinds() == ["outcome"]
    assert ui.view.chart.points[0] == [(TODAY - timedelta(days=7), 6.0)]
    assert ui.panel.episode_advice is None
    assert "thresholds file is damaged" in ui.panel.panel_text()
    assert not ui.panel.accept_button.isEnabled()
