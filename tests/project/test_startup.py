"""A command pays only for what it uses: `sijdesk --version` and `sijdesk advise`
import no database, migration, PDF or window library; a command on an up-to-date
clinic database imports no Alembic and no ReportLab. (The times are measured in
benchmarks/suite.py; here the imports themselves are checked.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sijdesk.db.migrate import HEAD_REVISION, script_head_revision
from tests.conftest import TODAY
from tests.pathway.pathway_support import READY_FOR_INJECTION
from tests.signin import TEST_PASSWORD, new_clinic

HEAVY = ("sqlalchemy", "alembic", "reportlab", "PySide6", "fhir", "pydantic", "PIL")


def _imported(*args: str, stdin: str | None = None) -> set[str]:
    """The top-level packages a fresh ``sijdesk`` process imported for ``args``."""
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [sys.executable, "-X", "importtime", "-m", "sijdesk", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        env={**os.environ, "SIJDESK_USER": "admin", "SIJDESK_PASSWORD": TEST_PASSWORD},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_the_newest_migration_is_the_head_the_code_expects():
    assert script_head_revision() == HEAD_REVISION


def test_version_imports_nothing_heavy():
    assert _imported("--version") & set(HEAVY) == set()


def test_advise_imports_nothing_heavy():
    imported = _imported("advise", "-", stdin=json.dumps(READY_FOR_INJECTION))
    assert imported & set(HEAVY) == set()


def test_a_command_on_an_up_to_date_database_skips_migrations_and_pdfs(tmp_path):
    path = tmp_path / "clinic.sqlite3"
    new_clinic(path, clock=lambda: TODAY).close()
    imported = _imported("patients", "list", "--db", str(path))
    assert "sqlalchemy" in imported  # it did open the database
    assert imported & {"alembic", "reportlab", "PySide6", "fhir", "pydantic"} == set()


@pytest.mark.parametrize("args", [("--help",), ("letter", "--help")])
def test_help_imports_no_database(args):
    assert _imported(*args) & set(HEAVY) == set()


def _loaded_after(code: str, packages: set[str]) -> set[str]:
    """Which of ``packages`` a fresh offscreen Python has loaded after running ``code``."""
    probe = f"{code}\nimport sys\nprint(sorted({{m.split('.')[0] for m in sys.modules}}))\n"
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return set(json.loads(result.stdout.strip().splitlines()[-1].replace("'", '"'))) & packages


def test_the_window_starts_without_the_pdf_and_migration_libraries():
    """ReportLab loads when a document is first made, Alembic when a database needs
    migrating: neither delays the window's start (about 100 ms of ReportLab)."""
    code = "import sijdesk.ui.app, sijdesk.ui.main_window"
    assert _loaded_after(code, {"reportlab", "alembic"}) == set()


def test_the_sign_in_door_opens_before_any_database_library_loads():
    """The sign-in dialog is drawn while the database opens on its thread: nothing on
    the way to it (the application, fonts, icons, the dialog) loads SQLAlchemy or the
    password hasher, which would make the user wait to see the door."""
    code = (
        "from sijdesk.ui.app import create_application\n"
        "from sijdesk.db.opening import DatabaseOpening\n"
        "from sijdesk.ui.signin import SignInDialog\n"
        "app = create_application()\n"
        "dialog = SignInDialog(DatabaseOpening('never-opened.sqlite3', begin=False))\n"
        "dialog.show(); app.processEvents()\n"
        "assert dialog.isVisible() and dialog.opening_status.isVisible()\n"
    )
    assert _loaded_after(code, {"sqlalchemy", "argon2", "alembic", "reportlab"}) == set()
