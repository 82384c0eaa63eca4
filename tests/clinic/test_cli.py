"""The ``sijdesk`` command line: version, patients list, demo, --db anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sijdesk.demo import DEMO_PASSWORD

# The demo clinic's administrator; tests that are about signing in override these.
SIGNED_IN = {"SIJDESK_USER": "admin", "SIJDESK_PASSWORD": DEMO_PASSWORD}


def run(*args, env=None, check=True):
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [sys.executable, "-m", "sijdesk", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **SIGNED_IN, **(env or {})},
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite3"
    run("demo", "--patients", "30", "--db", str(path))
    return path


def test_version():
    from sijdesk import __version__

    assert run("--version").stdout.strip() == f"SIJ Desk {__version__}"


def test_version_verbose_says_what_this_copy_is_without_making_folders(tmp_path):
    from sijdesk import __version__
    from sijdesk.db.migrate import HEAD_REVISION
    from sijdesk.pathway import PATHWAY_VERSION

    home = tmp_path / "not-yet"
    out = run("--version", "--verbose", env={"SIJDESK_HOME": str(home)}).stdout
    rows = dict(line.split(":", 1) for line in out.splitlines())
    rows = {label: value.strip() for label, value in rows.items()}
    assert rows["SIJ Desk"] == __version__
    assert rows["Database schema"] == HEAD_REVISION
    assert rows["Clinical pathway"] == PATHWAY_VERSION
    assert rows["Qt"].split()[0].count(".") == 2  # e.g. 6.11.3 (PySide6 6.11.3)
    assert rows["Data folder"] == str(home)
    assert not home.exists()  # saying where the data goes does not create it


def test_list_prints_record_number_first_one_per_line(demo_file):
    lines = run("patients", "list", "--db", str(demo_file)).stdout.splitlines()
    assert len(lines) >= 25  # a few generated patients are archived
    assert all(line.split("\t")[0].isdigit() for line in lines)


def test_db_option_is_accepted_before_the_subcommand(demo_file):
    before = run("--db", str(demo_file), "patients", "list", "--limit", "3").stdout
    after = run("patients", "list", "--limit", "3", "--db", str(demo_file)).stdout
    assert before == after
    assert len(before.splitlines()) == 3


def test_json_search_is_accent_insensitive(demo_file):
    rows = json.loads(
        run("patients", "list", "--json", "--search", "lukasiewicz", "--db", str(demo_file)).stdout
    )
    assert rows == [
        {
            "record_number": "000001",
            "family_name": "Łukasiewicz",
            "given_names": "Zoë",
            "date_of_birth": "1972-03-14",
            "sex": "female",
            "archived": False,
        }
    ]


def test_database_url_from_the_environment(demo_file):
    out = run(
        "patients", "list", "--search", "王", env={"SIJDESK_DATABASE_URL": f"sqlite:///{demo_file}"}
    ).stdout
    assert "王, 芳" in out


def test_archived_patients_only_when_asked(demo_file):
    from tests.signin import reopen_clinic

    clinic = reopen_clinic(demo_file, password=DEMO_PASSWORD)
    clinic.patients.set_archived(clinic.patients.get_by_record_number("000030").id, True)
    clinic.close()
    plain = run("patients", "list", "--db", str(demo_file)).stdout.splitlines()
    every = run("patients", "list", "--archived", "--db", str(demo_file)).stdout.splitlines()
    assert len(every) == 30
    assert len(plain) < len(every)
    assert all("(archived)" in line for line in set(every) - set(plain))
    assert any(line.startswith("000030\t") for line in set(every) - set(plain))


def test_missing_database_file_is_a_plain_error(tmp_path):
    result = run("patients", "list", "--db", str(tmp_path / "nope.sqlite3"), check=False)
    assert result.returncode == 3
    assert (
        result.stderr.strip()
        == f"sijdesk: There is no clinic database at {tmp_path / 'nope.sqlite3'}."
    )
    assert not (tmp_path / "nope.sqlite3").exists()


def test_bad_limit_is_a_usage_error(demo_file):
    result = run("patients", "list", "--limit", "zero", "--db", str(demo_file), check=False)
    assert result.returncode == 2
    assert "--limit" in result.stderr


def test_demo_refuses_a_database_that_already_has_patients(demo_file):
    result = run("demo", "--db", str(demo_file), check=False)
    assert result.returncode == 3
    assert "already holds patients" in result.stderr


def test_unknown_user_is_refused_with_the_same_sentence_as_a_wrong_password(demo_file):
    unknown = run("--user", "nobody", "patients", "list", "--db", str(demo_file), check=False)
    wrong = run(
        "patients", "list", "--db", str(demo_file), env={"SIJDESK_PASSWORD": "not-it"}, check=False
    )
    for result in (unknown, wrong):
        assert result.returncode == 3
        assert result.stdout == ""
        assert result.stderr == "sijdesk: The username or password is not right.\n"


def test_wrong_password_is_audited_and_counted(demo_file):
    import sqlite3

    run(
        "--user",
        "reception.haddad",
        "patients",
        "list",
        "--db",
        str(demo_file),
        env={"SIJDESK_PASSWORD": "guess-1234"},
        check=False,
    )
    connection = sqlite3.connect(demo_file)
    try:
        action, details = connection.execute(
            "SELECT a.action, a.details FROM audit_event a JOIN app_user u ON u.id = a.user_id "
            "WHERE u.username = 'reception.haddad' ORDER BY a.id DESC LIMIT 1"
        ).fetchone()
        failures = connection.execute(
            "SELECT failed_signins FROM app_user WHERE username = 'reception.haddad'"
        ).fetchone()[0]
    finally:
        connection.close()
    assert action == "signin.failed"
    assert json.loads(details)["reason"] == "wrong password"
    assert "guess" not in details
    assert failures >= 1


def test_no_password_without_a_terminal_is_a_plain_error(demo_file):
    env = {k: v for k, v in os.environ.items() if k != "SIJDESK_PASSWORD"}
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [
            sys.executable,
            "-m",
            "sijdesk",
            "--user",
            "admin",
            "patients",
            "list",
            "--db",
            str(demo_file),
        ],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert result.returncode == 3
    assert "SIJDESK_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_creates_the_first_administrator_who_can_then_sign_in(tmp_path):
    path = tmp_path / "new.sqlite3"
    env = {"SIJDESK_PASSWORD": "a-long-secret-9"}
    made = run(
        "init",
        "--admin",
        "Mira.K",
        "--name",
        "Dr Mira K",
        "--clinician",
        "--clinic-name",
        "Hill Clinic",
        "--db",
        str(path),
        env=env,
    )
    assert "administrator mira.k (admin, clinician)" in made.stdout
    listed = run("patients", "list", "--db", str(path), env={**env, "SIJDESK_USER": "mira.k"})
    assert listed.stdout == ""
    again = run("init", "--admin", "other", "--db", str(path), env=env, check=False)
    assert again.returncode == 3
    assert "already has an administrator" in again.stderr


def test_init_refuses_a_weak_password_and_creates_no_account(tmp_path):
    path = tmp_path / "new.sqlite3"
    result = run(
        "init", "--admin", "mira", "--db", str(path), env={"SIJDESK_PASSWORD": "short"}, check=False
    )
    assert result.returncode == 2
    assert "password: must be at least 10 characters" in result.stderr
    from sijdesk.db.migrate import open_database
    from sijdesk.services import AccountService

    db = open_database(str(path))
    try:
        assert AccountService(db).setup_needed()
    finally:
        db.dispose()


def test_demo_refuses_a_real_clinic(tmp_path):
    path = tmp_path / "real.sqlite3"
    run("init", "--admin", "mira", "--db", str(path), env={"SIJDESK_PASSWORD": "a-long-secret-9"})
    result = run("demo", "--patients", "1", "--db", str(path), check=False)
    assert result.returncode == 3
    assert "not a demo clinic" in result.stderr


def test_newer_database_is_refused_by_the_cli(tmp_path):
    import sqlite3

    path = tmp_path / "new.sqlite3"
    run("demo", "--patients", "1", "--db", str(path))
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    connection.commit()
    connection.close()
    result = run("patients", "list", "--db", str(path), check=False)
    assert result.returncode == 3
    assert "newer version of SIJ Desk" in result.stderr


def test_internal_errors_are_logged_not_shown_as_tracebacks(monkeypatch, capsys, tmp_path):
    from sijdesk import cli
    from sijdesk.commands import patients

    def explode(args):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(patients, "run_list", explode)
    code = cli.main(["patients", "list", "--db", str(tmp_path / "x")])
    captured = capsys.readouterr()
    assert code == 1
    assert "internal error" in captured.err
    assert "Traceback" not in captured.err


def test_the_log_keeps_its_own_lines_and_not_alembics(tmp_path):
    home = tmp_path / "home"
    run(
        "demo",
        "--patients",
        "1",
        "--db",
        str(tmp_path / "c.sqlite3"),
        env={"SIJDESK_HOME": str(home)},
    )
    log = (home / "logs" / "sijdesk.log").read_text(encoding="utf-8")
    assert "migrating database from None to" in log
    assert "Running upgrade" not in log
    assert "alembic" not in log
