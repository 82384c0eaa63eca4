"""Reception prints handouts without touching clinical data; the history shows them."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from sijdesk.ui.handouts_window import HandoutsWindow


@pytest.fixture
def no_clinical_reads(monkeypatch):
    """Fail the test if anything reads clinical records (timeline, episodes, advice)."""
    from sijdesk.services.episodes import EpisodeService
    from sijdesk.services.pathway_service import PathwayService
    from sijdesk.services.timeline import TimelineService

    def forbidden(*args, **kwargs):
        raise AssertionError("the handouts window read clinical data")

    for cls, names in (
        (TimelineService, ("entries", "get", "history")),
        (EpisodeService, ("get", "list_for_patient")),
        (PathwayService, ("episode_advice", "facts_for_episode")),
    ):
        for name in names:
            monkeypatch.setattr(cls, name, forbidden)


def _choose_patient(qtbot, window, text: str) -> None:
    window.search.setText(text)
    window.run_search()
    qtbot.waitUntil(lambda: window.results.count() > 0, timeout=10_000)
    window.results.setCurrentRow(0)


def _choose_handout(window, name: str) -> None:
    for row in range(window.handout_list.count()):
        if window.handout_list.item(row).data(0x0100) == name:
            window.handout_list.setCurrentRow(row)
            return
    raise LookupError(name)


def test_reception_prints_a_handout_for_a_patient_and_sees_it_in_the_history(
    qtbot, qtmodeltester, open_as, pdf_printer, no_clinical_reads
):
    clinic = open_as("reception.haddad")
    window = HandoutsWindow(clinic)
    qtbot.addWidget(window)
    window.show()
    _choose_handout(window, "sij-belt")
    _choose_patient(qtbot, window, "nguyen")
    assert "NGUYỄN, François" in window.chosen.text()
    assert window.patient.record_number == "000002"
    with qtbot.waitSignal(window.handoutPrinted, timeout=15_000) as printed:
        window.print_button.click()
    record = printed.args[0]
    assert record.handout == "sij-belt"
    assert record.version == "2.0"
    assert record.record_number == "000002"
    assert record.printed_by == "Rania Haddad"
    (job,) = pdf_printer
    assert len(PdfReader(job).pages) >= 1
    qtbot.waitUntil(lambda: window.history_model.rowCount() == 1, timeout=10_000)
    model = window.history_model
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row[1] == "Using an SI joint belt"
    assert row[2] == "2.0"
    assert "NGUYỄN, François · 000002" == row[3]
    assert row[4] == "Rania Haddad"
    qtmodeltester.check(model)


def test_blank_print_needs_no_patient(qtbot, open_as, pdf_printer, no_clinical_reads):
    clinic = open_as("reception.haddad")
    window = HandoutsWindow(clinic)
    qtbot.addWidget(window)
    _choose_handout(window, "medication-safety")
    assert window.blank.isChecked()
    with qtbot.waitSignal(window.handoutPrinted, timeout=15_000) as printed:
        window.print_button.click()
    assert printed.args[0].patient_id is None


def test_without_a_printer_reception_is_told_and_nothing_is_recorded(
    qtbot, open_as, messages, no_printer, no_clinical_reads
):
    clinic = open_as("reception.haddad")
    window = HandoutsWindow(clinic)
    qtbot.addWidget(window)
    _choose_patient(qtbot, window, "000001")
    with qtbot.assertNotEmitted(window.handoutPrinted, wait=300):
        window.print_button.click()
    assert "No printer is installed" in messages.shown[-1][2]

    docs = clinic.documents
    assert docs.handout_history() == []


def test_preview_then_print_records_the_handout(qtbot, open_as, pdf_printer, no_clinical_reads):
    clinic = open_as("reception.haddad")
    window = HandoutsWindow(clinic)
    qtbot.addWidget(window)
    _choose_handout(window, "sij-injection")
    _choose_patient(qtbot, window, "000003")
    window.large_print.setChecked(True)
    window.preview_button.click()
    qtbot.waitUntil(lambda: bool(window.previews), timeout=15_000)
    preview = window.previews[-1]
    assert "王, 芳" in preview.windowTitle()
    with qtbot.waitSignal(window.handoutPrinted, timeout=15_000) as printed:
        preview.print_button.click()
    assert printed.args[0].large_print is True
    preview.close()


def test_latest_care_plan_can_be_printed_from_the_handouts_window(qtbot, open_as):

    doctor = open_as("dr.okafor")
    patient = doctor.patients.get_by_record_number("000001")
    episode = doctor.episodes.list_for_patient(patient.id)[0]
    made = doctor.documents.create_care_plan(episode.id)
    clinic = open_as("reception.haddad")
    window = HandoutsWindow(clinic)
    qtbot.addWidget(window)
    _choose_patient(qtbot, window, "000001")
    assert window.care_plan_button.isEnabled()
    window.care_plan_button.click()
    qtbot.waitUntil(lambda: bool(window.previews), timeout=15_000)
    assert window.previews[-1].pdf == made.pdf
    window.previews[-1].close()
