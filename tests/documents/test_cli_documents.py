"""``sijdesk letter``, ``care-plan`` and ``handout`` run as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sijdesk.demo import DEMO_PASSWORD
from tests.documents.pdfcheck import pdf_text
from tests.signin import database_option, reopen_clinic


def run(*args, cwd=None):
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted by callers
        [sys.executable, "-m", "sijdesk", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SIJDESK_USER": "admin", "SIJDESK_PASSWORD": DEMO_PASSWORD},
        timeout=120,
        cwd=cwd,
    )
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def db(demo):
    """--db or --db-url naming a private demo clinic (closed, so the subprocess has it
    alone)."""
    option = database_option(demo)
    demo.close()
    return option


def _no_partial_files(folder) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".part")]


def test_letter_writes_a_recorded_pdf(db, tmp_path):
    out = tmp_path / "letter.pdf"
    result = run(
        "letter",
        "injection_clinic",
        "--patient",
        "000003",
        "-o",
        str(out),
        *db,
        "--user",
        "dr.okafor",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(out))
    text = pdf_text(out.read_bytes())
    assert "王, 芳" in text
    assert "Would you consider an image-guided diagnostic block" in text
    document_id = int(result.stdout.split("document ")[1].split()[0])
    clinic = reopen_clinic(db[1], username="dr.okafor", password=DEMO_PASSWORD)
    try:
        entry = clinic.timeline.get(document_id)
        assert entry.kind == "document"
        assert entry.record.sha256 in result.stdout
    finally:
        clinic.close()


def test_letter_accepts_a_short_record_number_and_an_episode(db, tmp_path):
    out = tmp_path / "physio.pdf"
    result = run("letter", "physiotherapy", "--patient", "1", "--episode", "1", "-o", str(out), *db)
    assert result.returncode == 0, result.stderr
    assert "ŁUKASIEWICZ, Zoë" in pdf_text(out.read_bytes())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["letter", "dentist", "--patient", "000003"], "unknown letter kind 'dentist'"),
        (["letter", "urgent", "--patient", "999999"], "No patient has record number"),
        (["letter", "urgent", "--patient", "000003", "--episode", "1"], "is not an episode"),
        (["care-plan", "--patient", "424242"], "No patient has record number"),
        (["handout", "no-such-thing"], "there is no handout called"),
    ],
)
def test_bad_arguments_exit_non_zero_with_one_line_and_no_file(db, tmp_path, args, expected):
    out = tmp_path / "out.pdf"
    result = run(*args, "-o", str(out), *db)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert not out.exists()
    assert _no_partial_files(tmp_path)


def test_unwritable_output_is_refused_before_anything_is_recorded(db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for target in (tmp_path / "missing" / "x.pdf", blocker / "x.pdf", tmp_path):
        result = run("letter", "urgent", "--patient", "000006", "-o", str(target), *db)
        assert result.returncode != 0
        assert len(result.stderr.strip().splitlines()) == 1
        assert "output" in result.stderr
    clinic = reopen_clinic(db[1], password=DEMO_PASSWORD)
    try:
        patient = clinic.patients.get_by_record_number("000006")
        episode = clinic.episodes.list_for_patient(patient.id)[0]
        assert clinic.timeline.entries(episode.id, kinds=["document"]) == []
    finally:
        clinic.close()
    assert _no_partial_files(tmp_path)


def test_missing_output_option_is_one_line(db, tmp_path):
    result = run("letter", "urgent", "--patient", "000006", *db)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_care_plan_for_clinician_and_reprint_for_reception(db, tmp_path):
    out = tmp_path / "plan.pdf"
    result = run(
        "care-plan",
        "--patient",
        "000001",
        "--large-print",
        "-o",
        str(out),
        *db,
        "--user",
        "dr.okafor",
    )
    assert result.returncode == 0, result.stderr
    made = out.read_bytes()
    assert "Your care plan" in pdf_text(made)
    again = tmp_path / "again.pdf"
    result = run(
        "care-plan",
        "--patient",
        "000001",
        "--large-print",
        "-o",
        str(again),
        *db,
        "--user",
        "reception.haddad",
    )
    assert result.returncode == 0, result.stderr
    assert again.read_bytes() == made
    refused = run(
        "care-plan",
        "--patient",
        "000002",
        "-o",
        str(tmp_path / "no.pdf"),
        *db,
        "--user",
        "reception.haddad",
    )
    assert refused.returncode != 0
    assert "No care plan has been made" in refused.stderr
    assert not (tmp_path / "no.pdf").exists()


def test_handout_list_and_print_for_a_patient(db, tmp_path):
    listing = run("handout", "--list")
    assert listing.returncode == 0
    names = [line.split("\t")[0] for line in listing.stdout.splitlines()]
    assert "sij-belt" in names and "medication-safety" in names
    rows = json.loads(run("handout", "--list", "--json").stdout)
    assert all({"name", "version", "title"} <= set(r) for r in rows)
    out = tmp_path / "belt.pdf"
    result = run(
        "handout",
        "sij-belt",
        "--patient",
        "000002",
        "-o",
        str(out),
        *db,
        "--user",
        "reception.haddad",
    )
    assert result.returncode == 0, result.stderr
    assert "version 2.0" in result.stdout
    assert "NGUYỄN, François" in pdf_text(out.read_bytes())
    blank = tmp_path / "blank.pdf"
    assert run("handout", "sij-belt", "-o", str(blank), *db).returncode == 0
    assert "Name:" in pdf_text(blank.read_bytes())


def test_an_existing_file_is_replaced_whole(db, tmp_path):
    out = tmp_path / "letter.pdf"
    out.write_bytes(b"old content")
    result = run("letter", "urgent", "--patient", "000006", "-o", str(out), *db)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    assert _no_partial_files(tmp_path)
