"""Patients and their care out to, and in from, HL7 FHIR R4 Bundles.

The bundle's shape lives in ``fhir_bundle``; here the clinic's records are
gathered (the current version of every allergy and event, nothing entered in
error) and written, and a bundle is checked from end to end before anything of
it is written, then written in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sijdesk.durable import write_export
from sijdesk.errors import NotFound, ValidationError
from sijdesk.kinds import KINDS, RECORDABLE_KINDS, validate_event
from sijdesk.models import Episode, GeneratedDocument, Patient, utcnow
from sijdesk.services import fhir_bundle as fb
from sijdesk.services.allergies import NONE_KNOWN, AllergyService
from sijdesk.services.context import ADMIN_ROLES, CLINICAL_ROLES, ServiceBase
from sijdesk.services.patients import PatientService
from sijdesk.services.timeline import TimelineService, current_events_stmt, event_data
from sijdesk.validation import Checker

# A bundle larger than this is refused before it is read (PDFs make most of a bundle).
MAX_BUNDLE_BYTES = 512 * 1024 * 1024
EPISODE_FIELDS = ("side", "onset_date", "title", "status", "closed_on", "closing_reason")


@dataclass(frozen=True)
class FhirImportReport:
    """What an import did, or (``problems``) why it wrote nothing."""

    patients: int
    episodes: int
    events: int
    problems: tuple[str, ...]
    imported: tuple[str, ...]  # the record numbers given here, in bundle order
    renumbered: Mapping[str, str]  # bundle record number -> the one given here
    not_read: Mapping[str, int]
    dry_run: bool


class ExchangeService(ServiceBase):
    log_name = "exchange"

    def __init__(
        self,
        db,
        actor,
        *,
        clock: Callable[[], date] = date.today,
        patients: PatientService,
        timeline: TimelineService,
        allergies: AllergyService,
    ):
        super().__init__(db, actor, clock=clock)
        self._patients = patients
        self._timeline = timeline
        self._allergies = allergies

    # -- export ------------------------------------------------------------------------

    def export_fhir(self, path: str | Path, *, record_number: str | None = None) -> int:
        """One patient (clinicians) or every patient (administrators) with their allergies,
        episodes and current events to a FHIR R4 Bundle (JSON), each resource validated.
        Returns how many patients; audited."""
        if record_number is None:
            self.require(ADMIN_ROLES, "export every patient's record")
        else:
            self.require(CLINICAL_ROLES, "export a patient's record")
        target = Path(path).expanduser().resolve()
        with self.db.read() as session:
            stmt = select(Patient).order_by(Patient.record_number)
            if record_number is not None:
                stmt = stmt.where(Patient.record_number == record_number.strip())
            rows = list(session.scalars(stmt))
            if record_number is not None and not rows:
                raise NotFound(f"No patient has the record number {record_number}.")
            patients = [self._gather(session, p) for p in rows]
        bundle = fb.build_bundle(patients, now=utcnow())
        fb.validate_bundle(bundle)  # a bundle we cannot read back is a bug, not a file
        write_export(target, json.dumps(bundle, ensure_ascii=False).encode())
        with self.db.write() as session:
            self.audit(
                session,
                "export",
                "patient",
                rows[0].id if record_number is not None else None,
                patient_id=rows[0].id if record_number is not None else None,
                summary=f"FHIR bundle, {len(rows)} patients",
                details={"patients": len(rows), "file": target.name, "format": "fhir-r4"},
            )
        return len(rows)

    def _gather(self, session: Session, p: Patient) -> fb.ExchangedPatient:
        allergies = tuple(
            fb.ExchangedAllergy(
                substance=a.substance,
                substance_text=a.substance_text,
                kind=a.kind,
                reaction=a.reaction,
                severity=a.severity,
                recorded_on=a.recorded_on.isoformat(),
                active=a.active,
            )
            for a in reversed(self._allergies._current(session, p.id))
        )
        episodes = tuple(
            self._gather_episode(session, e)
            for e in session.scalars(
                select(Episode).where(Episode.patient_id == p.id).order_by(Episode.id)
            )
        )
        return fb.ExchangedPatient(
            record_number=p.record_number,
            given_names=p.given_names,
            family_name=p.family_name,
            date_of_birth=p.date_of_birth.isoformat(),
            sex=p.sex,
            phone=p.phone,
            email=p.email,
            address=p.address,
            referring_practitioner=p.referring_practitioner,
            archived=p.archived,
            allergies=allergies,
            episodes=episodes,
        )

    def _gather_episode(self, session: Session, e: Episode) -> fb.ExchangedEpisode:
        events = sorted(
            (ev for ev in session.scalars(current_events_stmt(e.id)) if not ev.entered_in_error),
            key=lambda ev: (ev.event_date, ev.root_id or ev.id),
        )
        return fb.ExchangedEpisode(
            **{f: fb.jsonable(getattr(e, f)) for f in EPISODE_FIELDS},
            events=tuple(
                fb.ExchangedEvent(
                    kind=ev.kind,
                    date=ev.event_date.isoformat(),
                    values=fb.jsonable(event_data(ev)),
                    allergy_confirmation=ev.allergy_confirmation,
                    created_at=ev.created_at.isoformat() if ev.kind == "document" else None,
                    pdf=ev.pdf if isinstance(ev, GeneratedDocument) else None,
                )
                for ev in events
            ),
        )

    # -- import ------------------------------------------------------------------------

    def import_fhir(
        self,
        path: str | Path,
        *,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> FhirImportReport:
        """Register the patients of a FHIR bundle with their allergies, episodes and events:
        every one of them in one transaction, or nothing when anything in the bundle is
        wrong (administrators; audited). A patient already registered here (same names
        and date of birth) is a problem, not a second record."""
        self.require(ADMIN_ROLES, "import patients")
        source = Path(path).expanduser()
        read = self._read(source)
        ready, problems = self._check_all(read.patients)
        with self.db.read() as session:
            problems += self._already_registered(session, read.patients)
        counts = (
            len(read.patients),
            sum(len(p.episodes) for p in read.patients),
            sum(len(e.events) for p in read.patients for e in p.episodes),
        )
        if problems or dry_run:
            self.audit_read(
                "patient.import_check",
                "patient",
                None,
                summary=f"FHIR bundle checked: {counts[0]} patients, {len(problems)} problems",
                details={"patients": counts[0], "problems": len(problems), "file": source.name},
            )
            return FhirImportReport(
                *counts, tuple(problems), (), {}, read.not_read, dry_run=dry_run
            )
        imported: list[str] = []
        renumbered: dict[str, str] = {}
        with self.db.write() as session:
            late = self._already_registered(session, read.patients)  # another desk, meanwhile
            if late:
                return FhirImportReport(*counts, tuple(late), (), {}, read.not_read, False)
            kept = frozenset(
                b.record_number
                for b, _clean in ready
                if b.record_number and self._patients._number_free(session, b.record_number)
            )
            for done, (brought, clean) in enumerate(ready, start=1):
                number = self._write_patient(session, brought, clean, kept)
                imported.append(number)
                if brought.record_number and number != brought.record_number:
                    renumbered[brought.record_number] = number
                if progress is not None:
                    progress(done, len(ready))
            self.audit(
                session,
                "import",
                "patient",
                None,
                summary=f"imported {len(imported)} patients from a FHIR bundle",
                details={"patients": counts[0], "events": counts[2], "file": source.name},
            )
        return FhirImportReport(
            *counts, (), tuple(imported), renumbered, read.not_read, dry_run=False
        )

    def _read(self, source: Path) -> fb.ReadBundle:
        data = self._load_bundle(source)
        try:
            return fb.read_bundle(data)
        except fb.BundleProblem as exc:
            raise ValidationError({"file": str(exc)}) from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # Valid FHIR whose SIJ Desk records are not of the shape SIJ Desk writes.
            raise ValidationError(
                {"file": f"holds SIJ Desk records of a shape this release cannot read ({exc!r})"}
            ) from None

    def _load_bundle(self, source: Path) -> Any:
        try:
            if source.stat().st_size > MAX_BUNDLE_BYTES:
                raise ValidationError({"file": "is larger than a SIJ Desk bundle can be (512 MB)"})
            text = source.read_bytes().decode("utf-8-sig")
            data = json.loads(text)
        except FileNotFoundError:
            raise ValidationError({"file": f"there is no file at {source}"}) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError({"file": f"cannot be read ({exc})"}) from exc
        except ValueError as exc:
            raise ValidationError(
                {"file": f"is not JSON, so not a FHIR bundle (line {exc.lineno}: {exc.msg})"}
                if isinstance(exc, json.JSONDecodeError)
                else {"file": "is not JSON, so not a FHIR bundle"}
            ) from exc
        try:
            fb.validate_bundle(data)
        except fb.BundleProblem as exc:
            raise ValidationError({"file": str(exc)}) from None
        return data

    def _check_all(
        self, patients: tuple[fb.ExchangedPatient, ...]
    ) -> tuple[list[tuple[fb.ExchangedPatient, dict[str, Any]]], list[str]]:
        """Every value checked as the forms check it; problems named by patient and event."""
        ready = []
        problems: list[str] = []
        for number, p in enumerate(patients, start=1):
            who = _who(number, p)
            data = {
                f: getattr(p, f)
                for f in (
                    "given_names",
                    "family_name",
                    "date_of_birth",
                    "sex",
                    "phone",
                    "email",
                    "address",
                    "referring_practitioner",
                )
            }
            try:
                clean = self._patients._check(data, partial=False)
            except ValidationError as exc:
                problems += [f"{who}: {f.replace('_', ' ')} {m}" for f, m in exc.errors.items()]
                continue
            born = clean["date_of_birth"]
            problems += self._check_record(who, p, born)
            ready.append((p, clean))
        return ready, problems

    def _check_record(self, who: str, p: fb.ExchangedPatient, born: date) -> list[str]:
        problems = []
        for a in p.allergies:
            try:
                self._allergy_values(a)
            except ValidationError as exc:
                problems += [f"{who}, allergy: {f} {m}" for f, m in exc.errors.items()]
        for e_number, episode in enumerate(p.episodes, start=1):
            where = f"{who}, episode {e_number}"
            try:
                self._episode_values(episode, born)
            except ValidationError as exc:
                problems += [f"{where}: {f} {m}" for f, m in exc.errors.items()]
            for event in episode.events:
                try:
                    clean = self._event_values(event)
                except ValidationError as exc:
                    label = KINDS[event.kind].label.lower()
                    problems += [
                        f"{where}, {label} of {event.date}: {_field_words(event.kind, f)} — {m}"
                        for f, m in exc.errors.items()
                    ]
                    continue
                if clean["date"] < born:
                    label = KINDS[event.kind].label.lower()
                    problems.append(f"{where}, {label} of {event.date}: before the date of birth")
        return problems

    def _allergy_values(self, a: fb.ExchangedAllergy) -> dict[str, Any]:
        values = {
            "substance": a.substance,
            "substance_text": a.substance_text,
            "kind": a.kind,
            "reaction": a.reaction,
            "severity": a.severity,
            "recorded_on": a.recorded_on,
            "active": a.active,
        }
        if a.substance != NONE_KNOWN:
            return self._allergies._validate(values)
        checker = Checker(values, today=self.today())
        checker.date("recorded_on", required=True)
        if not isinstance(a.active, bool):
            checker.fail("active", "must be yes or no")
        checker.raise_if_errors()
        return {**values, "recorded_on": checker.clean["recorded_on"]}

    def _episode_values(self, e: fb.ExchangedEpisode, born: date) -> dict[str, Any]:
        from sijdesk.services.episodes import EPISODE_SIDES

        checker = Checker({f: getattr(e, f) for f in EPISODE_FIELDS}, today=self.today())
        checker.choice("side", EPISODE_SIDES, required=True)
        onset = checker.date("onset_date")
        checker.text("title", max_length=200)
        checker.choice("status", ("open", "closed"), required=True)
        closed = checker.date("closed_on")
        checker.text("closing_reason", max_length=2000)
        if onset is not None and onset < born:
            checker.fail("onset_date", "is before the date of birth")
        if checker.clean.get("status") == "closed" and closed is None:
            checker.fail("closed_on", "is needed for a closed episode")
        checker.raise_if_errors()
        return checker.clean

    def _event_values(self, event: fb.ExchangedEvent) -> dict[str, Any]:
        values = {"date": event.date, **event.values}
        if event.kind in RECORDABLE_KINDS:
            return validate_event(event.kind, values, today=self.today())
        kind = KINDS[event.kind]
        checker = Checker(values, today=self.today())
        checker.reject_unknown(("date", *kind.field_names))
        checker.date("date", required=True)
        missing = [f for f in kind.field_names if f not in event.values]
        if missing:
            checker.fail(missing[0], "is missing")
        checker.raise_if_errors()
        clean = {**event.values, "date": checker.clean["date"]}
        if event.kind == "document":
            clean["pdf"] = event.pdf
            if event.created_at:
                try:
                    clean["created_at"] = datetime.fromisoformat(event.created_at)
                except ValueError:
                    raise ValidationError({"created_at": "is not a time"}) from None
        return clean

    @staticmethod
    def _already_registered(
        session: Session, patients: tuple[fb.ExchangedPatient, ...]
    ) -> list[str]:
        from sijdesk.services.text import fold

        problems = []
        for number, p in enumerate(patients, start=1):
            try:
                born = date.fromisoformat(p.date_of_birth)
            except ValueError:
                continue  # reported by the checks
            found = session.scalar(
                select(Patient.record_number).where(
                    Patient.family_key == fold(p.family_name),
                    Patient.given_key == fold(p.given_names),
                    Patient.date_of_birth == born,
                )
            )
            if found is not None:
                problems.append(
                    f"{_who(number, p)}: already registered here as record {found} "
                    "(same names and date of birth)"
                )
        return problems

    def _write_patient(
        self,
        session: Session,
        brought: fb.ExchangedPatient,
        clean: Mapping[str, Any],
        kept: frozenset[str],
    ) -> str:
        patient = self._patients._register_in(
            session, clean, keep_number=brought.record_number, avoid=kept
        )
        if brought.archived:
            patient.archived = True
        for allergy in brought.allergies:
            self._allergies._insert(session, patient.id, self._allergy_values(allergy))
        for brought_episode in brought.episodes:
            values = self._episode_values(brought_episode, patient.date_of_birth)
            episode = Episode(
                patient_id=patient.id,
                side=values["side"],
                onset_date=values["onset_date"],
                title=values["title"] or "",
                status=values["status"],
                closed_on=values["closed_on"],
                closing_reason=values["closing_reason"] or None,
                created_by_id=self.actor.id,
            )
            session.add(episode)
            session.flush()
            self.audit(
                session,
                "open",
                "episode",
                episode.id,
                patient_id=patient.id,
                summary=f"episode ({episode.side}) imported from a FHIR bundle",
            )
            for event in brought_episode.events:
                self._timeline.insert_event(
                    session,
                    episode,
                    event.kind,
                    self._event_values(event),
                    allergy_confirmation=event.allergy_confirmation,
                )
        session.flush()
        return patient.record_number


def _who(number: int, p: fb.ExchangedPatient) -> str:
    """How a problem names the bundle's patient: its place, name and record number there."""
    name = f"{p.family_name.upper()}, {p.given_names}".strip(", ") or "no name"
    number_there = f"record {p.record_number} in the bundle" if p.record_number else "no record"
    return f"patient {number} ({name}, {number_there})"


def _field_words(kind: str, name: str) -> str:
    """A field as the forms label it ("Pain now (NRS 0-10)"), else its name in words."""
    field = name.split("[", maxsplit=1)[0]
    try:
        return KINDS[kind].field(field).label
    except KeyError:
        return field.replace("_", " ")
