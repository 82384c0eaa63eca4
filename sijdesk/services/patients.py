"""Registering, finding, editing and archiving patients (demographics only)."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, case, select, update
from sqlalchemy.orm import Session

from sijdesk.durable import write_export
from sijdesk.errors import DuplicatePatient, NotFound, ValidationError
from sijdesk.models import ClinicSettings, Contact, Patient, PatientNameToken, utcnow
from sijdesk.services import patient_csv
from sijdesk.services.context import ADMIN_ROLES, ALL_ROLES, ServiceBase
from sijdesk.services.patient_search import (
    SORT_KEYS,
    count_of,
    ids_with_total,
    matching,
    matching_and_plan,
    page_of,
    search_tokens,
)
from sijdesk.services.text import digits, fold, storable
from sijdesk.validation import Checker

SEXES = ("female", "male", "other", "unknown")
EDITABLE_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "sex",
    "phone",
    "email",
    "address",
    "referring_practitioner",
    "gp_contact_id",
    "referrer_contact_id",
)
# Contacts of the address book a patient refers to, and the role each must have.
CONTACT_FIELDS = {"gp_contact_id": "gp", "referrer_contact_id": None}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PatientSummary:
    """One row of the patient list."""

    id: int
    record_number: str
    family_name: str
    given_names: str
    date_of_birth: date
    sex: str
    phone: str
    archived: bool

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)


@dataclass(frozen=True)
class PatientDetails(PatientSummary):
    email: str
    address: str
    referring_practitioner: str
    created_at: datetime
    gp_contact_id: int | None = None
    referrer_contact_id: int | None = None
    # The row's version when read: an edit made from it is refused once another
    # save has moved it on (see PatientService.update's ``seen``).
    version: int = 1


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# What the list shows of each patient: a search reads just these columns. Loading
# whole Patient objects for a page of 200 took about 4 ms of each search (of 12-17).
SUMMARY_COLUMNS = (
    Patient.id,
    Patient.record_number,
    Patient.family_name,
    Patient.given_names,
    Patient.date_of_birth,
    Patient.sex,
    Patient.phone,
    Patient.archived,
)


def _summaries(session: Session, stmt: Select) -> list[PatientSummary]:
    """``stmt``'s patients as list rows, read as SUMMARY_COLUMNS only."""
    rows = session.execute(stmt.with_only_columns(*SUMMARY_COLUMNS))
    return [PatientSummary(*tuple(row)) for row in rows]


def _details(p: Patient) -> PatientDetails:
    return PatientDetails(
        p.id,
        p.record_number,
        p.family_name,
        p.given_names,
        p.date_of_birth,
        p.sex,
        p.phone,
        p.archived,
        p.email,
        p.address,
        p.referring_practitioner,
        p.created_at,
        p.gp_contact_id,
        p.referrer_contact_id,
        p.version,
    )


@dataclass(frozen=True)
class RowProblem:
    """Why one row of a spreadsheet cannot be imported."""

    line: int
    column: str  # the header as the file writes it; "" for the row as a whole
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportReport:
    rows: int
    problems: tuple[RowProblem, ...]
    imported: tuple[str, ...]  # the record numbers given, in the file's order
    dry_run: bool
    ignored_columns: tuple[str, ...] = ()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


class PatientService(ServiceBase):
    """Use cases on patients. Every role may use them (reception registers)."""

    log_name = "patients"

    # -- reading -----------------------------------------------------------------

    def search(
        self,
        query: str = "",
        *,
        include_archived: bool = False,
        limit: int | None = None,
        offset: int = 0,
        sort: str = "name",
        descending: bool = False,
    ) -> list[PatientSummary]:
        """Matching patients, sorted in SQL; all matches unless ``limit`` is given."""
        found, _count = self._search(query, include_archived, limit, offset, sort, descending)
        return found

    def search_counted(
        self,
        query: str = "",
        *,
        include_archived: bool = False,
        limit: int | None = None,
        sort: str = "name",
        descending: bool = False,
        count_up_to: int | None = None,
    ) -> tuple[int, list[PatientSummary]]:
        """How many match (counted no further than ``count_up_to``) and the first page,
        in one read: what the list needs for each keystroke."""
        found, count = self._search(
            query, include_archived, limit, 0, sort, descending, counted=True, up_to=count_up_to
        )
        assert count is not None
        return count, found

    def _search(
        self,
        query: str,
        include_archived: bool,
        limit: int | None,
        offset: int,
        sort: str,
        descending: bool,
        *,
        counted: bool = False,
        up_to: int | None = None,
    ) -> tuple[list[PatientSummary], int | None]:
        """A page of matches, and how many match when ``counted`` (no further than
        ``up_to``), in one read transaction with one choice of plan."""
        self.require(ALL_ROLES, "look up patients")
        query = storable(query)
        if sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {sort!r}")
        count = None
        with self.db.read() as session:
            matches, walked = matching_and_plan(session, query, include_archived=include_archived)

            def page(stmt: Select) -> Select:
                return page_of(stmt, sort=sort, descending=descending, limit=limit, offset=offset)

            if counted and not walked:
                # Every match is collected and sorted anyway: the total comes with the
                # page (a window function) instead of collecting them all a second time.
                ranked = session.execute(page(ids_with_total(matches))).all()
                ids = [patient_id for patient_id, _total in ranked]
                by_id = {
                    p.id: p for p in _summaries(session, select(Patient).where(Patient.id.in_(ids)))
                }
                found = [by_id[patient_id] for patient_id in ids]
                total = ranked[0][1] if ranked else 0
                count = min(total, up_to or total)
            else:
                if counted:
                    count = session.scalar(count_of(matches, up_to=up_to)) or 0
                found = [] if count == 0 else _summaries(session, page(matches))
        if offset == 0:
            # The first page is a search; later pages are scrolling through it.
            self.audit_read(
                "patient.search",
                "patient",
                None,
                summary=f"searched patients for {query!r}" if query else "listed patients",
                details={"query": query, "include_archived": include_archived, "shown": len(found)},
            )
        return found, count

    def count(
        self, query: str = "", *, include_archived: bool = False, up_to: int | None = None
    ) -> int:
        """How many patients match; counting stops at ``up_to`` (the list's cap), so a
        common word costs no more to count than a page of rows."""
        self.require(ALL_ROLES, "look up patients")
        with self.db.read() as session:
            matches = matching(session, storable(query), include_archived=include_archived)
            return session.scalar(count_of(matches, up_to=up_to)) or 0

    def get(self, patient_id: int) -> PatientDetails:
        """Open a patient's record (audited)."""
        self.require(ALL_ROLES, "open patient records")
        with self.db.read() as session:
            details = _details(self._load(session, patient_id))
        self._audit_opened(details)
        return details

    def _audit_opened(self, details: PatientDetails) -> None:
        self.audit_read(
            "patient.view",
            "patient",
            details.id,
            patient_id=details.id,
            summary=f"opened the record of {details.record_number}",
        )

    def get_by_record_number(self, record_number: str) -> PatientDetails:
        self.require(ALL_ROLES, "open patient records")
        with self.db.read() as session:
            patient = session.scalar(
                select(Patient).where(Patient.record_number == record_number.strip())
            )
            if patient is None:
                raise NotFound(f"No patient has record number {record_number}.")
            details = _details(patient)
        self._audit_opened(details)
        return details

    def _load(self, session: Session, patient_id: int) -> Patient:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise NotFound(f"No patient with id {patient_id}.")
        return patient

    # -- writing -----------------------------------------------------------------

    def _check(self, data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
        checker = Checker(data, today=self.today())
        checker.reject_unknown(EDITABLE_FIELDS)
        for field in ("given_names", "family_name"):
            if not partial or field in data:
                checker.text(field, required=True, max_length=200)
        if not partial or "date_of_birth" in data:
            born = checker.date("date_of_birth", required=True)
            if born is not None and born < date(self.today().year - 130, 1, 1):
                checker.fail("date_of_birth", "is more than 130 years ago; check the year")
        if not partial or "sex" in data:
            checker.choice("sex", SEXES)
            if checker.clean.get("sex") is None and "sex" not in checker.errors:
                checker.clean["sex"] = "unknown"
        for field in ("phone", "email", "address", "referring_practitioner"):
            if not partial or field in data:
                checker.text(field, max_length=200 if field != "address" else 1000)
        for field in CONTACT_FIELDS:
            if not partial or field in data:
                checker.integer(field, 1, None)
        if checker.clean.get("phone") and len(digits(checker.clean["phone"])) < 3:
            checker.fail("phone", "must contain a telephone number")
        if checker.clean.get("email") and not _EMAIL.match(checker.clean["email"]):
            checker.fail("email", "is not an e-mail address")
        checker.raise_if_errors()
        return checker.clean

    def validate(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Check registration data without saving (forms call this as the user types)."""
        return self._check(data, partial=False)

    def _duplicates(
        self, session: Session, given: str, family: str, born: date, exclude: int | None = None
    ) -> list[str]:
        stmt = select(Patient.record_number).where(
            Patient.family_key == fold(family),
            Patient.given_key == fold(given),
            Patient.date_of_birth == born,
        )
        if exclude is not None:
            stmt = stmt.where(Patient.id != exclude)
        return list(session.scalars(stmt))

    def register(self, data: Mapping[str, Any], *, allow_duplicate: bool = False) -> PatientDetails:
        """Register a new patient with a generated record number.

        Raises DuplicatePatient when a patient with the same names and date of
        birth exists, unless the caller confirms with ``allow_duplicate``.
        """
        self.require(ALL_ROLES, "register patients")
        clean = self._check(data, partial=False)
        with self.db.write() as session:
            self._check_contacts(session, clean)
            if not allow_duplicate:
                matches = self._duplicates(
                    session, clean["given_names"], clean["family_name"], clean["date_of_birth"]
                )
                if matches:
                    raise DuplicatePatient(matches)
            return _details(self._register_in(session, clean))

    def _register_in(
        self,
        session: Session,
        clean: Mapping[str, Any],
        *,
        keep_number: str = "",
        avoid: frozenset[str] = frozenset(),
    ) -> Patient:
        """A checked patient into ``session``'s transaction, with the next record number.

        ``keep_number``: a record number brought from another SIJ Desk (a FHIR
        import), kept when it is free here; the numbers given later start past it.
        ``avoid``: numbers not to give (those the same import keeps for others)."""
        if keep_number:
            # Lock the counter's row first (as _next_number does), so two desks
            # importing the same number cannot both find it free.
            past = int(keep_number) + 1 if keep_number.isdigit() else 0
            session.execute(
                update(ClinicSettings)
                .where(ClinicSettings.id == 1)
                .values(
                    next_record_number=case(
                        (
                            ClinicSettings.next_record_number > past,
                            ClinicSettings.next_record_number,
                        ),
                        else_=past,
                    )
                )
            )
        if keep_number and self._number_free(session, keep_number):
            record_number = keep_number
        else:
            record_number = self._next_number(session)
            while record_number in avoid:
                record_number = self._next_number(session)
        patient = Patient(
            record_number=record_number,
            created_by_id=self.actor.id,
            **clean,
            **self._keys(clean),
        )
        patient.name_tokens = [
            PatientNameToken(token=t)
            for t in search_tokens(
                clean["given_names"], clean["family_name"], clean.get("phone") or ""
            )
        ]
        session.add(patient)
        session.flush()
        self.audit(
            session,
            "register",
            "patient",
            patient.id,
            patient_id=patient.id,
            summary=f"registered {patient.record_number}",
        )
        return patient

    @staticmethod
    def _next_number(session: Session) -> str:
        """Take the clinic's next record number (the row lock orders concurrent takers)."""
        taken = session.execute(
            update(ClinicSettings)
            .where(ClinicSettings.id == 1)
            .values(next_record_number=ClinicSettings.next_record_number + 1)
            .returning(ClinicSettings.next_record_number)
        ).scalar_one()
        return f"{taken - 1:06d}"

    @staticmethod
    def _number_free(session: Session, record_number: str) -> bool:
        taken = select(Patient.id).where(Patient.record_number == record_number)
        return session.scalar(taken) is None

    @staticmethod
    def _check_contacts(session: Session, clean: Mapping[str, Any]) -> None:
        """A newly chosen GP or referrer must be a contact in use (a GP of the GP role)."""
        errors = {}
        for field, role in CONTACT_FIELDS.items():
            contact_id = clean.get(field)
            if contact_id is None:
                continue
            contact = session.get(Contact, contact_id)
            if contact is None or not contact.active:
                errors[field] = "is not a contact in the address book"
            elif role is not None and contact.role != role:
                errors[field] = "must be a family doctor (GP) contact"
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _keys(clean: Mapping[str, Any]) -> dict[str, str]:
        return {
            "family_key": fold(clean["family_name"]),
            "given_key": fold(clean["given_names"]),
            "phone_digits": digits(clean.get("phone") or ""),
        }

    def update(
        self,
        patient_id: int,
        changes: Mapping[str, Any],
        *,
        allow_duplicate: bool = False,
        seen: PatientDetails | None = None,
    ) -> PatientDetails:
        """Change demographics; the old and new values go to the audit trail.

        ``seen`` is the record as the user's form showed it: when someone else
        saved the patient since, EditConflict says what they changed.
        """
        self.require(ALL_ROLES, "edit patients")
        clean = self._check(changes, partial=True)
        with self.db.write() as session:
            patient = self._load(session, patient_id)
            self.refuse_stale_edit(
                session,
                patient,
                seen,
                (*EDITABLE_FIELDS, "archived"),
                noun="patient's details",
                current=_details(patient),
            )
            before = {f: getattr(patient, f) for f in clean}
            self._check_contacts(session, {f: v for f, v in clean.items() if before[f] != v})
            merged = {f: getattr(patient, f) for f in EDITABLE_FIELDS} | clean
            if not allow_duplicate and {"given_names", "family_name", "date_of_birth"} & set(clean):
                matches = self._duplicates(
                    session,
                    merged["given_names"],
                    merged["family_name"],
                    merged["date_of_birth"],
                    exclude=patient.id,
                )
                if matches:
                    raise DuplicatePatient(matches)
            changed = {f: v for f, v in clean.items() if before[f] != v}
            if not changed:
                return _details(patient)
            for field, value in changed.items():
                setattr(patient, field, value)
            for field, value in self._keys(merged).items():
                setattr(patient, field, value)
            patient.name_tokens = [
                PatientNameToken(token=t)
                for t in search_tokens(
                    merged["given_names"], merged["family_name"], merged.get("phone") or ""
                )
            ]
            patient.updated_at = utcnow()
            patient.updated_by_id = self.actor.id
            self.audit(
                session,
                "update",
                "patient",
                patient.id,
                patient_id=patient.id,
                summary="changed " + ", ".join(sorted(changed)),
                details={
                    "before": {f: _jsonable(before[f]) for f in changed},
                    "after": {f: _jsonable(v) for f, v in changed.items()},
                },
            )
            session.flush()
            return _details(patient)

    # -- spreadsheets ---------------------------------------------------------------

    def export_csv(self, path: str | os.PathLike[str]) -> int:
        """Every patient's demographics, archived ones too, to a CSV file that
        spreadsheets open (administrators; audited). Returns how many."""
        self.require(ADMIN_ROLES, "export the patient list")
        target = Path(path).expanduser().resolve()
        with self.db.read() as session:
            rows = [
                {column: _cell(getattr(patient, column)) for column in patient_csv.EXPORT_COLUMNS}
                for patient in session.scalars(select(Patient).order_by(Patient.record_number))
            ]
        write_export(target, patient_csv.write_sheet(rows))
        with self.db.write() as session:
            self.audit(
                session,
                "export",
                "patient",
                None,
                summary=f"patient list CSV, {len(rows)} patients",
                details={"patients": len(rows), "file": target.name},
            )
        return len(rows)

    def import_csv(
        self,
        path: str | os.PathLike[str],
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Register the patients of a spreadsheet: all of them in one transaction, or
        none when any row has a problem. Every problem is reported by line and column;
        a patient already registered (same names and date of birth) is a problem, not a
        second record. ``dry_run`` checks and writes nothing (administrators; audited)."""
        self.require(ADMIN_ROLES, "import patients")
        source = Path(path).expanduser()
        try:
            sheet = patient_csv.read_sheet(source)
        except FileNotFoundError:
            raise ValidationError({"file": f"there is no file at {source}"}) from None
        except (OSError, ValueError, csv.Error) as exc:
            raise ValidationError({"file": f"cannot be read as a spreadsheet ({exc})"}) from exc
        missing = [f for f in patient_csv.REQUIRED_FIELDS if f not in sheet.columns]
        if missing:
            raise ValidationError(
                {
                    "file": "has no column for "
                    + ", ".join(patient_csv.FIELD_WORDS[f] for f in missing)
                    + " (headers such as family_name or Surname, given_names or First name, "
                    "date_of_birth or DOB are recognised)"
                }
            )
        problems, ready = self._check_sheet(sheet)
        with self.db.read() as session:
            problems += self._already_registered(session, ready)
        problems.sort(key=lambda p: p.line)
        report = ImportReport(len(sheet.rows), tuple(problems), (), dry_run, sheet.ignored)
        if problems or dry_run:
            self.audit_read(
                "patient.import_check",
                "patient",
                None,
                summary=f"spreadsheet checked: {len(sheet.rows)} rows, {len(problems)} problems",
                details={"rows": len(sheet.rows), "problems": len(problems), "file": source.name},
            )
            return report
        numbers = []
        with self.db.write() as session:
            late = self._already_registered(session, ready)  # another desk, meanwhile
            if late:
                return ImportReport(len(sheet.rows), tuple(late), (), False, sheet.ignored)
            for done, (_line, clean) in enumerate(ready, start=1):
                numbers.append(self._register_in(session, clean).record_number)
                if progress is not None:
                    progress(done, len(ready))
            self.audit(
                session,
                "import",
                "patient",
                None,
                summary=f"imported {len(numbers)} patients from a spreadsheet",
                details={"patients": len(numbers), "file": source.name},
            )
        return ImportReport(len(sheet.rows), (), tuple(numbers), False, sheet.ignored)

    def _check_sheet(
        self, sheet: patient_csv.Sheet
    ) -> tuple[list[RowProblem], list[tuple[int, dict[str, Any]]]]:
        problems: list[RowProblem] = []
        ready: list[tuple[int, dict[str, Any]]] = []
        first_line: dict[tuple[str, str, date], int] = {}
        for row in sheet.rows:
            data = {f: v for f, v in row.values.items() if f in patient_csv.IMPORTED_FIELDS}
            if "date_of_birth" in data:
                data["date_of_birth"] = patient_csv.normal_date(data["date_of_birth"])
            if "sex" in data:
                data["sex"] = patient_csv.normal_sex(data["sex"])
            try:
                clean = self._check(data, partial=False)
            except ValidationError as exc:
                problems.extend(
                    RowProblem(row.line, sheet.columns.get(field, field), message)
                    for field, message in exc.errors.items()
                )
                continue
            person = (
                fold(clean["family_name"]),
                fold(clean["given_names"]),
                clean["date_of_birth"],
            )
            if person in first_line:
                problems.append(
                    RowProblem(row.line, "", f"is the same person as line {first_line[person]}")
                )
                continue
            first_line[person] = row.line
            ready.append((row.line, clean))
        return problems, ready

    def _already_registered(
        self, session: Session, ready: list[tuple[int, dict[str, Any]]]
    ) -> list[RowProblem]:
        found = []
        for line, clean in ready:
            matches = self._duplicates(
                session, clean["given_names"], clean["family_name"], clean["date_of_birth"]
            )
            if matches:
                found.append(
                    RowProblem(
                        line,
                        "",
                        f"is already registered as record {', '.join(matches)} "
                        "(same names and date of birth)",
                    )
                )
        return found

    def set_archived(self, patient_id: int, archived: bool, *, reason: str = "") -> PatientDetails:
        """Archive (hide from the list) or restore a patient; nothing is deleted."""
        self.require(ALL_ROLES, "archive patients")
        with self.db.write() as session:
            patient = self._load(session, patient_id)
            if patient.archived != archived:
                patient.archived = archived
                patient.updated_at = utcnow()
                patient.updated_by_id = self.actor.id
                self.audit(
                    session,
                    "archive" if archived else "unarchive",
                    "patient",
                    patient.id,
                    patient_id=patient.id,
                    summary=reason,
                )
                session.flush()  # the new version is given at the flush
            return _details(patient)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
