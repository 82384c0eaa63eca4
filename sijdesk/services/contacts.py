"""The clinic's address book: the doctors and services letters are addressed to.

Reception keeps it (they take the calls and file the letters), so every role
reads and edits it. A contact is corrected in place, audited with the names of
the fields changed, and retired rather than deleted: patients and letters
refer to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sijdesk.errors import NotFound, ValidationError
from sijdesk.models import CONTACT_ROLES, ClinicSettings, Contact, utcnow
from sijdesk.services.context import ALL_ROLES, ServiceBase
from sijdesk.services.text import digits
from sijdesk.validation import Checker

ROLE_LABELS: dict[str, str] = {
    "gp": "Family doctor (GP)",
    "spine_surgeon": "Spine surgeon",
    "injection_clinic": "Injection clinic",
    "rheumatologist": "Rheumatologist",
    "physiotherapist": "Physiotherapist",
    "other": "Other",
}
FIELDS = ("name", "role", "practice", "address", "phone", "secure_email")
# The role of contact each kind of letter is addressed to (None: any role).
LETTER_ROLES: dict[str, str | None] = {
    "physiotherapy": "physiotherapist",
    "injection_clinic": "injection_clinic",
    "spine_surgeon": "spine_surgeon",
    "rheumatology": "rheumatologist",
    "urgent": None,
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ContactInfo:
    id: int
    name: str
    role: str
    practice: str
    address: str
    phone: str
    secure_email: str
    active: bool
    version: int = 1  # the row's version when read (ContactService.update's ``seen``)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def display(self) -> str:
        """ "Dr Harriet Mensah, Riverside Medical Centre": how lists and letters name it."""
        return f"{self.name}, {self.practice}" if self.practice else self.name

    @property
    def address_lines(self) -> tuple[str, ...]:
        """Name, practice and address, one line each, as an envelope shows them."""
        lines = [self.name]
        if self.practice:
            lines.append(self.practice)
        lines.extend(line.strip() for line in self.address.splitlines() if line.strip())
        return tuple(lines)


def contact_info(row: Contact) -> ContactInfo:
    return ContactInfo(
        row.id,
        row.name,
        row.role,
        row.practice,
        row.address,
        row.phone,
        row.secure_email,
        row.active,
        row.version,
    )


class ContactService(ServiceBase):
    log_name = "contacts"

    def all_contacts(
        self, *, role: str | None = None, include_retired: bool = False
    ) -> list[ContactInfo]:
        """The address book by name, optionally one role only."""
        self.require(ALL_ROLES, "read the address book")
        with self.db.read() as session:
            stmt = select(Contact).order_by(Contact.name, Contact.id)
            if role is not None:
                stmt = stmt.where(Contact.role == role)
            if not include_retired:
                stmt = stmt.where(Contact.active.is_(True))
            return [contact_info(row) for row in session.scalars(stmt)]

    def get(self, contact_id: int) -> ContactInfo:
        self.require(ALL_ROLES, "read the address book")
        with self.db.read() as session:
            return contact_info(self.load(session, contact_id))

    def create(self, data: Mapping[str, Any]) -> ContactInfo:
        self.require(ALL_ROLES, "add to the address book")
        clean = self._check(data, partial=False)
        with self.db.write() as session:
            row = Contact(created_by_id=self.actor.id, **clean)
            session.add(row)
            session.flush()
            self.audit(session, "create", "contact", row.id, summary=f"added a {row.role} contact")
            return contact_info(row)

    def update(
        self, contact_id: int, changes: Mapping[str, Any], *, seen: ContactInfo | None = None
    ) -> ContactInfo:
        """Correct a contact; only the fields given change. ``seen``: the contact as the
        user's form showed it (a save by someone else since is refused, EditConflict)."""
        self.require(ALL_ROLES, "edit the address book")
        clean = self._check(changes, partial=True)
        with self.db.write() as session:
            row = self.load(session, contact_id)
            self.refuse_stale_edit(
                session, row, seen, (*FIELDS, "active"), noun="contact", current=contact_info(row)
            )
            changed = sorted(k for k, v in clean.items() if getattr(row, k) != v)
            if not changed:
                raise ValidationError({"contact": "nothing was changed"})
            for key in changed:
                setattr(row, key, clean[key])
            row.updated_at = utcnow()
            row.updated_by_id = self.actor.id
            self.audit(
                session,
                "update",
                "contact",
                row.id,
                summary="corrected " + ", ".join(changed),
                details={"fields": changed},
            )
            session.flush()  # the new version is given at the flush
            return contact_info(row)

    def set_active(self, contact_id: int, active: bool) -> ContactInfo:
        """Retire a contact (kept for the patients and letters that name it) or restore it."""
        self.require(ALL_ROLES, "edit the address book")
        with self.db.write() as session:
            row = self.load(session, contact_id)
            if row.active == active:
                raise ValidationError(
                    {"contact": "is already " + ("in use" if active else "retired")}
                )
            row.active = active
            row.updated_at = utcnow()
            row.updated_by_id = self.actor.id
            self.audit(
                session, "update", "contact", row.id, summary="restored" if active else "retired"
            )
            session.flush()
            return contact_info(row)

    # -- where letters go ------------------------------------------------------------

    def letter_defaults(self) -> dict[str, ContactInfo]:
        """The contact each kind of letter goes to when none is chosen."""
        self.require(ALL_ROLES, "read the address book")
        with self.db.read() as session:
            return self.letter_defaults_in(session)

    def letter_defaults_in(self, session: Session) -> dict[str, ContactInfo]:
        settings = session.get(ClinicSettings, 1)
        chosen = (settings.default_contacts if settings else None) or {}
        found = {}
        for kind, contact_id in chosen.items():
            row = session.get(Contact, contact_id)
            if row is not None and row.active:
                found[kind] = contact_info(row)
        return found

    def set_letter_default(self, kind: str, contact_id: int | None) -> dict[str, ContactInfo]:
        """Choose (or with None, clear) the contact a kind of letter goes to by default."""
        self.require(ALL_ROLES, "edit the address book")
        if kind not in LETTER_ROLES:
            raise ValidationError({"kind": "must be one of: " + ", ".join(LETTER_ROLES)})
        with self.db.write() as session:
            if contact_id is not None:
                row = self.load(session, contact_id)
                role = LETTER_ROLES[kind]
                if not row.active:
                    raise ValidationError({"contact": "is retired; restore it first"})
                if role is not None and row.role != role:
                    raise ValidationError(
                        {"contact": f"must be a {ROLE_LABELS[role].lower()} contact"}
                    )
            settings = session.get(ClinicSettings, 1)
            if settings is None:
                raise NotFound("The clinic settings row is missing.")
            chosen = dict(settings.default_contacts or {})
            if contact_id is None:
                chosen.pop(kind, None)
            else:
                chosen[kind] = contact_id
            settings.default_contacts = chosen
            self.audit(
                session,
                "update",
                "settings",
                1,
                summary=f"default contact for {kind} letters",
                details={"kind": kind, "contact_id": contact_id},
            )
            session.flush()
            return self.letter_defaults_in(session)

    # -- inside ------------------------------------------------------------------

    def load(self, session: Session, contact_id: int) -> Contact:
        """The contact row inside the caller's transaction (patients, documents)."""
        row = session.get(Contact, contact_id)
        if row is None:
            raise NotFound(f"No contact with id {contact_id}.")
        return row

    def _check(self, data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
        checker = Checker(data, today=self.today())
        checker.reject_unknown(FIELDS)
        if not partial or "name" in data:
            checker.text("name", required=True, max_length=200)
        if not partial or "role" in data:
            checker.choice("role", CONTACT_ROLES, required=True)
        for name, limit in (("practice", 200), ("address", 1000), ("phone", 64)):
            if not partial or name in data:
                checker.text(name, max_length=limit)
        if not partial or "secure_email" in data:
            checker.text("secure_email", max_length=200)
        if checker.clean.get("phone") and len(digits(checker.clean["phone"])) < 3:
            checker.fail("phone", "must contain a telephone number")
        email = checker.clean.get("secure_email")
        if email and not _EMAIL.match(email):
            checker.fail("secure_email", "is not an e-mail address")
        checker.raise_if_errors()
        return checker.clean
