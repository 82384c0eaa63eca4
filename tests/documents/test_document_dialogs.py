"""Letter and care plan dialogs, clinic letterhead dialog, and the main-window hooks."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtWidgets import QMainWindow

from sijdesk.ui import documents_hooks
from sijdesk.ui.clinic_settings_dialog import ClinicSettingsDialog, FirstRunPrompt
from sijdesk.ui.documents_dialog import CarePlanDialog, LetterDialog
from sijdesk.ui.pdf_preview import PdfPreview


def _episode(clinic, record: str) -> int:
    patient = clinic.patients.get_by_record_number(record)
    return clinic.episodes.list_for_patient(patient.id)[0].id


def _text(pdf: bytes) -> str:
    return " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages)


def _close_previews(qtbot):
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, PdfPreview):
            widget.close()


def test_letter_dialog_preselects_the_advised_kind_and_signs_an_edited_letter(qtbot, open_as):
    clinic = open_as("dr.okafor")
    episode_id = _episode(clinic, "000003")
    dialog = LetterDialog(clinic, episode_id)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10_000)
    assert dialog.kind() == "injection_clinic"
    assert "★ advised" in dialog.kind_combo.currentText()
    assert "王, 芳" in dialog.windowTitle()
    assert "1968-11-20" in dialog.windowTitle()
    assert "000003" in dialog.windowTitle()
    assert "diagnostic block" in dialog.question.toPlainText()
    assert "Laslett provocation cluster" in dialog.text_view.toPlainText()
    assert dialog.signer_label.text().startswith("Dr Adaeze Okafor")
    dialog.question.setPlainText("Would you also check the hip joint while you are there?")
    with qtbot.waitSignal(dialog.documentCreated, timeout=15_000) as created:
        dialog.sign_button.click()
    made = created.args[0]
    assert "Would you also check the hip joint while you are there?" in _text(made.pdf)
    entries = clinic.timeline.entries(episode_id, kinds=["document"])
    assert entries[0].id == made.info.event_id
    _close_previews(qtbot)


def test_the_letter_dialog_says_when_allergies_were_never_asked(qtbot, open_as):
    clinic = open_as("dr.okafor")
    patient = clinic.patients.get_by_record_number("000004")  # the demo's "never asked"
    dialog = LetterDialog(clinic, _episode(clinic, "000004"), kind="injection_clinic")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10_000)
    assert dialog.kind() == "injection_clinic"
    assert clinic.allergies.status(patient.id).state == "not_recorded"
    assert dialog.allergy_note.isVisibleTo(dialog)
    assert "Allergies are not recorded" in dialog.allergy_note.text()
    clinic.allergies.record_none_known(patient.id)
    dialog.refresh_draft()
    qtbot.waitUntil(lambda: not dialog.allergy_note.isVisibleTo(dialog), timeout=10_000)
    assert "Allergies: none known" in dialog.text_view.toPlainText()


def test_cancel_asks_before_discarding_typed_wording(qtbot, open_as, messages):
    clinic = open_as("dr.okafor")
    dialog = LetterDialog(clinic, _episode(clinic, "000003"))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10_000)
    dialog.show()
    dialog.question.setPlainText("Something I typed")
    dialog.cancel_button.click()  # the recorded question() answers "no" (None)
    assert messages.shown[-1][0] == "question"
    assert dialog.isVisible()


def test_changing_the_kind_loads_that_kinds_wording(qtbot, open_as):
    clinic = open_as("dr.okafor")
    dialog = LetterDialog(clinic, _episode(clinic, "000003"))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10_000)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("rheumatology"))
    qtbot.waitUntil(lambda: dialog.draft.options.kind == "rheumatology", timeout=10_000)
    assert "inflammatory" in dialog.question.toPlainText()
    assert dialog.recipient.text() == "Dr Aiko Tanaka"  # the demo clinic's default contact


def test_a_kind_requested_by_the_step_panel_is_preselected(qtbot, open_as):
    clinic = open_as("dr.okafor")
    dialog = LetterDialog(clinic, _episode(clinic, "000003"), kind="spine_surgeon")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10_000)
    assert dialog.kind() == "spine_surgeon"


def test_care_plan_dialog_creates_a_large_print_plan(qtbot, open_as):
    clinic = open_as("physio.lindqvist")
    episode_id = _episode(clinic, "000001")
    dialog = CarePlanDialog(clinic, episode_id)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10_000)
    assert "ŁUKASIEWICZ, Zoë" in dialog.windowTitle()
    assert dialog.goals.toPlainText().strip()
    dialog.large_print.setChecked(True)
    dialog.goals.setPlainText("Walk the dog around the park again")
    with qtbot.waitSignal(dialog.documentCreated, timeout=15_000) as created:
        dialog.create_button.click()
    made = created.args[0]
    assert made.info.parameters["large_print"] is True
    assert "Walk the dog around the park again" in _text(made.pdf)
    _close_previews(qtbot)


def _png_file(tmp_path, name="logo.png"):
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (300, 90), (30, 80, 150)).save(path)
    return path


def test_letterhead_dialog_saves_name_logo_and_signature(qtbot, open_as, tmp_path):
    clinic = open_as("admin")
    dialog = ClinicSettingsDialog(clinic)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=10_000)
    assert dialog.clinic_name.text() == "Riverside Pelvis & Spine Clinic"
    dialog.clinic_name.setText("Riverside Pelvis & Spine Clinic — Kraków")
    logo = _png_file(tmp_path)
    dialog.ask_image_path = lambda what: str(logo)
    dialog.logo.choose.click()
    dialog.signature.choose.click()
    dialog.signer_credentials.setText("Practice manager")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save_button.click()
    settings = saved.args[0]
    assert settings.clinic_name.endswith("Kraków")
    assert settings.logo_png is not None
    assert settings.signature_png is not None
    assert settings.signer_credentials == "Practice manager"


def test_letterhead_dialog_shows_a_bad_image_beside_its_field(qtbot, open_as, tmp_path):
    clinic = open_as("admin")
    dialog = ClinicSettingsDialog(clinic)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=10_000)
    bogus = tmp_path / "not-an-image.png"
    bogus.write_bytes(b"this is not a picture")
    dialog.ask_image_path = lambda what: str(bogus)
    dialog.logo.choose.click()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.errors["logo_png"].isVisibleTo(dialog), timeout=10_000)
    assert "PNG or JPEG" in dialog.errors["logo_png"].text()
    assert dialog.save_button.isEnabled()


def test_letterhead_is_read_only_for_clinicians(qtbot, open_as):
    clinic = open_as("physio.lindqvist")
    dialog = ClinicSettingsDialog(clinic)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=10_000)
    assert not dialog.clinic_name.isEnabled() or not dialog.clinic_name.parentWidget().isEnabled()
    assert dialog.signer_name.isEnabledTo(dialog)


class _FakeView:
    def __init__(self, patient=None, episode=None):
        self.patient = patient
        self.episode = episode
        self.reloaded = 0

    def reload(self):
        self.reloaded += 1


def _window(qtbot, clinic, settings):
    from sijdesk.ui.main_window import MainWindow

    window = MainWindow(clinic, settings)
    qtbot.addWidget(window)
    return window


def test_documents_menu_lists_the_actions_and_opens_the_letter_dialog(
    qtbot, open_as, messages, monkeypatch, settings
):
    clinic = open_as("dr.okafor")
    window = _window(qtbot, clinic, settings)
    (menu,) = [
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Documents"
    ]
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Write referral letter…",
        "Care plan…",
        "Handouts…",
        "Print…",
        "Clinic letterhead…",
    ]
    assert window.act_print.shortcut().toString() == "Ctrl+P"
    window.act_letter.setEnabled(True)  # the window disables it while no episode is open
    window.act_letter.trigger()  # no patient open: says what to do
    assert messages.shown and "episode" in messages.shown[-1][2]
    messages.shown.clear()
    window.step_panel.referralRequested.emit("urgent")  # one message: connected once
    assert len(messages.shown) == 1
    window.ops.shutdown()
    patient = clinic.patients.get_by_record_number("000003")
    episode = clinic.episodes.list_for_patient(patient.id)[0]
    host = QMainWindow()
    qtbot.addWidget(host)
    host.patient_view = _FakeView(patient, episode)
    controller = documents_hooks.DocumentsController(host, clinic)
    dialog = controller.write_letter("urgent")
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10_000)
    assert dialog.kind() == "urgent"
    dialog.close()


def test_reception_gets_the_latest_care_plan_not_the_dialog(qtbot, open_as, messages):
    doctor = open_as("dr.okafor")

    docs = doctor.documents
    made = docs.create_care_plan(_episode(doctor, "000002"))
    clinic = open_as("reception.haddad")
    window = QMainWindow()
    qtbot.addWidget(window)
    controller = documents_hooks.DocumentsController(window, clinic)
    window.patient_view = _FakeView(clinic.patients.get_by_record_number("000002"))
    controller.write_letter()
    assert "clinicians" in messages.shown[-1][2]
    controller.make_care_plan()
    qtbot.waitUntil(
        lambda: any(isinstance(d, PdfPreview) for d in controller.dialogs), timeout=10_000
    )
    preview = next(d for d in controller.dialogs if isinstance(d, PdfPreview))
    assert preview.pdf == made.pdf
    preview.close()


def test_first_run_prompt_offers_the_letterhead_dialog(qtbot, tmp_path, monkeypatch):
    from tests.signin import new_clinic

    clinic = new_clinic(tmp_path / "empty.sqlite3")
    try:
        asked = []
        monkeypatch.setattr(
            FirstRunPrompt, "ask", staticmethod(lambda parent: asked.append(1) or True)
        )
        window = QMainWindow()
        qtbot.addWidget(window)
        controller = documents_hooks.DocumentsController(window, clinic)
        controller.offer_first_run()
        qtbot.waitUntil(lambda: bool(asked), timeout=10_000)
        qtbot.waitUntil(
            lambda: any(isinstance(d, ClinicSettingsDialog) for d in controller.dialogs),
            timeout=10_000,
        )
        for d in controller.dialogs:
            d.close()
    finally:
        clinic.close()


def test_saving_a_recorded_document_to_a_file_is_audited(qtbot, open_as, tmp_path, monkeypatch):
    from sqlalchemy import select

    from sijdesk.models import AuditEvent

    doctor = open_as("dr.okafor")
    made = doctor.documents.create_letter(_episode(doctor, "000003"), "physiotherapy")
    window = QMainWindow()
    qtbot.addWidget(window)
    controller = documents_hooks.DocumentsController(window, doctor)
    preview = controller._show_recorded(made)
    target = tmp_path / "out" / "letter.pdf"
    target.parent.mkdir()
    monkeypatch.setattr(preview, "ask_save_path", lambda: str(target))
    preview.save_button.click()
    assert target.read_bytes() == made.pdf

    def saved():
        with doctor.db.read() as session:
            return session.scalars(select(AuditEvent).where(AuditEvent.action == "save")).all()

    qtbot.waitUntil(lambda: len(saved()) == 1, timeout=10_000)
    (event,) = saved()
    assert event.entity_id == made.info.event_id
    assert event.details == {"sha256": made.sha256, "file_name": "letter.pdf"}
    preview.close()
    controller.ops.shutdown()


def test_the_letter_dialog_addresses_a_contact_with_urgency_and_the_gp_copy(qtbot, open_as):
    clinic = open_as("dr.okafor")
    patient = clinic.patients.get_by_record_number("000003")
    gp = clinic.contacts.create({"name": "Dr Harriet Mensah", "role": "gp"})
    clinic.patients.update(patient.id, {"gp_contact_id": gp.id})
    clinic_contact = clinic.contacts.create(
        {"name": "Dr Ravi Menon", "role": "injection_clinic", "practice": "Pain Unit"}
    )
    clinic.contacts.set_letter_default("injection_clinic", clinic_contact.id)
    other = clinic.contacts.create({"name": "Dr Lena Vogel", "role": "injection_clinic"})
    dialog = LetterDialog(clinic, _episode(clinic, "000003"))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10_000)
    assert dialog.to_combo.currentData() == clinic_contact.id  # the clinic's default
    assert not dialog.recipient.isEnabled()
    assert dialog.copy_to_gp.text().endswith("Dr Harriet Mensah")
    dialog.to_combo.setCurrentIndex(dialog.to_combo.findData(other.id))
    dialog.to_combo.activated.emit(dialog.to_combo.currentIndex())
    dialog.urgency_combo.setCurrentIndex(dialog.urgency_combo.findData("soon"))
    dialog.urgency_combo.activated.emit(dialog.urgency_combo.currentIndex())
    dialog.copy_to_gp.setChecked(False)
    qtbot.waitUntil(lambda: "To: Dr Lena Vogel" in dialog.text_view.toPlainText(), timeout=10_000)
    with qtbot.waitSignal(dialog.documentCreated, timeout=15_000) as created:
        dialog.sign_button.click()
    text = " ".join(_text(created.args[0].pdf).split())
    assert "To: Dr Lena Vogel" in text and "Dear Dr Lena Vogel," in text
    assert "Urgency: SOON" in text
    assert "Copy to" not in text
    _close_previews(qtbot)


def test_an_addressee_outside_the_address_book_can_be_typed(qtbot, open_as):
    clinic = open_as("dr.okafor")
    default = clinic.contacts.create({"name": "Dr Ravi Menon", "role": "injection_clinic"})
    clinic.contacts.set_letter_default("injection_clinic", default.id)
    dialog = LetterDialog(clinic, _episode(clinic, "000003"))
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.draft is not None, timeout=10_000)
    dialog.to_combo.setCurrentIndex(0)
    dialog.to_combo.activated.emit(0)
    qtbot.waitUntil(dialog.recipient.isEnabled, timeout=10_000)
    dialog.recipient.setText("Pain Clinic, St Elsewhere")
    dialog.recipient.textEdited.emit("Pain Clinic, St Elsewhere")
    qtbot.waitUntil(
        lambda: "To: Pain Clinic, St Elsewhere" in dialog.text_view.toPlainText(), timeout=10_000
    )
    assert dialog.to_combo.currentData() is None
