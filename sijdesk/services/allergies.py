"""A patient's allergies and intolerances, and "no known allergies".

Three states, kept apart on purpose: never asked (nothing recorded), asked
and none known (a dated statement), or a list. Everyone may see the state
(reception hands out forms and books injections too); only clinicians and
administrators record, amend or remove. Entries are amended, never
overwritten, like timeline events (see ``sijdesk.models.allergies``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sijdesk.errors import NotFound, ValidationError
from sijdesk.models import AllergyEntry, Patient, User
from sijdesk.services.context import ALL_ROLES, CLINICAL_ROLES, ServiceBase
from sijdesk.services.text import fold
from sijdesk.validation import Checker

# What this clinic meets before a needle or a prescription; "other" is named in words.
SUBSTANCES: dict[str, str] = {
    "local_anaesthetic": "Local anaesthetic",
    "iodinated_contrast": "Iodinated contrast",
    "corticosteroid": "Corticosteroid",
    "nsaid": "NSAID",
    "opioid": "Opioid",
    "latex": "Latex",
    "chlorhexidine": "Chlorhexidine",
    "iodine": "Iodine",
    "other": "Other",
}
# Words in an agent or a medicine that belong to each group (folded: lower case,
# no accents). A match asks the clinician to confirm; it never blocks alone.
MATCH_WORDS: dict[str, tuple[str, ...]] = {
    "local_anaesthetic": (
        "local anaesthetic",
        "local anesthetic",
        "lidocaine",
        "lignocaine",
        "bupivacaine",
        "levobupivacaine",
        "ropivacaine",
        "mepivacaine",
        "prilocaine",
        "chirocaine",
        "marcain",
        "xylocaine",
    ),
    "iodinated_contrast": (
        "contrast",
        "iohexol",
        "iopamidol",
        "iodixanol",
        "omnipaque",
        "visipaque",
        "niopam",
    ),
    "corticosteroid": (
        "steroid",
        "triamcinolone",
        "methylprednisolone",
        "dexamethasone",
        "betamethasone",
        "hydrocortisone",
        "prednisolone",
        "prednisone",
        "kenalog",
        "depo-medrone",
        "depomedrone",
    ),
    "nsaid": (
        "nsaid",
        "ibuprofen",
        "naproxen",
        "diclofenac",
        "celecoxib",
        "etoricoxib",
        "meloxicam",
        "ketoprofen",
        "indometacin",
        "indomethacin",
        "aspirin",
    ),
    "opioid": (
        "opioid",
        "codeine",
        "dihydrocodeine",
        "tramadol",
        "morphine",
        "oxycodone",
        "tapentadol",
        "fentanyl",
        "buprenorphine",
        "hydromorphone",
    ),
    "latex": ("latex",),
    "chlorhexidine": ("chlorhexidine", "chloraprep", "hibiscrub"),
    "iodine": ("iodine", "povidone", "betadine"),
    "other": (),
}
NONE_KNOWN = "none_known"
KINDS: dict[str, str] = {"allergy": "Allergy", "intolerance": "Intolerance"}
SEVERITIES: dict[str, str] = {
    "mild": "Mild",
    "moderate": "Moderate",
    "severe": "Severe",
    "unknown": "Severity not known",
}
FIELDS = ("substance", "substance_text", "kind", "reaction", "severity", "recorded_on", "active")

State = Literal["not_recorded", "none_known", "listed"]


@dataclass(frozen=True)
class AllergyInfo:
    """One version of an allergy entry (or of the "no known allergies" statement)."""

    id: int
    root_id: int
    patient_id: int
    substance: str
    substance_text: str
    kind: str
    reaction: str
    severity: str
    recorded_on: date
    active: bool
    recorded_by: str
    created_at: datetime
    version: int
    amendment_reason: str | None
    entered_in_error: bool

    @property
    def is_none_known(self) -> bool:
        return self.substance == NONE_KNOWN

    @property
    def name(self) -> str:
        """ "Local anaesthetic (lidocaine)", or the words typed for "other"."""
        if self.substance == "other":
            return self.substance_text or "Other"
        label = SUBSTANCES.get(self.substance, self.substance)
        return f"{label} ({self.substance_text})" if self.substance_text else label

    @property
    def description(self) -> str:
        """ "Local anaesthetic (lidocaine): allergy, severe; hives and wheeze"."""
        text = f"{self.name}: {self.kind}"
        if self.severity != "unknown":
            text += f", {self.severity}"
        if self.reaction:
            text += f"; {self.reaction}"
        return text


@dataclass(frozen=True)
class AllergyStatus:
    """What the record says about a patient's allergies, as everything shows it."""

    patient_id: int
    state: State
    allergies: tuple[AllergyInfo, ...] = ()  # current, active entries
    none_known: AllergyInfo | None = None

    @property
    def line(self) -> str:
        """One sentence for a banner or a letter."""
        if self.state == "listed":
            return "Allergies: " + "; ".join(a.description for a in self.allergies) + "."
        if self.state == "none_known" and self.none_known is not None:
            return f"Allergies: none known (recorded {self.none_known.recorded_on.isoformat()})."
        return "Allergies: not recorded."


def matching_allergies(status: AllergyStatus, text: str) -> list[AllergyInfo]:
    """The patient's current allergies that ``text`` (an agent, a medicine) may contain."""
    given = fold(text)
    if not given:
        return []
    found = []
    for allergy in status.allergies:
        words = [*MATCH_WORDS.get(allergy.substance, ()), fold(allergy.substance_text)]
        if any(len(word) >= 3 and word in given for word in words):
            found.append(allergy)
    return found


# Steps and letters after which someone gives a drug, contrast or an operation.
_NEEDLE_OR_SCALPEL = frozenset(
    {"injection", "surgery_evaluation", "injection_clinic", "spine_surgeon"}
)


def unasked_allergy_note(state: str, step_or_letter: str | None) -> str | None:
    """A check of the record beside injection or surgical advice, not part of the
    pathway's contract: the allergy question has not been asked yet."""
    if state != "not_recorded" or step_or_letter not in _NEEDLE_OR_SCALPEL:
        return None
    return (
        "Allergies are not recorded for this patient. Ask about local anaesthetics, "
        "contrast, steroids, latex and skin antiseptics before this goes further."
    )


class AllergyService(ServiceBase):
    log_name = "allergies"

    # -- reading -----------------------------------------------------------------

    def status(self, patient_id: int) -> AllergyStatus:
        self.require(ALL_ROLES, "see a patient's allergies")
        with self.db.read() as session:
            self._patient(session, patient_id)
            status = self._status(session, patient_id)
        self.audit_read(
            "allergies.view",
            "patient",
            patient_id,
            patient_id=patient_id,
            summary=f"read allergy status: {status.state}",
        )
        return status

    def status_in(self, session: Session, patient_id: int) -> AllergyStatus:
        """The status inside the caller's transaction (documents, whose use is audited)."""
        return self._status(session, patient_id)

    def entries(self, patient_id: int, *, include_removed: bool = False) -> list[AllergyInfo]:
        """Current versions, newest first: active and inactive, "none known" included."""
        self.require(CLINICAL_ROLES, "read clinical records")
        with self.db.read() as session:
            self._patient(session, patient_id)
            rows = self._current(session, patient_id, include_removed=include_removed)
            found = [self._info(session, row) for row in rows]
        self.audit_read(
            "allergies.list",
            "patient",
            patient_id,
            patient_id=patient_id,
            summary=f"read {len(found)} allergy entries",
        )
        return found

    def history(self, entry_id: int) -> list[AllergyInfo]:
        """Every version of an entry, oldest first; the last one is current."""
        self.require(CLINICAL_ROLES, "read clinical records")
        with self.db.read() as session:
            entry = self._load(session, entry_id)
            chain = self._chain(session, entry.root_id or entry.id)
            versions = [self._info(session, row, version=i + 1) for i, row in enumerate(chain)]
        self.audit_read(
            "allergies.view_history",
            "allergy_entry",
            entry_id,
            patient_id=entry.patient_id,
            summary=f"read {len(versions)} versions of an allergy entry",
        )
        return versions

    # -- writing -----------------------------------------------------------------

    def record(self, patient_id: int, data: Mapping[str, Any]) -> AllergyInfo:
        """Record an allergy or intolerance; a "none known" statement no longer applies."""
        self.require(CLINICAL_ROLES, "record allergies")
        clean = self._validate(data)
        with self.db.write() as session:
            self._check_dates(session, patient_id, clean)
            statement = self._current_none_known(session, patient_id)
            if statement is not None:
                self._insert(
                    session,
                    patient_id,
                    {**_fields(statement), "active": False},
                    replaces=statement,
                    reason="an allergy was recorded",
                )
            row = self._insert(session, patient_id, clean)
            return self._info(session, row)

    def record_none_known(self, patient_id: int, recorded_on: date | None = None) -> AllergyInfo:
        """State that the patient was asked and knows of no allergies (again, if already so)."""
        self.require(CLINICAL_ROLES, "record allergies")
        day = recorded_on or self.today()
        if day > self.today():
            raise ValidationError({"recorded_on": "cannot be in the future"})
        with self.db.write() as session:
            self._patient(session, patient_id)
            listed = self._status(session, patient_id).allergies
            if listed:
                count = "1 allergy is" if len(listed) == 1 else f"{len(listed)} allergies are"
                raise ValidationError(
                    {
                        "substance": f"{count} listed; mark them resolved or entered in error "
                        "before recording that none are known"
                    }
                )
            clean = {
                "substance": NONE_KNOWN,
                "substance_text": "",
                "kind": "allergy",
                "reaction": "",
                "severity": "unknown",
                "recorded_on": day,
                "active": True,
            }
            previous = self._current_none_known(session, patient_id)
            row = self._insert(
                session,
                patient_id,
                clean,
                replaces=previous,
                reason="asked again: none known" if previous is not None else None,
            )
            return self._info(session, row)

    def amend(self, entry_id: int, data: Mapping[str, Any], reason: str) -> AllergyInfo:
        """Replace the current version with a corrected one; ``data`` holds every field."""
        self.require(CLINICAL_ROLES, "amend allergies")
        errors: dict[str, str] = {}
        if not reason or not reason.strip():
            errors["reason"] = "say why the record is being amended"
        clean: dict[str, Any] = {}
        try:
            clean = self._validate(data)
        except ValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ValidationError(errors)
        with self.db.write() as session:
            old = self._current_for_change(session, entry_id)
            if old.substance == NONE_KNOWN:
                raise ValidationError(
                    {"substance": "record an allergy instead; the statement will be closed"}
                )
            self._check_dates(session, old.patient_id, clean)
            if _fields(old) == clean:
                raise ValidationError({"entry": "nothing was changed"})
            row = self._insert(session, old.patient_id, clean, replaces=old, reason=reason.strip())
            return self._info(session, row)

    def remove(self, entry_id: int, reason: str) -> AllergyInfo:
        """Mark an entry as entered in error; its versions stay in the history."""
        self.require(CLINICAL_ROLES, "amend allergies")
        if not reason or not reason.strip():
            raise ValidationError({"reason": "say why the entry is being removed"})
        with self.db.write() as session:
            old = self._current_for_change(session, entry_id)
            row = self._insert(
                session,
                old.patient_id,
                _fields(old),
                replaces=old,
                reason=reason.strip(),
                entered_in_error=True,
            )
            return self._info(session, row)

    # -- inside ------------------------------------------------------------------

    def _validate(self, data: Mapping[str, Any]) -> dict[str, Any]:
        check = Checker(data, today=self.today())
        check.reject_unknown(FIELDS)
        substance = check.choice("substance", SUBSTANCES, required=True)
        text = check.text("substance_text", max_length=200)
        if substance == "other" and not text:
            check.fail("substance_text", "name the substance")
        check.choice("kind", KINDS, required=True)
        check.text("reaction", max_length=2000)
        check.clean["severity"] = check.choice("severity", SEVERITIES) or "unknown"
        check.clean["recorded_on"] = check.date("recorded_on") or self.today()
        active = data.get("active", True)
        if not isinstance(active, bool):
            check.fail("active", "must be yes or no")
        check.clean["active"] = active
        check.raise_if_errors()
        return {name: check.clean[name] for name in FIELDS}

    def _check_dates(self, session: Session, patient_id: int, clean: Mapping[str, Any]) -> None:
        patient = self._patient(session, patient_id)
        if clean["recorded_on"] < patient.date_of_birth:
            raise ValidationError({"recorded_on": "cannot be before the patient's date of birth"})

    def _insert(
        self,
        session: Session,
        patient_id: int,
        clean: Mapping[str, Any],
        *,
        replaces: AllergyEntry | None = None,
        reason: str | None = None,
        entered_in_error: bool = False,
    ) -> AllergyEntry:
        row = AllergyEntry(
            patient_id=patient_id,
            created_by_id=self.actor.id,
            replaces_id=replaces.id if replaces else None,
            root_id=(replaces.root_id or replaces.id) if replaces else None,
            amendment_reason=reason,
            entered_in_error=entered_in_error,
            **clean,
        )
        session.add(row)
        session.flush()
        if entered_in_error:
            action = "remove"
        elif replaces is not None:
            action = "amend"
        else:
            action = "create"
        self.audit(
            session,
            action,
            "allergy_entry",
            row.id,
            patient_id=patient_id,
            summary=reason or f"recorded {clean['substance']}",
            details={"replaces": replaces.id} if replaces else None,
        )
        return row

    def _patient(self, session: Session, patient_id: int) -> Patient:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise NotFound(f"No patient with id {patient_id}.")
        return patient

    def _load(self, session: Session, entry_id: int) -> AllergyEntry:
        entry = session.get(AllergyEntry, entry_id)
        if entry is None:
            raise NotFound(f"No allergy entry with id {entry_id}.")
        return entry

    def _chain(self, session: Session, root_id: int) -> list[AllergyEntry]:
        stmt = (
            select(AllergyEntry)
            .where((AllergyEntry.id == root_id) | (AllergyEntry.root_id == root_id))
            .order_by(AllergyEntry.id)
        )
        return list(session.scalars(stmt))

    def _current(
        self, session: Session, patient_id: int, *, include_removed: bool = False
    ) -> list[AllergyEntry]:
        replaced = select(AllergyEntry.replaces_id).where(AllergyEntry.replaces_id.is_not(None))
        stmt = (
            select(AllergyEntry)
            .where(AllergyEntry.patient_id == patient_id, AllergyEntry.id.not_in(replaced))
            .order_by(AllergyEntry.recorded_on.desc(), AllergyEntry.id.desc())
        )
        if not include_removed:
            stmt = stmt.where(AllergyEntry.entered_in_error.is_(False))
        return list(session.scalars(stmt))

    def _current_none_known(self, session: Session, patient_id: int) -> AllergyEntry | None:
        for row in self._current(session, patient_id):
            if row.substance == NONE_KNOWN and row.active:
                return row
        return None

    def _current_for_change(self, session: Session, entry_id: int) -> AllergyEntry:
        entry = self._load(session, entry_id)
        newer = session.scalar(select(AllergyEntry.id).where(AllergyEntry.replaces_id == entry.id))
        if newer is not None:
            raise ValidationError(
                {"entry": "this version was already amended; amend its current version"}
            )
        if entry.entered_in_error:
            raise ValidationError({"entry": "this entry is already removed"})
        return entry

    def _status(self, session: Session, patient_id: int) -> AllergyStatus:
        current = [self._info(session, row) for row in self._current(session, patient_id)]
        allergies = tuple(a for a in current if a.active and not a.is_none_known)
        if allergies:
            return AllergyStatus(patient_id, "listed", allergies)
        statement = next((a for a in current if a.is_none_known and a.active), None)
        if statement is not None:
            return AllergyStatus(patient_id, "none_known", (), statement)
        return AllergyStatus(patient_id, "not_recorded")

    def _info(self, session: Session, row: AllergyEntry, *, version: int | None = None):
        author = session.get(User, row.created_by_id)
        if version is None:
            version = len(self._chain(session, row.root_id or row.id))
        return AllergyInfo(
            id=row.id,
            root_id=row.root_id or row.id,
            patient_id=row.patient_id,
            substance=row.substance,
            substance_text=row.substance_text,
            kind=row.kind,
            reaction=row.reaction,
            severity=row.severity,
            recorded_on=row.recorded_on,
            active=row.active,
            recorded_by=author.display_name if author else "?",
            created_at=row.created_at,
            version=version,
            amendment_reason=row.amendment_reason,
            entered_in_error=row.entered_in_error,
        )


def _fields(row: AllergyEntry) -> dict[str, Any]:
    return {name: getattr(row, name) for name in FIELDS}
