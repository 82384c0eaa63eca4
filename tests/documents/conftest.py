"""Fixtures for the documents tests: private copies of a small demo clinic, printers."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY  # one "today" for every test
from tests.signin import copy_clinic, finish_window_work


@pytest.fixture(scope="session")
def documents_demo_template(tmp_path_factory):
    """A 12-patient demo clinic made once; tests get their own copy."""
    from sijdesk.demo import create_demo_clinic, new_demo_clinic

    path = tmp_path_factory.mktemp("documents-demo") / "demo.sqlite3"
    clinic = new_demo_clinic(str(path), clock=lambda: TODAY)
    create_demo_clinic(clinic, patients=12)
    clinic.close()
    return path


@pytest.fixture
def demo_path(documents_demo_template, tmp_path):
    """Where this test's private copy of the demo clinic is."""
    path = tmp_path / "demo.sqlite3"
    copy_clinic(documents_demo_template, path)
    return path


@pytest.fixture(scope="session")
def documents_demo_on_server(documents_demo_template, postgres_server, tmp_path_factory):
    """The same demo clinic copied once to the test server (as `sijdesk migrate-db`
    would), and the audit key the copy left in the data folder."""
    from sijdesk.copy_db import copy_clinic as migrate

    home = tmp_path_factory.mktemp("documents-demo-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIJDESK_HOME", str(home))
        url = postgres_server.new_database()
        migrate(str(documents_demo_template), url)
    [key] = (home / "audit-keys").glob("*.key")
    return url, key


@pytest.fixture
def demo_location(database_kind, demo_path, request):
    """This test's private demo clinic: its SQLite file, or a copy on the server."""
    if database_kind == "sqlite":
        return demo_path
    from tests.signin import server_copy

    template, key = request.getfixturevalue("documents_demo_on_server")
    return server_copy(request.getfixturevalue("postgres_server"), template, key)


@pytest.fixture
def open_as(demo_location):
    """Open the private demo clinic as a given user; closed at the end of the test."""
    from sijdesk.demo import DEMO_PASSWORD
    from tests.signin import reopen_clinic

    opened = []

    def open_clinic(username: str = "dr.okafor"):
        clinic = reopen_clinic(
            demo_location, username=username, password=DEMO_PASSWORD, clock=lambda: TODAY
        )
        opened.append(clinic)
        return clinic

    yield open_clinic
    finish_window_work()
    for clinic in opened:
        clinic.close()


@pytest.fixture
def demo(open_as):
    """The private demo clinic, acting as the administrator."""
    return open_as("admin")


def documents_for(clinic, username: str):

    acting = clinic.as_user(username)
    return acting.documents


@pytest.fixture
def docs(demo):
    """The document service acting as the demo clinic's physician."""
    return documents_for(demo, "dr.okafor")


def find_episode(clinic, *, referral: str | None = None, closed: bool = False) -> int:
    """An episode of the demo clinic whose advice suggests ``referral``."""
    for patient in clinic.patients.search(sort="record_number", limit=12):
        for episode in clinic.episodes.list_for_patient(patient.id):
            advice = clinic.pathway.episode_advice(episode.id)
            if closed and advice.advice is None:
                return episode.id
            if not closed and advice.advice is not None and advice.advice.referral == referral:
                return episode.id
    raise LookupError(f"no demo episode with referral {referral!r}")


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
