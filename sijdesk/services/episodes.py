"""Opening, listing and closing episodes of care."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from sijdesk.errors import NotFound, ValidationError
from sijdesk.models import Episode, Patient, utcnow
from sijdesk.services.context import CLINICAL_ROLES, ServiceBase
from sijdesk.validation import Checker

EPISODE_SIDES = ("left", "right", "bilateral", "unknown")
EDITABLE_FIELDS = ("side", "onset_date", "title")


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class EpisodeView:
    id: int
    patient_id: int
    side: str
    onset_date: date | None
    title: str
    status: str
    closed_on: date | None
    closing_reason: str | None
    created_at: datetime
    version: int = 1  # the row's version when read (EpisodeService.update's ``seen``)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def label(self) -> str:
        side = {"left": "Left SIJ", "right": "Right SIJ", "bilateral": "Both SIJs"}.get(
            self.side, "SIJ (side not recorded)"
        )
        text = self.title or side
        since = f" since {self.onset_date.isoformat()}" if self.onset_date else ""
        return f"{text}{since} · {self.status}"


def _view(e: Episode) -> EpisodeView:
    return EpisodeView(
        e.id,
        e.patient_id,
        e.side,
        e.onset_date,
        e.title,
        e.status,
        e.closed_on,
        e.closing_reason,
        e.created_at,
        e.version,
    )


class EpisodeService(ServiceBase):
    log_name = "episodes"

    def _load(self, session: Session, episode_id: int) -> Episode:
        episode = session.get(Episode, episode_id)
        if episode is None:
            raise NotFound(f"No episode with id {episode_id}.")
        return episode

    def get(self, episode_id: int) -> EpisodeView:
        self.require(CLINICAL_ROLES, "read episodes of care")
        with self.db.read() as session:
            view = _view(self._load(session, episode_id))
        self.audit_read(
            "episode.view",
            "episode",
            episode_id,
            patient_id=view.patient_id,
            summary="looked at an episode of care",
        )
        return view

    def list_for_patient(self, patient_id: int) -> list[EpisodeView]:
        """Open episodes first, then the most recent."""
        self.require(CLINICAL_ROLES, "read episodes of care")
        with self.db.read() as session:
            if session.get(Patient, patient_id) is None:
                raise NotFound(f"No patient with id {patient_id}.")
            stmt = (
                select(Episode)
                .where(Episode.patient_id == patient_id)
                .order_by(
                    case((Episode.status == "open", 0), else_=1),
                    Episode.onset_date.desc().nulls_last(),
                    Episode.id.desc(),
                )
            )
            views = [_view(e) for e in session.scalars(stmt)]
        self.audit_read(
            "episode.list",
            "patient",
            patient_id,
            patient_id=patient_id,
            summary=f"listed {len(views)} episodes of care",
        )
        return views

    def validate(self, data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
        """Check episode fields (side, onset date, title) without saving."""
        checker = Checker(data, today=self.today())
        checker.reject_unknown(EDITABLE_FIELDS)
        if not partial or "side" in data:
            checker.choice("side", EPISODE_SIDES, required=True)
        if not partial or "onset_date" in data:
            checker.date("onset_date")
        if not partial or "title" in data:
            checker.text("title", max_length=200)
        checker.raise_if_errors()
        return checker.clean

    def create(self, patient_id: int, data: Mapping[str, Any]) -> EpisodeView:
        """Open a new episode of care (side, onset date, optional title)."""
        self.require(CLINICAL_ROLES, "open episodes of care")
        clean = self.validate(data)
        with self.db.write() as session:
            patient = session.get(Patient, patient_id)
            if patient is None:
                raise NotFound(f"No patient with id {patient_id}.")
            if clean["onset_date"] and clean["onset_date"] < patient.date_of_birth:
                raise ValidationError({"onset_date": "cannot be before the date of birth"})
            episode = Episode(
                patient_id=patient_id,
                side=clean["side"],
                onset_date=clean["onset_date"],
                title=clean["title"] or "",
                status="open",
                created_by_id=self.actor.id,
            )
            session.add(episode)
            session.flush()
            self.audit(
                session,
                "open",
                "episode",
                episode.id,
                patient_id=patient_id,
                summary=f"opened episode ({episode.side})",
            )
            return _view(episode)

    def update(
        self, episode_id: int, changes: Mapping[str, Any], *, seen: EpisodeView | None = None
    ) -> EpisodeView:
        """Correct the side, onset date or title; old and new values are audited.
        ``seen``: the episode as the form showed it (EditConflict when saved since)."""
        self.require(CLINICAL_ROLES, "edit episodes of care")
        clean = self.validate(changes, partial=True)
        with self.db.write() as session:
            episode = self._load(session, episode_id)
            self.refuse_stale_edit(
                session,
                episode,
                seen,
                ("side", "onset_date", "title", "status"),
                noun="episode",
                current=_view(episode),
            )
            patient = session.get(Patient, episode.patient_id)
            onset = clean.get("onset_date", episode.onset_date)
            if onset and patient is not None and onset < patient.date_of_birth:
                raise ValidationError({"onset_date": "cannot be before the date of birth"})
            if "title" in clean:
                clean["title"] = clean["title"] or ""
            changed = {f: v for f, v in clean.items() if getattr(episode, f) != v}
            if not changed:
                return _view(episode)
            before = {f: _jsonable(getattr(episode, f)) for f in changed}
            for field, value in changed.items():
                setattr(episode, field, value)
            episode.updated_at = utcnow()
            episode.updated_by_id = self.actor.id
            self.audit(
                session,
                "update",
                "episode",
                episode.id,
                patient_id=episode.patient_id,
                summary="changed " + ", ".join(sorted(changed)),
                details={"before": before, "after": {f: _jsonable(v) for f, v in changed.items()}},
            )
            session.flush()  # the new version is given at the flush
            return _view(episode)

    def close(self, episode_id: int, reason: str, *, closed_on: date | None = None) -> EpisodeView:
        self.require(CLINICAL_ROLES, "close episodes of care")
        checker = Checker({"reason": reason, "closed_on": closed_on}, today=self.today())
        checker.text("reason", required=True, max_length=2000)
        checker.date("closed_on")
        checker.raise_if_errors()
        with self.db.write() as session:
            episode = self._load(session, episode_id)
            if episode.status == "closed":
                raise ValidationError({"reason": "this episode is already closed"})
            day = checker.clean["closed_on"] or self.today()
            if episode.onset_date and day < episode.onset_date:
                raise ValidationError({"closed_on": "cannot be before the onset date"})
            episode.status = "closed"
            episode.closed_on = day
            episode.closing_reason = checker.clean["reason"]
            episode.updated_at = utcnow()
            episode.updated_by_id = self.actor.id
            self.audit(
                session,
                "close",
                "episode",
                episode.id,
                patient_id=episode.patient_id,
                summary=checker.clean["reason"],
            )
            session.flush()
            return _view(episode)

    def reopen(self, episode_id: int, reason: str) -> EpisodeView:
        self.require(CLINICAL_ROLES, "reopen episodes of care")
        if not reason or not reason.strip():
            raise ValidationError({"reason": "is required"})
        with self.db.write() as session:
            episode = self._load(session, episode_id)
            if episode.status == "open":
                return _view(episode)
            previous = {
                "closed_on": episode.closed_on.isoformat() if episode.closed_on else None,
                "closing_reason": episode.closing_reason,
            }
            episode.status = "open"
            episode.closed_on = None
            episode.closing_reason = None
            episode.updated_at = utcnow()
            episode.updated_by_id = self.actor.id
            self.audit(
                session,
                "reopen",
                "episode",
                episode.id,
                patient_id=episode.patient_id,
                summary=reason.strip(),
                details={"before": previous},
            )
            session.flush()
            return _view(episode)
