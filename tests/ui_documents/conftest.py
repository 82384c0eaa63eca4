"""Fixtures for the documents UI tests (pytest-qt, offscreen)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.conftest import TODAY  # noqa: E402 - one "today" for every test
from tests.signin import copy_clinic  # noqa: E402

HERE = Path(__file__).parent
# The offscreen platform plugin says this whenever a window is shown; it is not ours.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(scope="session")
def ui_demo_template(tmp_path_factory):
    from sijdesk.demo import create_demo_clinic, new_demo_clinic

    path = tmp_path_factory.mktemp("ui-documents-demo") / "demo.sqlite3"
    clinic = new_demo_clinic(str(path), clock=lambda: TODAY)
    create_demo_clinic(clinic, patients=12)
    clinic.close()
    return path


@pytest.fixture
def demo_path(ui_demo_template, tmp_path):
    path = tmp_path / "demo.sqlite3"
    copy_clinic(ui_demo_template, path)
    return path


@pytest.fixture
def open_as(demo_path):
    """Open the private demo clinic as a given user; closed at the end of the test."""
    from sijdesk.demo import DEMO_PASSWORD
    from tests.signin import reopen_clinic

    opened = []

    def open_clinic(username: str = "dr.okafor"):
        clinic = reopen_clinic(
            demo_path, username=username, password=DEMO_PASSWORD, clock=lambda: TODAY
        )
        opened.append(clinic)
        return clinic

    yield open_clinic
    for clinic in opened:
        clinic.close()


@pytest.fixture(autouse=True)
def messages(monkeypatch):
    """Capture every modal message instead of showing it; a crash dialog fails the test."""
    from sijdesk.ui.errors import Messages

    shown: list[tuple[str, str, str]] = []
    crashes: list[str] = []
    monkeypatch.setattr(
        Messages, "crash", staticmethod(lambda parent, summary, details: crashes.append(details))
    )
    monkeypatch.setattr(
        Messages,
        "info",
        staticmethod(lambda parent, title, text: shown.append(("info", title, text))),
    )
    monkeypatch.setattr(
        Messages,
        "warning",
        staticmethod(lambda parent, title, text: shown.append(("warning", title, text))),
    )
    monkeypatch.setattr(
        Messages,
        "question",
        staticmethod(lambda parent, title, text, **kw: shown.append(("question", title, text))),
    )
    yield shown
    assert crashes == [], crashes[0] if crashes else ""


@pytest.fixture
def pdf_printer(monkeypatch, tmp_path):
    """A pretend printer: Qt's print dialog is replaced by one that prints to a PDF file."""
    from PySide6.QtPrintSupport import QPrinter

    from sijdesk.ui.pdf_preview import PdfPrinter

    jobs: list[str] = []

    def ask(self, printer: QPrinter) -> bool:
        path = tmp_path / f"printed-{len(jobs) + 1}.pdf"
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        jobs.append(str(path))
        return True

    monkeypatch.setattr(PdfPrinter, "printers_available", staticmethod(lambda: True))
    monkeypatch.setattr(PdfPrinter, "ask_print_dialog", ask)
    return jobs


@pytest.fixture
def no_printer(monkeypatch):
    from sijdesk.ui.pdf_preview import PdfPrinter

    def refuse(self, printer):
        raise AssertionError("the print dialog must not open without a printer")

    monkeypatch.setattr(PdfPrinter, "printers_available", staticmethod(lambda: False))
    monkeypatch.setattr(PdfPrinter, "ask_print_dialog", refuse)
