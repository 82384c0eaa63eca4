"""Patients to and from spreadsheets: export, import in one go or not at all,
every problem by line and column, duplicates reported, Excel's dialects read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sijdesk.errors import PermissionDenied, ValidationError
from sijdesk.models import AuditEvent
from tests.signin import add_user, database_option, new_clinic, run_sijdesk
from tests.window_fixtures import register


def _write(path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return str(path)


def _actions(clinic) -> list[str]:
    with clinic.db.read() as session:
        return list(session.scalars(select(AuditEvent.action)))


def test_an_export_imports_into_another_clinic_as_the_same_people(clinic, tmp_path):
    register(clinic, "Zoë", "Łukasiewicz", "1972-03-14", phone="+44 7700 900123", sex="female")
    register(clinic, "Seán", "Ó Briain", "1961-09-30", address="1 Quay St\nGalway")
    register(clinic, "=cmd|' /C calc'!A0", "Formula", "1990-01-01", email="x@example.org")
    target = tmp_path / "patients.csv"
    assert clinic.patients.export_csv(target) == 3
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 by its BOM
    assert b"'=cmd" in raw and b"+44 7700 900123" in raw  # no formula runs; phones untouched
    other = new_clinic(tmp_path / "other.sqlite3")
    try:
        report = other.patients.import_csv(target)
        assert report.problems == () and len(report.imported) == 3
        people = {
            (p.given_names, p.family_name, p.date_of_birth.isoformat(), p.phone, p.sex)
            for p in (other.patients.get(s.id) for s in other.patients.search(""))
        }
        assert people == {
            ("Zoë", "Łukasiewicz", "1972-03-14", "+44 7700 900123", "female"),
            ("Seán", "Ó Briain", "1961-09-30", "", "unknown"),
            ("=cmd|' /C calc'!A0", "Formula", "1990-01-01", "", "unknown"),
        }
        assert "import" in _actions(other)
    finally:
        other.close()
    assert "export" in _actions(clinic)


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        (
            "utf-8-sig",
            "First name;Surname;DOB;Phone;Gender\nZoë;Łukasiewicz;14/03/1972;0161 496 0000;F\n",
        ),
        ("cp1252", "Forename\tLast name\tDate of birth\nZoë\tMüller\t14.03.1972\n"),
        ("utf-8", '"given_names","family_name","date_of_birth"\n"Zoë","O\'Brien","1972-03-14"\n'),
    ],
)
def test_spreadsheet_headers_dialects_and_encodings_are_read(clinic, tmp_path, encoding, text):
    path = _write(tmp_path / "sheet.csv", text, encoding)
    report = clinic.patients.import_csv(path)
    assert report.problems == () and len(report.imported) == 1
    patient = clinic.patients.get_by_record_number(report.imported[0])
    assert patient.given_names == "Zoë"
    assert patient.date_of_birth.isoformat() == "1972-03-14"


def test_a_dry_run_lists_every_problem_and_writes_nothing_nor_does_the_import(clinic, tmp_path):
    register(clinic, "Ahmed", "Al-Sayed", "1966-02-17")
    path = _write(
        tmp_path / "sheet.csv",
        "First name,Surname,DOB,E-mail\n"
        "Zoë,Łukasiewicz,1972-03-14,\n"  # line 2: fine
        "Bea,,1990-01-01,\n"  # line 3: no surname
        "Carl,Nowak,31/02/1980,\n"  # line 4: no such day
        "Dana,Kim,1985-01-23,dana at home\n"  # line 5: not an e-mail address
        "Ahmed,Al-Sayed,17/02/1966,\n"  # line 6: already registered
        "\n"
        'Zoë,"Łukasiewicz",14/03/1972,\n',  # line 8: the same person as line 2
    )
    before = clinic.patients.count()
    report = clinic.patients.import_csv(path, dry_run=True)
    described = [str(p) for p in report.problems]
    assert [p.line for p in report.problems] == [3, 4, 5, 6, 8]
    assert described[0].startswith("line 3, column Surname: ")
    assert described[1].startswith("line 4, column DOB: ")
    assert described[2].startswith("line 5, column E-mail: is not an e-mail address")
    assert "already registered as record 000001" in described[3]
    assert described[4] == "line 8: is the same person as line 2"
    real = clinic.patients.import_csv(path)
    assert real.imported == () and [p.line for p in real.problems] == [3, 4, 5, 6, 8]
    assert clinic.patients.count() == before
    assert "import" not in _actions(clinic)
    assert "patient.import_check" in _actions(clinic)


def test_a_file_without_the_needed_columns_says_which(clinic, tmp_path):
    path = _write(tmp_path / "sheet.csv", "Name,Phone\nZoë Łukasiewicz,0161\n")
    with pytest.raises(ValidationError) as refused:
        clinic.patients.import_csv(path)
    message = refused.value.errors["file"]
    assert "the family name, the given names, the date of birth" in message


def test_only_administrators_export_or_import(clinic, tmp_path):
    desk = add_user(clinic, "recep", "Front Desk", "reception")
    with pytest.raises(PermissionDenied):
        desk.patients.export_csv(tmp_path / "p.csv")
    with pytest.raises(PermissionDenied):
        desk.patients.import_csv(tmp_path / "p.csv")
    assert not (tmp_path / "p.csv").exists()


def test_the_commands_check_then_import_with_progress(clinic, tmp_path):
    db = database_option(clinic)
    path = _write(
        tmp_path / "sheet.csv",
        "given_names,family_name,date_of_birth\nZoë,Łukasiewicz,1972-03-14\nBea,,1990-01-01\n",
    )
    checked = run_sijdesk("patients", "import", path, "--dry-run", *db)
    assert checked.returncode == 2
    assert "line 3, column family_name:" in checked.stderr
    assert "nothing was imported" in checked.stderr
    fixed = _write(
        tmp_path / "fixed.csv",
        "given_names,family_name,date_of_birth\nZoë,Łukasiewicz,1972-03-14\nBea,Nowak,1990-01-01\n",
    )
    dry = run_sijdesk("patients", "import", fixed, "--dry-run", *db)
    assert dry.returncode == 0 and "2 rows can be imported" in dry.stdout
    assert clinic.patients.count() == 0
    done = run_sijdesk("patients", "import", fixed, *db)
    assert done.returncode == 0, done.stderr
    assert "imported 2 patients: records 000001, 000002" in done.stdout
    assert "importing: 100%" in done.stderr
    exported = run_sijdesk("patients", "export", "--csv", "-o", str(tmp_path / "out.csv"), *db)
    assert exported.returncode == 0 and "2 patients" in exported.stdout
