"""Fixtures shared by every test: a temporary clinic database, users of each role.

Qt runs offscreen; every test gets its own SIJDESK_HOME so nothing touches
the real user data folder.
"""

from __future__ import annotations

import gc
import os
from datetime import date
from pathlib import Path

from tests import isolation

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The real user's folders, noted before the session is pointed elsewhere: SIJ
# Desk's home, the XDG folders (Qt keeps its settings under XDG_CONFIG_HOME)
# all go to a temporary folder before anything is imported.
REAL_USER_FOLDERS = isolation.real_user_folders()
isolation.isolate_environment()

import pytest  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

from sijdesk import backup  # noqa: E402
from sijdesk.db import preflight  # noqa: E402
from sijdesk.services import accounts  # noqa: E402
from tests.signin import (  # noqa: E402
    TEST_PASSWORD,
    add_user,
    finish_window_work,
    new_clinic,
    reopen_clinic,
    server_copy,
)

TODAY = date(2026, 11, 29)

# Hashing at the production cost (tests/accounts/test_accounts.py checks it) would
# add seconds to every test that creates an account; the tests that are about
# hashing use the real parameters explicitly.
accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# Likewise the backup passphrase's key derivation (test_backup.py checks the real one).
backup.KDF_PARAMS = {"iterations": 1, "lanes": 1, "memory_cost": 8}
# Hypothesis keeps no example database in the checkout.
hypothesis_settings.register_profile("sijdesk", database=None)
hypothesis_settings.load_profile("sijdesk")


def pytest_sessionstart(session) -> None:
    session.config.stash[_BEFORE] = (
        isolation.checkout_state(),
        isolation.folder_state(REAL_USER_FOLDERS),
    )


def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the run when it changed the checkout or the real user's folders."""
    if _BEFORE not in session.config.stash or hasattr(session.config, "workerinput"):
        return
    checkout, folders = session.config.stash[_BEFORE]
    changes = isolation.describe_changes(checkout, isolation.checkout_state())
    changes += isolation.describe_changes(folders, isolation.folder_state(REAL_USER_FOLDERS))
    if changes:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["The tests changed the checkout or the real user folders:", *changes[:40]]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_BEFORE = pytest.StashKey[tuple]()

# The window's fixtures (recorded messages, the main window, a few patients).
pytest_plugins = ["tests.window_fixtures"]


@pytest.fixture(autouse=True)
def sijdesk_home(tmp_path_factory, monkeypatch):
    """SIJ Desk's home folder for this test alone."""
    home = tmp_path_factory.mktemp("sijdesk-home")
    monkeypatch.setenv("SIJDESK_HOME", str(home))
    monkeypatch.delenv("SIJDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("SIJDESK_USER", raising=False)
    monkeypatch.delenv("SIJDESK_PASSWORD", raising=False)
    return home


@pytest.fixture(autouse=True)
def garbage_collector_unfrozen():
    """The window's start sets its objects aside from the collector (gc.freeze): a test
    process starts many windows, whose garbage must stay collectable."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture(autouse=True)
def early_checks_forgotten():
    """A damage check begun early (``sijdesk`` and its commands begin one) and not taken
    by an opening belongs to its own test only."""
    yield
    preflight._early.clear()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "clinic.sqlite3"


# The service tests of these folders run twice: on a SQLite file and on the
# PostgreSQL server (tests/postgres.py). A test that is about the SQLite file
# itself (its path, its journal, copying it) is marked ``sqlite_only``.
ON_BOTH_DATABASES = (
    "accounts",
    "audit",
    "documents",
    "pathway",
    "patients",
    "reports",
    "timeline",
    "window",
)


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about the SQLite file itself; not run on PostgreSQL"
    )


def pytest_generate_tests(metafunc) -> None:
    if "database_kind" not in metafunc.fixturenames:
        return
    folder = Path(str(metafunc.definition.path)).parent.name
    if folder in ON_BOTH_DATABASES and not metafunc.definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def database_kind(request) -> str:
    """Where ``clinic`` lives: "sqlite" unless the test runs on both (above)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def clinic_template(postgres_server, tmp_path_factory):
    """A new clinic with its administrator on the server, copied for each test
    (CREATE DATABASE ... TEMPLATE is far quicker than migrating every time);
    and its audit key, which a server clinic keeps in the data folder."""
    home = tmp_path_factory.mktemp("template-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIJDESK_HOME", str(home))
        url = postgres_server.new_database()
        new_clinic(url, clock=lambda: TODAY).close()
    [key] = (home / "audit-keys").glob("*.key")
    return url, key


@pytest.fixture
def clinic(database_kind, db_path, request):
    """A new, empty clinic database acting as the administrator, with today fixed."""
    if database_kind == "postgresql":
        template_url, key = request.getfixturevalue("clinic_template")
        url = server_copy(request.getfixturevalue("postgres_server"), template_url, key)
        opened = reopen_clinic(url, password=TEST_PASSWORD, clock=lambda: TODAY)
    else:
        opened = new_clinic(db_path, clock=lambda: TODAY)
    yield opened
    finish_window_work()
    opened.close()


@pytest.fixture
def users(clinic):
    """A clinician and a receptionist in the clinic database; returns Clinic per role."""
    return {
        "admin": clinic,
        "clinician": add_user(clinic, "clin", "Dr Test Clinician", "clinician"),
        "reception": add_user(clinic, "recep", "Front Desk", "reception"),
    }


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """A demo clinic with 60 patients, built once per test session; do not write to it."""
    from sijdesk.demo import create_demo_clinic, new_demo_clinic

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    clinic = new_demo_clinic(str(path), clock=lambda: TODAY)
    create_demo_clinic(clinic, patients=60)
    clinic.close()
    return path


@pytest.fixture
def demo_clinic(demo_db):
    from sijdesk.demo import DEMO_PASSWORD

    opened = reopen_clinic(demo_db, password=DEMO_PASSWORD, clock=lambda: TODAY)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the whole session (see tests/postgres.py)."""
    from tests import postgres

    server = postgres.start_or_skip()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres_server) -> str:
    """The address of a new, empty PostgreSQL database for this test alone."""
    return postgres_server.new_database()
