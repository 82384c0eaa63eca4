"""Use cases shared by the window, the documents and the command line.

Every call is one transaction, checks the signed-in user's roles and writes
its audit record; widgets and commands never open a session themselves.

    clinic = Clinic.sign_in(db_path, username="dr.okafor", password=password)
    patient = clinic.patients.register({...})
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date

from sijdesk.db.engine import Database
from sijdesk.db.migrate import open_database
from sijdesk.services.accounts import (
    AccountService,
    SessionService,
    SetupNeeded,
    SignedIn,
    SignInFailed,
    UserService,
)
from sijdesk.services.allergies import AllergyInfo, AllergyService, AllergyStatus
from sijdesk.services.audit import AuditService
from sijdesk.services.backups import BackupService
from sijdesk.services.contacts import ContactInfo, ContactService
from sijdesk.services.context import Actor, load_actor, reads_audited_together
from sijdesk.services.documents import DocumentService
from sijdesk.services.due import DueRow, DueService
from sijdesk.services.episodes import EpisodeService, EpisodeView
from sijdesk.services.exchange import ExchangeService
from sijdesk.services.outcomes import OutcomeReport, OutcomeService
from sijdesk.services.pathway_service import Alert, EpisodeAdvice, PathwayService
from sijdesk.services.patients import PatientDetails, PatientService, PatientSummary
from sijdesk.services.settings import SettingsService
from sijdesk.services.timeline import TimelineEntry, TimelineService


class Clinic:
    """The services of one clinic database, acting as one signed-in user."""

    def __init__(
        self,
        db: Database,
        actor: Actor,
        *,
        clock: Callable[[], date] = date.today,
        must_change_password: bool = False,
    ):
        self.db = db
        self.actor = actor
        self.clock = clock
        # Set after an administrator's reset: the user chooses a new password first.
        self.must_change_password = must_change_password
        self.patients = PatientService(db, actor, clock=clock)
        self.contacts = ContactService(db, actor, clock=clock)
        self.episodes = EpisodeService(db, actor, clock=clock)
        self.allergies = AllergyService(db, actor, clock=clock)
        self.timeline = TimelineService(db, actor, clock=clock, allergies=self.allergies)
        self.pathway = PathwayService(db, actor, clock=clock, timeline=self.timeline)
        self.outcomes = OutcomeService(db, actor, clock=clock, pathway=self.pathway)
        self.due = DueService(db, actor, clock=clock)
        self.documents = DocumentService(
            db,
            actor,
            clock=clock,
            patients=self.patients,
            episodes=self.episodes,
            timeline=self.timeline,
            pathway=self.pathway,
            allergies=self.allergies,
            contacts=self.contacts,
        )
        self.exchange = ExchangeService(
            db,
            actor,
            clock=clock,
            patients=self.patients,
            timeline=self.timeline,
            allergies=self.allergies,
        )
        self.session = SessionService(db, actor, clock=clock)
        self.users = UserService(db, actor, clock=clock)
        self.settings = SettingsService(db, actor, clock=clock)
        self.audit = AuditService(db, actor, clock=clock)
        self.backups = BackupService(db, actor, clock=clock)

    @classmethod
    def signed_in(
        cls, db: Database, signed: SignedIn, *, clock: Callable[[], date] = date.today
    ) -> Clinic:
        return cls(db, signed.actor, clock=clock, must_change_password=signed.must_change_password)

    @classmethod
    def sign_in(
        cls,
        location: str | None = None,
        *,
        username: str,
        password: str,
        clock: Callable[[], date] = date.today,
    ) -> Clinic:
        """Open (creating or migrating) the database and sign in.

        Raises SetupNeeded on a database without any account yet, and
        SignInFailed (audited) on a wrong username or password.
        """
        db = open_database(location)
        try:
            accounts = AccountService(db)
            if accounts.setup_needed():
                raise SetupNeeded(
                    "This clinic database has no users yet. Create the first administrator "
                    "with `sijdesk init --admin NAME`, or start SIJ Desk's window."
                )
            signed = accounts.sign_in(username, password)
        except BaseException:
            db.dispose()
            raise
        return cls.signed_in(db, signed, clock=clock)

    @classmethod
    def create(
        cls,
        location: str | None = None,
        *,
        username: str,
        password: str,
        display_name: str,
        also_clinician: bool = False,
        clinic: dict[str, str] | None = None,
        is_demo: bool = False,
        clock: Callable[[], date] = date.today,
    ) -> Clinic:
        """Set up a new clinic database with its first administrator, signed in as them.

        Refused (UserError) when the database already has an account.
        """
        db = open_database(location)
        try:
            signed = AccountService(db).initialise(
                username=username,
                password=password,
                display_name=display_name,
                also_clinician=also_clinician,
                clinic=clinic,
                is_demo=is_demo,
            )
        except BaseException:
            db.dispose()
            raise
        return cls.signed_in(db, signed, clock=clock)

    def today(self) -> date:
        return self.clock()

    @contextlib.contextmanager
    def reads_together(self) -> Iterator[None]:
        """The reads of one screen: each audited as usual, written in one transaction
        when the block ends (the window's patient opening reads five things)."""
        with reads_audited_together(self.db):
            yield

    def as_user(self, username: str) -> Clinic:
        """The same database acting as another active user, without a password.

        Only for code that builds a clinic itself (the demo clinic, tests);
        the window and the command line always sign in (see test_architecture).
        """
        with self.db.read() as session:
            actor = load_actor(session, username)
        return Clinic(self.db, actor, clock=self.clock)

    def close(self) -> None:
        self.db.dispose()


__all__ = [
    "AccountService",
    "SetupNeeded",
    "SignInFailed",
    "SignedIn",
    "Actor",
    "Alert",
    "AllergyInfo",
    "AllergyStatus",
    "ContactInfo",
    "DueRow",
    "EpisodeAdvice",
    "Clinic",
    "EpisodeView",
    "OutcomeReport",
    "PatientDetails",
    "PatientSummary",
    "TimelineEntry",
]
