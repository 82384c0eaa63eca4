"""The PDF preview: shows a generated document, prints through the dialog, saves, no printer."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from sijdesk.ui.pdf_preview import PdfPreview


def _letter(open_as):

    clinic = open_as("dr.okafor")
    docs = clinic.documents
    patient = clinic.patients.get_by_record_number("000003")
    episode = clinic.episodes.list_for_patient(patient.id)[0]
    return docs.create_letter(episode.id, "injection_clinic")


def test_preview_opens_a_generated_pdf(qtbot, open_as, tmp_path):
    made = _letter(open_as)
    preview = PdfPreview(made.pdf, made.title, file_name=made.file_name)
    qtbot.addWidget(preview)
    preview.show()
    qtbot.waitExposed(preview)
    expected = len(PdfReader(io.BytesIO(made.pdf)).pages)
    assert preview.page_count == expected >= 2
    assert preview.windowTitle() == made.title
    assert f"{expected} pages" in preview.info.text()
    image = preview.grab()
    assert not image.isNull()
    image.save(str(tmp_path / "preview.png"))


def test_print_without_a_printer_says_so_and_saving_still_works(
    qtbot, open_as, tmp_path, messages, no_printer, monkeypatch
):
    made = _letter(open_as)
    preview = PdfPreview(made.pdf, made.title, file_name=made.file_name)
    qtbot.addWidget(preview)
    assert "no printer installed" in preview.info.text()
    with qtbot.assertNotEmitted(preview.printed):
        assert preview.print_button.isEnabled()
        preview.print_button.click()
    assert messages.shown and "No printer is installed" in messages.shown[-1][2]
    target = tmp_path / "saved-letter"
    monkeypatch.setattr(preview, "ask_save_path", lambda: str(target))
    with qtbot.waitSignal(preview.saved) as saved:
        preview.save_button.click()
    path = Path(saved.args[0])
    assert path.suffix == ".pdf"
    assert path.read_bytes() == made.pdf


def test_print_goes_through_the_print_dialog_and_prints_every_page(qtbot, open_as, pdf_printer):
    made = _letter(open_as)
    preview = PdfPreview(made.pdf, made.title)
    qtbot.addWidget(preview)
    with qtbot.waitSignal(preview.printed):
        preview.print_button.click()
    (job,) = pdf_printer
    printed = PdfReader(job)
    assert len(printed.pages) == preview.page_count


def test_cancelled_print_dialog_prints_nothing(qtbot, open_as, monkeypatch):
    from sijdesk.ui.pdf_preview import PdfPrinter

    monkeypatch.setattr(PdfPrinter, "printers_available", staticmethod(lambda: True))
    monkeypatch.setattr(PdfPrinter, "ask_print_dialog", lambda self, printer: False)
    made = _letter(open_as)
    preview = PdfPreview(made.pdf, made.title)
    qtbot.addWidget(preview)
    with qtbot.assertNotEmitted(preview.printed):
        assert preview.print_document() is False
