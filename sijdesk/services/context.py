"""Who is acting, and the shared helpers every service uses (audit, permissions)."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import logging
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sijdesk.db.engine import OWN_CHANGES, Database
from sijdesk.errors import EditConflict, NotFound, PermissionDenied, UserError, ValidationError
from sijdesk.models import AuditEvent, ClinicSettings, User

log = logging.getLogger("sijdesk.services")

ADMIN_ROLES = frozenset({"admin"})
# As before sign-in existed, an administrator may also do clinical work: in
# a small clinic the administrator is usually the lead clinician.
CLINICAL_ROLES = frozenset({"admin", "clinician"})
ALL_ROLES = frozenset({"admin", "clinician", "reception"})
ROLE_ORDER = ("admin", "clinician", "reception")

# Set while a service builds something whose own audit event covers the
# reads it makes (a letter reads the patient): those reads are not audited
# again one by one.
_inside_audited_use = contextvars.ContextVar("sijdesk_inside_audited_use", default=False)


@contextlib.contextmanager
def covered_reads() -> Iterator[None]:
    token = _inside_audited_use.set(True)
    try:
        yield
    finally:
        _inside_audited_use.reset(token)


@dataclass
class _ReadBatch:
    db: Database
    events: list[tuple[int | None, str, str, int | None, dict[str, Any]]]


# Set while one screen's reads are gathered (opening a patient reads the record,
# its episodes, the timeline and the advice): each read keeps its own audit
# event, and they are written together in one transaction when the screen has
# read everything, instead of one transaction each.
_read_batch: contextvars.ContextVar[_ReadBatch | None] = contextvars.ContextVar(
    "sijdesk_read_batch", default=None
)


@contextlib.contextmanager
def reads_audited_together(db: Database) -> Iterator[None]:
    """Audit the reads made inside the block in one write at its end.

    The events are written even when the block fails part way: what was read
    before the failure was read.
    """
    if _read_batch.get() is not None:  # already gathering: the outer block writes
        yield
        return
    batch = _ReadBatch(db, [])
    token = _read_batch.set(batch)
    try:
        yield
    finally:
        _read_batch.reset(token)
        if batch.events:
            with db.write() as session:
                for user_id, action, entity, entity_id, fields in batch.events:
                    record_event(db, session, user_id, action, entity, entity_id, **fields)


@dataclass(frozen=True)
class Actor:
    """The signed-in user on whose behalf a service acts."""

    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    credentials: str | None = None

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)

    @property
    def role_label(self) -> str:
        """ "clinician, reception": how the window names the user's roles."""
        return ", ".join(r for r in ROLE_ORDER if r in self.roles) or "no role"


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.roles, user.credentials)


def load_actor(session: Session, username: str) -> Actor:
    """The actor for an active user, without a password: only for code that has
    already authenticated (sign-in) or that builds the database (demo, tests)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFound(f"There is no active user called {username!r} in this clinic database.")
    return actor_of(user)


def record_event(
    db: Database,
    session: Session,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    patient_id: int | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Seal one audit event into ``session``'s write transaction (user None: nobody
    signed in, e.g. a failed sign-in under an unknown name)."""
    return db.audit_chain.append(
        session,
        AuditEvent(
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            patient_id=patient_id,
            summary=summary,
            details=details or {},
        ),
    )


_inside_service_call = contextvars.ContextVar("sijdesk_inside_service_call", default=False)


def _ids_of(signature: inspect.Signature, args: tuple, kwargs: dict) -> str:
    """``episode_id=12 patient_id=3``: the integer ids a call was given, nothing else.

    Names, notes and other values are left out on purpose: the log is read by
    the clinic's IT person and sent to support, and must carry no patient data.
    """
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return ""
    return " ".join(
        f"{name}={value}"
        for name, value in bound.arguments.items()
        if (name == "id" or name.endswith("_id")) and type(value) is int
    )


def _logged(operation: str, method: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(self: ServiceBase, *args: Any, **kwargs: Any) -> Any:
        if _inside_service_call.get():  # the outermost call logs, once
            return method(self, *args, **kwargs)
        token = _inside_service_call.set(True)
        try:
            return method(self, *args, **kwargs)
        except ValidationError as exc:
            # Which fields, never what was typed in them.
            log.info(
                "%s refused: invalid %s (user %s %s)",
                operation,
                ", ".join(sorted(exc.errors)),
                self.actor.id,
                _ids_of(signature, args, kwargs),
            )
            raise
        except UserError as exc:
            log.info(
                "%s refused: %s (user %s %s)",
                operation,
                type(exc).__name__,
                self.actor.id,
                _ids_of(signature, args, kwargs),
            )
            raise
        except Exception as exc:
            # The traceback's frames, not the exception's text: a database error's
            # text can quote the values of the row (names, notes).
            log.error(
                "%s failed: %s (user %s %s)\n%s",
                operation,
                type(exc).__name__,
                self.actor.id,
                _ids_of(signature, args, kwargs),
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            raise
        finally:
            _inside_service_call.reset(token)

    return call


class ServiceBase:
    """Base of the use-case classes: a database and the acting user.

    Every public method of a service is a boundary: a refusal is logged at
    INFO and a failure at ERROR, with the operation (``timeline.add``), the
    acting user's id and the ids it was given, never patient data.
    """

    #: The name the log gives this service's operations ("timeline" in "timeline.add").
    log_name = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        prefix = cls.log_name or cls.__name__.removesuffix("Service").lower()
        for name, value in list(vars(cls).items()):
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            setattr(cls, name, _logged(f"{prefix}.{name}", value))

    def __init__(self, db: Database, actor: Actor, *, clock: Callable[[], date] = date.today):
        self.db = db
        self.actor = actor
        # Injected so tests can fix "today"; everything date-relative reads it.
        self.clock = clock

    def today(self) -> date:
        return self.clock()

    def require(self, roles: frozenset[str], what: str) -> None:
        if not self.actor.has_any(roles):
            raise PermissionDenied(
                f"Your role ({self.actor.role_label}) does not allow you to {what}."
            )

    def refuse_stale_edit(
        self,
        session: Session,
        row: Any,
        seen: Any,
        fields: tuple[str, ...],
        *,
        noun: str,
        current: Any,
    ) -> None:
        """Refuse an edit made from ``seen`` when ``row`` was saved by someone since.

        Both carry a ``version``; the refusal names who saved and which fields
        they changed, and hands back ``current`` for the form to reload.
        """
        if seen is None or seen.version == row.version:
            return
        changes = {
            f: (getattr(seen, f), getattr(row, f))
            for f in fields
            if getattr(seen, f, None) != getattr(row, f)
        }
        who = None
        if getattr(row, "updated_by_id", None) is not None:
            user = session.get(User, row.updated_by_id)
            who = user.display_name if user is not None else None
        what = ", ".join(f.replace("_contact_id", "").replace("_", " ") for f in changes)
        raise EditConflict(
            f"{who or 'Someone else'} saved this {noun} after you opened it"
            + (f" (they changed: {what})" if what else "")
            + ". Nothing of yours was saved yet.",
            changes=changes,
            current=current,
        )

    def audit(
        self,
        session: Session,
        action: str,
        entity: str,
        entity_id: int | None,
        *,
        patient_id: int | None = None,
        summary: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        """Seal the audit event of a change, and move the clinic's change counter on.

        The counter's row is locked before the audit head, as the record
        number's is, so concurrent writers always lock in the same order."""
        counted = session.execute(
            update(ClinicSettings)
            .where(ClinicSettings.id == 1)
            .values(data_version=ClinicSettings.data_version + 1)
            .returning(ClinicSettings.data_version)
        ).scalar_one_or_none()
        if counted is not None:
            session.info.setdefault(OWN_CHANGES, []).append(counted)
        record_event(
            self.db,
            session,
            self.actor.id,
            action,
            entity,
            entity_id,
            patient_id=patient_id,
            summary=summary,
            details=details,
        )

    def audit_read(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        *,
        patient_id: int | None = None,
        summary: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        """Record that the user was shown something (a search, a record, advice).

        Written in its own short transaction after the read (or with the other
        reads of one screen, see :func:`reads_audited_together`); skipped when
        the read is part of a larger use that is audited as a whole.
        """
        if _inside_audited_use.get():
            return
        batch = _read_batch.get()
        if batch is not None and batch.db is self.db:
            fields = {"patient_id": patient_id, "summary": summary, "details": details}
            batch.events.append((self.actor.id, action, entity, entity_id, fields))
            return
        with self.db.write() as session:
            # Not self.audit: a read changes nothing others need to see.
            record_event(
                self.db,
                session,
                self.actor.id,
                action,
                entity,
                entity_id,
                patient_id=patient_id,
                summary=summary,
                details=details,
            )
