"""A real print through a CUPS queue (the raw file queue of shared/tools/printer).

Skipped unless such a queue exists: set it up with

    ../shared/tools/printer/printer_up.sh --queue SIJ_RAW --backend file --no-default

(or name another queue in SIJDESK_TEST_PRINT_QUEUE). The test never starts
cupsd itself, so the normal run stays quick and needs no root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

QUEUE = os.environ.get("SIJDESK_TEST_PRINT_QUEUE", "SIJ_RAW")


def _queue_folder() -> Path | None:
    from PySide6.QtPrintSupport import QPrinterInfo

    if shutil.which("lpstat") is None:
        return None
    info = QPrinterInfo.printerInfo(QUEUE)
    if info.isNull():
        return None
    location = info.location()
    marker = "files go to "
    if marker in location:
        return Path(location.split(marker, 1)[1].strip())
    return Path(os.environ.get("SIJ_PRINTER_OUT", f"/var/spool/cups-pdf/{QUEUE}"))


def _queue_empty() -> bool:
    result = subprocess.run(  # noqa: PLW1510 - an error means "not empty yet"
        ["lpstat", "-o", QUEUE], capture_output=True, text=True, timeout=10
    )
    return result.returncode == 0 and not result.stdout.strip()


def test_a_handout_prints_through_the_cups_queue(qtbot, open_as, monkeypatch):
    folder = _queue_folder()
    if folder is None or not folder.is_dir():
        pytest.skip(f"no CUPS queue {QUEUE} (run shared/tools/printer/printer_up.sh)")
    from sijdesk.ui.pdf_preview import PdfPreview, PdfPrinter

    clinic = open_as("reception.haddad")
    docs = clinic.documents
    made = docs.render_handout("sij-belt", clinic.patients.get_by_record_number("000002").id)

    def choose_queue(self, printer) -> bool:
        printer.setPrinterName(QUEUE)
        return True

    monkeypatch.setattr(PdfPrinter, "ask_print_dialog", choose_queue)
    before = {p.name for p in folder.glob("*.pdf")}
    started = time.time()
    preview = PdfPreview(made.pdf, "SIJ Desk CUPS test")
    qtbot.addWidget(preview)
    with qtbot.waitSignal(preview.printed, timeout=30_000) as printed:
        preview.print_button.click()
    assert printed.args[0] == QUEUE

    def new_files() -> list[Path]:
        return [
            p
            for p in folder.glob("*.pdf")
            if p.name not in before and p.stat().st_mtime >= started - 1
        ]

    qtbot.waitUntil(lambda: _queue_empty() and bool(new_files()), timeout=60_000)
    (job,) = new_files()
    assert len(PdfReader(job).pages) == preview.page_count
