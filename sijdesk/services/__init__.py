"""Use cases shared by the window, the documents and the command line.

Every call is one transaction, checks the acting user's role and writes its
audit record; widgets and commands never open a session themselves.

    clinic = Clinic.open(db_path, username="admin")
    patient = clinic.patients.register({...})
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sijdesk.db.engine import Database
from sijdesk.db.migrate import open_database
from sijdesk.services.context import Actor, load_actor
from sijdesk.services.documents import DocumentService
from sijdesk.services.episodes import EpisodeService, EpisodeView
from sijdesk.services.pathway_service import Alert, EpisodeAdvice, PathwayService
from sijdesk.services.patients import PatientDetails, PatientService, PatientSummary
from sijdesk.services.timeline import TimelineEntry, TimelineService

DEFAULT_USER = "admin"


class Clinic:
    """The services of one clinic database, acting as one user."""

    def __init__(self, db: Database, actor: Actor, *, clock: Callable[[], date] = date.today):
        self.db = db
        self.actor = actor
        self.clock = clock
        self.patients = PatientService(db, actor, clock=clock)
        self.episodes = EpisodeService(db, actor, clock=clock)
        self.timeline = TimelineService(db, actor, clock=clock)
        self.pathway = PathwayService(db, actor, clock=clock)
        self.documents = DocumentService(db, actor, clock=clock)

    @classmethod
    def open(
        cls,
        location: str | None = None,
        *,
        username: str | None = None,
        clock: Callable[[], date] = date.today,
    ) -> Clinic:
        """Open (creating or migrating) the database and act as ``username``."""
        import os

        db = open_database(location)
        name = username or os.environ.get("SIJDESK_USER") or DEFAULT_USER
        try:
            with db.read() as session:
                actor = load_actor(session, name)
        except Exception:
            db.dispose()
            raise
        return cls(db, actor, clock=clock)

    def today(self) -> date:
        return self.clock()

    def as_user(self, username: str) -> Clinic:
        with self.db.read() as session:
            actor = load_actor(session, username)
        return Clinic(self.db, actor, clock=self.clock)

    def close(self) -> None:
        self.db.dispose()


__all__ = [
    "Actor",
    "Alert",
    "EpisodeAdvice",
    "Clinic",
    "EpisodeView",
    "PatientDetails",
    "PatientSummary",
    "TimelineEntry",
]
