"""Adding, amending and listing the events of an episode's timeline.

Events are never overwritten: an amendment adds a new version that points to
the one it replaces, with a required reason; removing an event is an
amendment marked "entered in error". Lists show current versions; the history
of any event is one call away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectin_polymorphic

from sijdesk.db.engine import Database
from sijdesk.errors import NotFound, ValidationError
from sijdesk.kinds import KINDS, RECORDABLE_KINDS, summarize, validate_event
from sijdesk.models import EVENT_CLASSES, Episode, TimelineEvent, User
from sijdesk.services.allergies import AllergyService, matching_allergies
from sijdesk.services.context import CLINICAL_ROLES, Actor, ServiceBase

# The error key (and form field) that asks for a reason when an agent matches an allergy.
ALLERGY_CONFIRMATION = "allergy_confirmation"

_BASE_COLUMNS = frozenset(c.key for c in TimelineEvent.__table__.columns)


@dataclass(frozen=True)
class TimelineEntry:
    """One version of one event, as the timeline and forms show it."""

    id: int
    root_id: int
    episode_id: int
    kind: str
    event_date: date
    summary: str
    # The kind's typed record (sijdesk/kinds, e.g. InjectionRecord): what the
    # window and the documents read; KINDS[kind].values_of(record) gives the
    # values by name for generic views.
    record: object
    created_at: datetime
    created_by: str
    version: int = 1
    replaces_id: int | None = None
    amendment_reason: str | None = None
    entered_in_error: bool = False
    amended: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # Why it was given despite a matching recorded allergy (None: no match).
    allergy_confirmation: str | None = None

    @property
    def is_current(self) -> bool:
        return not self.amended


def event_data(event: TimelineEvent) -> dict[str, Any]:
    """The kind-specific fields of an event, by name."""
    return {name: getattr(event, name) for name in KINDS[event.kind].field_names}


def _audit_details(
    replaces: TimelineEvent | None, allergy_confirmation: str | None
) -> dict[str, Any] | None:
    details: dict[str, Any] = {}
    if replaces is not None:
        details["replaces"] = replaces.id
    if allergy_confirmation:
        details["allergy_confirmed"] = True  # the reason itself stays in the record
    return details or None


def _author_names(session: Session, events: Iterable[TimelineEvent]) -> dict[int, str]:
    """Who wrote each event, by user id: one query for a whole timeline."""
    ids = {e.created_by_id for e in events}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}


def current_events_stmt(episode_id: int):
    """Select the current version of every event of an episode (all kinds loaded)."""
    newer = aliased(TimelineEvent)
    return (
        select(TimelineEvent)
        .where(
            TimelineEvent.episode_id == episode_id,
            ~select(newer.id).where(newer.replaces_id == TimelineEvent.id).exists(),
        )
        .options(selectin_polymorphic(TimelineEvent, list(EVENT_CLASSES.values())))
    )


def timeline_order(newest_first: bool = True) -> list:
    """The timeline's order: by date, then entry order (each version after its root)."""
    order = [TimelineEvent.event_date, TimelineEvent.root_id, TimelineEvent.id]
    return [c.desc() for c in order] if newest_first else order


def current_patient_events_stmt(patient_id: int, kinds: Iterable[str]):
    """Select the current, valid versions of a patient's events of ``kinds`` in all
    their episodes (only those kinds' tables loaded), by episode, then date."""
    kinds = list(kinds)
    newer = aliased(TimelineEvent)
    return (
        select(TimelineEvent)
        .join(Episode, Episode.id == TimelineEvent.episode_id)
        .where(
            Episode.patient_id == patient_id,
            TimelineEvent.kind.in_(kinds),
            TimelineEvent.entered_in_error.is_(False),
            ~select(newer.id).where(newer.replaces_id == TimelineEvent.id).exists(),
        )
        .options(selectin_polymorphic(TimelineEvent, [EVENT_CLASSES[k] for k in kinds]))
        .order_by(TimelineEvent.episode_id, TimelineEvent.event_date, TimelineEvent.id)
    )


class TimelineService(ServiceBase):
    log_name = "timeline"

    def __init__(
        self,
        db: Database,
        actor: Actor,
        *,
        clock: Callable[[], date] = date.today,
        allergies: AllergyService,
    ):
        """The clinic's allergy service is passed in (Clinic wires it), never copied."""
        super().__init__(db, actor, clock=clock)
        self._allergies = allergies

    def _episode(self, session: Session, episode_id: int) -> Episode:
        episode = session.get(Episode, episode_id)
        if episode is None:
            raise NotFound(f"No episode with id {episode_id}.")
        return episode

    def _entry(
        self,
        session: Session,
        event: TimelineEvent,
        *,
        version: int = 1,
        amended: bool = False,
        authors: Mapping[int, str] | None = None,
    ) -> TimelineEntry:
        if authors is None:
            authors = _author_names(session, [event])
        data = event_data(event)
        return TimelineEntry(
            id=event.id,
            root_id=event.root_id or event.id,
            episode_id=event.episode_id,
            kind=event.kind,
            event_date=event.event_date,
            summary=summarize(event.kind, data),
            record=KINDS[event.kind].make_record(data),
            created_at=event.created_at,
            created_by=authors.get(event.created_by_id, "?"),
            version=version,
            replaces_id=event.replaces_id,
            amendment_reason=event.amendment_reason,
            entered_in_error=event.entered_in_error,
            amended=amended,
            allergy_confirmation=event.allergy_confirmation,
        )

    # -- reading -----------------------------------------------------------------

    def entries(
        self,
        episode_id: int,
        *,
        kinds: Iterable[str] | None = None,
        include_removed: bool = False,
        newest_first: bool = True,
    ) -> list[TimelineEntry]:
        """Current versions of the episode's events, by date (then entry order)."""
        self.require(CLINICAL_ROLES, "read clinical records")
        with self.db.read() as session:
            episode = self._episode(session, episode_id)
            stmt = current_events_stmt(episode_id)
            if kinds is not None:
                stmt = stmt.where(TimelineEvent.kind.in_(list(kinds)))
            if not include_removed:
                stmt = stmt.where(TimelineEvent.entered_in_error.is_(False))
            stmt = stmt.order_by(*timeline_order(newest_first))
            entries = self.entries_in(session, list(session.scalars(stmt)))
        self._audit_timeline_read(episode, entries, kinds)
        return entries

    def entries_in(self, session: Session, events: list[TimelineEvent]) -> list[TimelineEntry]:
        """Entries of current ``events`` already read, in their order, inside the
        caller's transaction (its caller has checked the role)."""
        versions = self._version_numbers(session, events)
        authors = _author_names(session, events)
        return [self._entry(session, e, version=versions[e.id], authors=authors) for e in events]

    def _audit_timeline_read(
        self, episode: Episode, entries: list[TimelineEntry], kinds: Iterable[str] | None
    ) -> None:
        self.audit_read(
            "timeline.view",
            "episode",
            episode.id,
            patient_id=episode.patient_id,
            summary=f"read {len(entries)} timeline entries",
            details={"kinds": sorted(kinds) if kinds is not None else None},
        )

    def _version_numbers(self, session: Session, events: list[TimelineEvent]) -> dict[int, int]:
        roots = {e.root_id or e.id for e in events}
        counts: dict[int, int] = {}
        if roots:
            rows = session.execute(
                select(TimelineEvent.root_id, TimelineEvent.id).where(
                    TimelineEvent.root_id.in_(roots)
                )
            )
            for root, _ in rows:
                if root is not None:
                    counts[root] = counts.get(root, 0) + 1
        return {e.id: counts.get(e.root_id or e.id, 1) for e in events}

    def get(self, event_id: int) -> TimelineEntry:
        self.require(CLINICAL_ROLES, "read clinical records")
        with self.db.read() as session:
            entry = self.entry_in(session, event_id)
            patient_id = self._episode(session, entry.episode_id).patient_id
        self.audit_read(
            "timeline.view_entry",
            "timeline_event",
            event_id,
            patient_id=patient_id,
            summary=f"read a {entry.kind} entry",
        )
        return entry

    def entry_in(self, session: Session, event_id: int) -> TimelineEntry:
        """One version with its place in the history, inside the caller's transaction."""
        event = self._load(session, event_id)
        history = self._chain(session, event.root_id or event.id)
        index = [e.id for e in history].index(event.id)
        return self._entry(session, event, version=index + 1, amended=index < len(history) - 1)

    def history(self, event_id: int) -> list[TimelineEntry]:
        """Every version of the event, oldest first; the last one is current."""
        self.require(CLINICAL_ROLES, "read clinical records")
        with self.db.read() as session:
            event = self._load(session, event_id)
            chain = self._chain(session, event.root_id or event.id)
            versions = [
                self._entry(session, e, version=i + 1, amended=i < len(chain) - 1)
                for i, e in enumerate(chain)
            ]
            patient_id = self._episode(session, event.episode_id).patient_id
        self.audit_read(
            "timeline.view_history",
            "timeline_event",
            event_id,
            patient_id=patient_id,
            summary=f"read {len(versions)} versions of an entry",
        )
        return versions

    def _load(self, session: Session, event_id: int) -> TimelineEvent:
        event = session.get(TimelineEvent, event_id)
        if event is None:
            raise NotFound(f"No timeline event with id {event_id}.")
        return event

    def _chain(self, session: Session, root_id: int) -> list[TimelineEvent]:
        stmt = (
            select(TimelineEvent)
            .where(TimelineEvent.root_id == root_id)
            .order_by(TimelineEvent.id)
            .options(selectin_polymorphic(TimelineEvent, list(EVENT_CLASSES.values())))
        )
        return list(session.scalars(stmt))

    # -- writing -----------------------------------------------------------------

    def add(
        self,
        episode_id: int,
        kind: str,
        data: Mapping[str, Any],
        *,
        allergy_confirmation: str | None = None,
    ) -> TimelineEntry:
        """Record a new event of a recordable kind; ``data['date']`` is its date.

        An agent or medicine that matches a recorded allergy is refused unless
        ``allergy_confirmation`` says why it is given all the same.
        """
        self.require(CLINICAL_ROLES, "write clinical records")
        if kind not in RECORDABLE_KINDS:
            raise ValidationError({"kind": "must be one of: " + ", ".join(RECORDABLE_KINDS)})
        clean = validate_event(kind, data, today=self.today())
        with self.db.write() as session:
            episode = self._episode(session, episode_id)
            self._check_episode_dates(session, episode, clean)
            confirmed = self._check_allergies(session, episode, kind, clean, allergy_confirmation)
            event = self.insert_event(session, episode, kind, clean, allergy_confirmation=confirmed)
            return self._entry(session, event)

    def _check_allergies(
        self,
        session: Session,
        episode: Episode,
        kind: str,
        clean: Mapping[str, Any],
        confirmation: str | None,
    ) -> str | None:
        """The confirmation to store, or None when nothing given matches an allergy."""
        given = " ".join(str(clean.get(name) or "") for name in KINDS[kind].given_to_patient)
        if not given.strip():
            return None
        status = self._allergies.status_in(session, episode.patient_id)
        matches = matching_allergies(status, given)
        if not matches:
            return None
        if not confirmation or not confirmation.strip():
            listed = "; ".join(a.description for a in matches)
            raise ValidationError(
                {
                    ALLERGY_CONFIRMATION: f"what is given matches a recorded allergy ({listed}); "
                    "say why it is given all the same, or change it"
                }
            )
        return confirmation.strip()

    def insert_event(
        self,
        session: Session,
        episode: Episode,
        kind: str,
        clean: Mapping[str, Any],
        *,
        replaces: TimelineEvent | None = None,
        reason: str | None = None,
        entered_in_error: bool = False,
        allergy_confirmation: str | None = None,
    ) -> TimelineEvent:
        """Insert one event version inside the caller's transaction, with its audit row.

        Used by this service and by the pathway-decision and document services.
        """
        cls = EVENT_CLASSES[kind]
        fields = {k: v for k, v in clean.items() if k != "date"}
        event = cls(
            episode_id=episode.id,
            event_date=clean["date"],
            created_by_id=self.actor.id,
            replaces_id=replaces.id if replaces else None,
            root_id=(replaces.root_id or replaces.id) if replaces else None,
            amendment_reason=reason,
            entered_in_error=entered_in_error,
            allergy_confirmation=allergy_confirmation,
            **fields,
        )
        session.add(event)
        session.flush()
        if event.root_id is None:
            event.root_id = event.id
        action = "remove" if entered_in_error else ("amend" if replaces else "add")
        self.audit(
            session,
            action,
            kind,
            event.id,
            patient_id=episode.patient_id,
            summary=reason or summarize(kind, event_data(event)),
            details=_audit_details(replaces, allergy_confirmation),
        )
        session.flush()
        return event

    def _check_episode_dates(
        self, session: Session, episode: Episode, clean: Mapping[str, Any]
    ) -> None:
        from sijdesk.models import Patient

        patient = session.get(Patient, episode.patient_id)
        if patient is not None and clean["date"] < patient.date_of_birth:
            raise ValidationError({"date": "cannot be before the patient's date of birth"})

    def _current_for_change(self, session: Session, event_id: int) -> TimelineEvent:
        event = self._load(session, event_id)
        newer = session.scalar(
            select(TimelineEvent.id).where(TimelineEvent.replaces_id == event.id)
        )
        if newer is not None:
            raise ValidationError(
                {
                    "event": f"this version was already amended (see version {newer}); "
                    "reopen the event and amend its current version"
                }
            )
        if event.kind not in RECORDABLE_KINDS:
            raise ValidationError({"event": "decisions and documents cannot be amended"})
        return event

    def amend(
        self,
        event_id: int,
        data: Mapping[str, Any],
        reason: str,
        *,
        allergy_confirmation: str | None = None,
    ) -> TimelineEntry:
        """Replace the current version with a corrected one; ``data`` holds every field.

        A confirmation given for the version amended carries over unless a new one is given.
        """
        self.require(CLINICAL_ROLES, "amend clinical records")
        errors = {}
        if not reason or not reason.strip():
            errors["reason"] = "say why the record is being amended"
        try:
            clean = None
            with self.db.read() as session:
                kind = self._load(session, event_id).kind
            clean = validate_event(kind, data, today=self.today())
        except ValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ValidationError(errors)
        assert clean is not None
        with self.db.write() as session:
            old = self._current_for_change(session, event_id)
            if old.entered_in_error:
                raise ValidationError({"event": "a removed event cannot be amended"})
            episode = self._episode(session, old.episode_id)
            self._check_episode_dates(session, episode, clean)
            if {"date": old.event_date, **event_data(old)} == clean:
                raise ValidationError({"event": "nothing was changed"})
            confirmed = self._check_allergies(
                session, episode, old.kind, clean, allergy_confirmation or old.allergy_confirmation
            )
            event = self.insert_event(
                session,
                episode,
                old.kind,
                clean,
                replaces=old,
                reason=reason.strip(),
                allergy_confirmation=confirmed,
            )
            version = len(self._chain(session, event.root_id or event.id))
            return self._entry(session, event, version=version)

    def remove(self, event_id: int, reason: str) -> TimelineEntry:
        """Mark an event as entered in error; its versions stay in the history."""
        self.require(CLINICAL_ROLES, "amend clinical records")
        if not reason or not reason.strip():
            raise ValidationError({"reason": "say why the record is being removed"})
        with self.db.write() as session:
            old = self._current_for_change(session, event_id)
            if old.entered_in_error:
                raise ValidationError({"event": "this event is already removed"})
            episode = self._episode(session, old.episode_id)
            clean = {"date": old.event_date, **event_data(old)}
            event = self.insert_event(
                session,
                episode,
                old.kind,
                clean,
                replaces=old,
                reason=reason.strip(),
                entered_in_error=True,
                allergy_confirmation=old.allergy_confirmation,
            )
            version = len(self._chain(session, event.root_id or event.id))
            return self._entry(session, event, version=version)
