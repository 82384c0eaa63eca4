"""A second workstation on a server clinic gets the audit key from the first."""

from __future__ import annotations

import pytest

from sijdesk.audit_chain import AuditKeyProblem
from tests.signin import TEST_PASSWORD, new_clinic, reopen_clinic, run_sijdesk


@pytest.fixture
def second_computer(tmp_path, monkeypatch):
    """Switch this test to another computer's data folder (its own keys)."""

    def switch():
        home = tmp_path / "second-computer"
        home.mkdir(exist_ok=True)
        monkeypatch.setenv("SIJDESK_HOME", str(home))
        return home

    return switch


def test_a_new_workstation_is_told_how_to_get_the_key_then_gets_it(
    pg_url, tmp_path, second_computer
):
    new_clinic(pg_url).close()
    exported = tmp_path / "clinic-audit.key"
    result = run_sijdesk("audit-key", "export", "-o", str(exported), "--db-url", pg_url)
    assert result.returncode == 0, result.stderr
    assert exported.stat().st_mode & 0o077 == 0  # readable by its owner only
    second_computer()
    refused = run_sijdesk("patients", "list", "--db-url", pg_url)
    assert refused.returncode == 3
    assert "This computer does not have the clinic's audit key yet" in refused.stderr
    assert "sijdesk audit-key import FILE" in refused.stderr
    installed = run_sijdesk("audit-key", "import", str(exported), "--db-url", pg_url, user="")
    assert installed.returncode == 0, installed.stderr
    clinic = reopen_clinic(pg_url)
    try:
        assert clinic.actor.username == "admin"
        events = clinic.audit.events()
        assert "audit_key.export" in {e.action for e in events}
        assert clinic.audit.verify().ok
    finally:
        clinic.close()


def test_only_the_key_the_trail_was_sealed_with_is_accepted(pg_url, tmp_path, second_computer):
    new_clinic(pg_url).close()
    other = tmp_path / "other.sqlite3"
    new_clinic(other).close()
    other_clinic = reopen_clinic(other)
    try:
        wrong = other_clinic.audit.export_key(tmp_path / "other.key")
    finally:
        other_clinic.close()
    second_computer()
    refused = run_sijdesk("audit-key", "import", str(wrong), "--db-url", pg_url)
    assert refused.returncode == 3
    assert "belongs to another clinic database" in refused.stderr
    with pytest.raises(AuditKeyProblem):
        reopen_clinic(pg_url, password=TEST_PASSWORD)


def test_reception_may_not_export_the_key(clinic, tmp_path):
    from sijdesk.errors import PermissionDenied
    from tests.signin import add_user

    desk = add_user(clinic, "recep", "Front Desk", "reception")
    with pytest.raises(PermissionDenied):
        desk.audit.export_key(tmp_path / "k.key")
    assert not (tmp_path / "k.key").exists()
