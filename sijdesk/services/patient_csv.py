"""Patients to and from spreadsheets (CSV): the columns, the header names
people use, and reading what Excel and LibreOffice write. No database here;
``PatientService.export_csv``/``import_csv`` do the checking and writing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

#: The columns the export writes, in order; the import reads the same names.
EXPORT_COLUMNS = (
    "record_number",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address",
)
IMPORTED_FIELDS = EXPORT_COLUMNS[1:]  # record numbers are given by the clinic
REQUIRED_FIELDS = ("family_name", "given_names", "date_of_birth")
FIELD_WORDS = {
    "family_name": "the family name",
    "given_names": "the given names",
    "date_of_birth": "the date of birth",
}
# Headers people write in their own spreadsheets, folded (lower case, no
# punctuation), and the field each one means.
HEADER_ALIASES = {
    "given names": "given_names",
    "given name": "given_names",
    "first name": "given_names",
    "first names": "given_names",
    "forename": "given_names",
    "forenames": "given_names",
    "family name": "family_name",
    "surname": "family_name",
    "last name": "family_name",
    "date of birth": "date_of_birth",
    "dob": "date_of_birth",
    "birth date": "date_of_birth",
    "born": "date_of_birth",
    "sex": "sex",
    "gender": "sex",
    "phone": "phone",
    "telephone": "phone",
    "phone number": "phone",
    "mobile": "phone",
    "email": "email",
    "e mail": "email",
    "email address": "email",
    "address": "address",
    "record number": "record_number",
}
SEX_WORDS = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "other": "other",
    "": "unknown",
    "unknown": "unknown",
    "not recorded": "unknown",
}
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def counted(number: int, noun: str) -> str:
    """ "1 row", "3 rows": the counts the import reports."""
    return f"{number} {noun}" + ("" if number == 1 else "s")


def fold_header(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.strip().lower()).split())


def field_for(header: str) -> str | None:
    folded = fold_header(header)
    if folded.replace(" ", "_") in EXPORT_COLUMNS:
        return folded.replace(" ", "_")
    return HEADER_ALIASES.get(folded)


@dataclass(frozen=True)
class SheetRow:
    line: int  # the line of the file the row starts on (the header is line 1)
    values: dict[str, str]  # field -> text as written


@dataclass(frozen=True)
class Sheet:
    columns: dict[str, str]  # field -> the header it came from
    ignored: tuple[str, ...]  # headers that name no field
    rows: tuple[SheetRow, ...]


def read_sheet(path: Path) -> Sheet:
    """Read a CSV file: UTF-8 with or without BOM (else Windows-1252, as older
    Excel writes), comma, semicolon or tab separated, quoted or not."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError("the file is empty") from None
    columns: dict[str, str] = {}
    positions: dict[int, str] = {}
    ignored = []
    for index, name in enumerate(header):
        field = field_for(name)
        if field is None or field in columns:
            if name.strip():
                ignored.append(name.strip())
            continue
        columns[field] = name.strip()
        positions[index] = field
    rows = []
    for cells in _with_lines(reader):
        line, values = cells
        if not any(v.strip() for v in values):
            continue  # blank lines between rows
        rows.append(
            SheetRow(
                line,
                {
                    positions[i]: unescape_cell(v.strip())
                    for i, v in enumerate(values)
                    if i in positions
                },
            )
        )
    return Sheet(columns, tuple(ignored), tuple(rows))


def _with_lines(reader) -> Iterator[tuple[int, list[str]]]:
    start = reader.line_num + 1
    for values in reader:
        yield start, values
        start = reader.line_num + 1


def normal_date(text: str) -> str:
    """A day as the patient form takes it: 14/03/1972 and 14.03.1972 become 1972-03-14."""
    match = _DMY.match(text.strip())
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return text
    return text.strip()


def normal_sex(text: str) -> str:
    return SEX_WORDS.get(text.strip().lower(), text.strip().lower())


def write_sheet(rows: list[dict[str, str]]) -> bytes:
    """CSV as Excel opens it: UTF-8 with a BOM, comma separated, every field quoted
    where needed; a leading =, +, - or @ is escaped so no cell runs as a formula."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect=csv.excel)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:  # the header is never escaped
        writer.writerow([safe_cell(row.get(c, "")) for c in EXPORT_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_FORMULA = re.compile(r"^(=|@|[+-](?![\d\s(]))")


def safe_cell(value: str) -> str:
    # A phone number such as +44 7700 900123 stays as it is.
    return "'" + value if _FORMULA.match(value) else value


def unescape_cell(value: str) -> str:
    """Undo :func:`safe_cell` for a value read back from an export."""
    return value[1:] if value.startswith("'") and _FORMULA.match(value[1:]) else value
