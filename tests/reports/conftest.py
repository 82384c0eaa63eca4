"""Fixtures for the documents tests: a writable demo clinic and PDF reading helpers."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY  # noqa: E402 - one "today" for every test
from tests.signin import copy_clinic


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
def demo(documents_demo_template, tmp_path):
    """A private copy of the demo clinic, acting as the administrator."""
    from sijdesk.demo import DEMO_PASSWORD
    from tests.signin import reopen_clinic

    path = tmp_path / "demo.sqlite3"
    copy_clinic(documents_demo_template, path)
    clinic = reopen_clinic(path, password=DEMO_PASSWORD, clock=lambda: TODAY)
    yield clinic
    clinic.close()


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
