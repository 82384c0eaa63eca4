"""Who is acting, and the shared helpers every service uses (audit, permissions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sijdesk.db.engine import Database
from sijdesk.errors import NotFound, PermissionDenied
from sijdesk.models import AuditEvent, User

CLINICAL_ROLES = frozenset({"admin", "clinician"})
ALL_ROLES = frozenset({"admin", "clinician", "reception"})


@dataclass(frozen=True)
class Actor:
    """The signed-in user on whose behalf a service acts."""

    id: int
    username: str
    display_name: str
    role: str
    credentials: str | None = None


def load_actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFound(f"There is no active user called {username!r} in this clinic database.")
    return Actor(user.id, user.username, user.display_name, user.role, user.credentials)


class ServiceBase:
    """Base of the use-case classes: a database and the acting user."""

    def __init__(self, db: Database, actor: Actor, *, clock: Callable[[], date] = date.today):
        self.db = db
        self.actor = actor
        # Injected so tests can fix "today"; everything date-relative reads it.
        self.clock = clock

    def today(self) -> date:
        return self.clock()

    def require(self, roles: frozenset[str], what: str) -> None:
        if self.actor.role not in roles:
            raise PermissionDenied(f"Your role ({self.actor.role}) does not allow you to {what}.")

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
        session.add(
            AuditEvent(
                user_id=self.actor.id,
                action=action,
                entity=entity,
                entity_id=entity_id,
                patient_id=patient_id,
                summary=summary,
                details=details or {},
            )
        )
