"""Fixtures shared by every test: a temporary clinic database, users of each role.

Qt runs offscreen; every test gets its own SIJDESK_HOME so nothing touches
the real user data folder.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt keeps its own settings under XDG_CONFIG_HOME; tests must never touch the
# real user's (set before Qt is imported anywhere).
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="sijdesk-test-config-")

import pytest  # noqa: E402

TODAY = date(2026, 11, 29)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("sijdesk-home")
    monkeypatch.setenv("SIJDESK_HOME", str(home))
    monkeypatch.delenv("SIJDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("SIJDESK_USER", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "clinic.sqlite3"


@pytest.fixture
def clinic(db_path):
    """A new, empty clinic database acting as the administrator, with today fixed."""
    from sijdesk.services import Clinic

    opened = Clinic.open(str(db_path), clock=lambda: TODAY)
    yield opened
    opened.close()


@pytest.fixture
def users(clinic):
    """A clinician and a receptionist in the clinic database; returns Clinic per role."""
    from sijdesk.models import User

    with clinic.db.write() as session:
        session.add(User(username="clin", display_name="Dr Test Clinician", role="clinician"))
        session.add(User(username="recep", display_name="Front Desk", role="reception"))
    return {
        "admin": clinic,
        "clinician": clinic.as_user("clin"),
        "reception": clinic.as_user("recep"),
    }


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """A demo clinic with 60 patients, built once per test session; do not write to it."""
    from sijdesk.demo import create_demo_clinic
    from sijdesk.services import Clinic

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    clinic = Clinic.open(str(path), clock=lambda: TODAY)
    create_demo_clinic(clinic, patients=60)
    clinic.close()
    return path


@pytest.fixture
def demo_clinic(demo_db):
    from sijdesk.services import Clinic

    opened = Clinic.open(str(demo_db), clock=lambda: TODAY)
    yield opened
    opened.close()
