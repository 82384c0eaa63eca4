"""The imaging result kind, declared in one module, from form to timeline to letter."""

from __future__ import annotations

from datetime import timedelta

from sijdesk.kinds import KINDS, RECORDABLE_KINDS
from sijdesk.kinds.imaging import ImagingRecord
from tests.conftest import TODAY
from tests.documents.pdfcheck import pdf_text

FINDING = "Mild degenerative change of the left sacroiliac joint; no sacroiliitis."


def test_the_record_menu_offers_imaging_with_its_declared_text(ui):
    assert "imaging" in RECORDABLE_KINDS
    action = ui.window.record_actions["imaging"]
    assert action.text() == "Ima&ging result…"
    mnemonics = [a.text().split("&")[1][0].lower() for a in ui.window.record_actions.values()]
    assert len(mnemonics) == len(set(mnemonics))


def test_the_declared_form_records_an_imaging_result_and_the_timeline_shows_it(
    ui, patient_with_episode
):
    patient, episode = patient_with_episode
    ui.open_patient(patient.id)
    dialog = ui.view.record("imaging")
    assert dialog.windowTitle().startswith("Record imaging result")
    assert dialog.fields["modality"].itemText(2) == "MRI"  # the declared words, not the id
    assert not dialog.save_button.isEnabled()  # modality and region are required
    dialog.fields["date"].set_value(TODAY - timedelta(days=3))
    dialog.fields["modality"].set_value("mri")
    dialog.fields["region"].set_value("pelvis_sij")
    dialog.fields["finding"].setPlainText(FINDING)
    dialog.fields["report_received"].set_value(True)
    entry = ui.save(dialog)
    assert entry is not None
    assert entry.record == ImagingRecord(
        modality="mri", region="pelvis_sij", finding=FINDING, report_received=True
    )
    assert entry.summary.startswith("MRI of the pelvis and sacroiliac joints · report received")
    assert "imaging" in ui.timeline_kinds()
    stored = ui.view.clinic.timeline.entries(episode.id)
    assert [e.kind for e in stored] == ["imaging"]


def test_amending_an_imaging_result_loads_its_values_and_keeps_the_first_version(
    ui, clinic, patient_with_episode
):
    patient, episode = patient_with_episode
    first = clinic.timeline.add(
        episode.id, "imaging", {"date": TODAY, "modality": "xray", "region": "hip"}
    )
    ui.open_patient(patient.id)
    dialog = ui.view.amend(first)
    assert dialog.fields["modality"].value() == "xray"
    assert dialog.fields["report_received"].value() is None
    dialog.fields["report_received"].set_value(False)
    dialog.reason.setPlainText("Report not in yet")
    amended = ui.save(dialog)
    assert amended.version == 2 and amended.record.report_received is False
    assert "report awaited" in amended.summary
    assert [v.id for v in clinic.timeline.history(first.id)][0] == first.id


def test_an_imaging_result_that_breaks_its_declaration_is_refused_beside_the_field(
    ui, patient_with_episode
):
    patient, _episode = patient_with_episode
    ui.open_patient(patient.id)
    dialog = ui.view.record("imaging")
    dialog.fields["modality"].set_value("ct")
    dialog.revalidate()
    assert "is required" in dialog.error_labels["region"].text()
    assert not dialog.save_button.isEnabled()


def test_a_referral_letter_lists_the_imaging_under_its_declared_heading(
    clinic, patient_with_episode
):
    _patient, episode = patient_with_episode
    clinic.timeline.add(
        episode.id,
        "imaging",
        {"date": TODAY - timedelta(days=10), **KINDS["imaging"].example, "finding": FINDING},
    )
    made = clinic.documents.create_letter(episode.id, "spine_surgeon")
    text = " ".join(pdf_text(made.pdf).split())
    assert "Imaging" in text
    day = (TODAY - timedelta(days=10)).isoformat()
    assert f"{day} MRI of the pelvis and sacroiliac joints: Mild degenerative change" in text
    assert "no sacroiliitis (report received)." in text
