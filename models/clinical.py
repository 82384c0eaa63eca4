"""Episodes of care and the events on their timeline.

Every event is one row of ``timeline_event`` plus one row of its kind's own
table (joined-table inheritance). Event rows are written once and never
updated: an amendment is a new row whose ``replaces_id`` points to the
version it replaces (unique, so a version is amended at most once and the
history is a simple chain) and whose ``root_id`` names the first version.
The current version of an event is the one nothing replaces. Removing an
event is an amendment with ``entered_in_error`` set.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sijdesk.models.base import Base, CreatedMixin, UTCDateTime

SIDES = ("left", "right", "bilateral", "unknown")
EPISODE_STATUSES = ("open", "closed")


class Episode(CreatedMixin, Base):
    """A course of care for one SIJ complaint."""

    __tablename__ = "episode"
    __table_args__ = (
        CheckConstraint("side IN ('left', 'right', 'bilateral', 'unknown')", name="side"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    side: Mapped[str] = mapped_column(String(16))
    onset_date: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_on: Mapped[date | None] = mapped_column(Date)
    closing_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Counts the saves: an edit made from an older version is refused, so two
    # workstations cannot overwrite each other (SQLAlchemy checks it in the UPDATE).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    patient = relationship("Patient", back_populates="episodes")


class TimelineEvent(CreatedMixin, Base):
    __tablename__ = "timeline_event"
    __table_args__: tuple[Any, ...] = (
        Index("ix_timeline_event_episode_date", "episode_id", "event_date"),
        # The outcome report and the follow-up list start from all events of one kind:
        # this index holds all they read of each (the first of a kind per episode, and
        # whether it was entered in error) without a visit to the table's rows.
        Index(
            "ix_timeline_event_kind_episode", "kind", "episode_id", "event_date", "entered_in_error"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"))
    kind: Mapped[str] = mapped_column(String(32))
    event_date: Mapped[date] = mapped_column(Date)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("timeline_event.id"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("timeline_event.id"), unique=True)
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    entered_in_error: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why it was given although it matched a recorded allergy (None: no match).
    allergy_confirmation: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "event"}


def _event_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("timeline_event.id"), primary_key=True)


class Assessment(TimelineEvent):
    __tablename__ = "assessment"
    __mapper_args__ = {"polymorphic_identity": "assessment"}

    id: Mapped[int] = _event_fk()
    pain_region: Mapped[str | None] = mapped_column(String(16))
    pain_sites: Mapped[list[str]] = mapped_column(JSON, default=list)
    functional: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Laslett cluster: True reproduces familiar pain, False does not, None not done.
    distraction: Mapped[bool | None] = mapped_column(Boolean)
    thigh_thrust: Mapped[bool | None] = mapped_column(Boolean)
    compression: Mapped[bool | None] = mapped_column(Boolean)
    sacral_thrust: Mapped[bool | None] = mapped_column(Boolean)
    gaenslen_left: Mapped[bool | None] = mapped_column(Boolean)
    gaenslen_right: Mapped[bool | None] = mapped_column(Boolean)
    fortin_finger: Mapped[bool | None] = mapped_column(Boolean)
    red_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    inflammatory: Mapped[list[str]] = mapped_column(JSON, default=list)
    symptoms: Mapped[list[str]] = mapped_column(JSON, default=list)
    nsaid_cautions: Mapped[list[str]] = mapped_column(JSON, default=list)
    nicotine: Mapped[bool | None] = mapped_column(Boolean)
    findings: Mapped[str] = mapped_column(Text, default="")


class OutcomeMeasure(TimelineEvent):
    """NRS and/or ODI on one day. ODI is stored as section scores only."""

    __tablename__ = "outcome_measure"
    __mapper_args__ = {"polymorphic_identity": "outcome"}
    __table_args__ = (CheckConstraint("nrs IS NULL OR (nrs BETWEEN 0 AND 10)", name="nrs_range"),)

    id: Mapped[int] = _event_fk()
    nrs: Mapped[int | None] = mapped_column(Integer)
    # Ten section scores 0-5, None for an unanswered section; None = ODI not taken.
    odi_items: Mapped[list[int | None] | None] = mapped_column(JSON)
    # Derived from odi_items as the row is written (never entered): the ODI percent
    # in tenths (444 is 44.4 %), None when not scorable. Reports compare it in SQL.
    odi_tenths: Mapped[int | None] = mapped_column(Integer)


def odi_tenths(items: Sequence[int | None] | None) -> int | None:
    """The ODI percent of ten section scores in tenths of a percent, by the pathway's
    rule (rounded half away from zero to one decimal); None when it cannot be scored."""
    from sijdesk.pathway.scores import odi_percent

    if not items:
        return None
    percent = odi_percent(tuple(items))
    return None if percent is None else int((Decimal(str(percent)) * 10).to_integral_value())


@event.listens_for(OutcomeMeasure, "before_insert")
@event.listens_for(OutcomeMeasure, "before_update")
def _derive_odi_tenths(_mapper: Any, _connection: Any, target: OutcomeMeasure) -> None:
    target.odi_tenths = odi_tenths(target.odi_items)


class TherapySession(TimelineEvent):
    __tablename__ = "therapy_session"
    __mapper_args__ = {"polymorphic_identity": "therapy"}

    id: Mapped[int] = _event_fk()
    components: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes: Mapped[int | None] = mapped_column(Integer)
    # good / partial / none, or None when not judged at this session.
    response: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")


class Injection(TimelineEvent):
    __tablename__ = "injection"
    __mapper_args__ = {"polymorphic_identity": "injection"}
    __table_args__ = (
        CheckConstraint("purpose IN ('diagnostic', 'therapeutic')", name="purpose"),
        CheckConstraint(
            "relief_percent IS NULL OR (relief_percent BETWEEN 0 AND 100)", name="relief_range"
        ),
    )

    id: Mapped[int] = _event_fk()
    purpose: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(16))
    agent: Mapped[str] = mapped_column(String(200), default="")
    image_guidance: Mapped[str] = mapped_column(String(32), default="fluoroscopy")
    pain_before: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    relief_percent: Mapped[float | None] = mapped_column(Float)
    relief_weeks: Mapped[float | None] = mapped_column(Float)
    performed_by: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class MedicationCourse(TimelineEvent):
    """event_date is the start of the course."""

    __tablename__ = "medication_course"
    __mapper_args__ = {"polymorphic_identity": "medication"}

    id: Mapped[int] = _event_fk()
    category: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    stop_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    cautions: Mapped[str] = mapped_column(Text, default="")


class Consult(TimelineEvent):
    """A specialist consultation (surgical or rheumatology) and its outcome."""

    __tablename__ = "consult"
    __mapper_args__ = {"polymorphic_identity": "consult"}

    id: Mapped[int] = _event_fk()
    specialty: Mapped[str] = mapped_column(String(32))
    clinician: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    # Rheumatology: True when inflammatory disease was excluded.
    inflammatory_disease_excluded: Mapped[bool | None] = mapped_column(Boolean)


class Procedure(TimelineEvent):
    __tablename__ = "procedure"
    __mapper_args__ = {"polymorphic_identity": "procedure"}

    id: Mapped[int] = _event_fk()
    procedure: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(16))
    surgeon: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Decline(TimelineEvent):
    """The patient declined a treatment the pathway might offer."""

    __tablename__ = "patient_decline"
    __mapper_args__ = {"polymorphic_identity": "decline"}

    id: Mapped[int] = _event_fk()
    treatment: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")


class Note(TimelineEvent):
    __tablename__ = "clinical_note"
    __mapper_args__ = {"polymorphic_identity": "note"}

    id: Mapped[int] = _event_fk()
    text: Mapped[str] = mapped_column(Text)


class PathwayDecision(TimelineEvent):
    """What the clinician did with the pathway's advice, with a snapshot of it."""

    __tablename__ = "pathway_decision"
    __mapper_args__ = {"polymorphic_identity": "decision"}
    __table_args__ = (CheckConstraint("decision IN ('accepted', 'overridden')", name="decision"),)

    id: Mapped[int] = _event_fk()
    decision: Mapped[str] = mapped_column(String(16))
    advised_step: Mapped[str | None] = mapped_column(String(32))
    chosen_step: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    pathway_version: Mapped[str] = mapped_column(String(32))
    facts_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    advice_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class GeneratedDocument(TimelineEvent):
    """A letter, care plan or handout that was generated for this episode."""

    __tablename__ = "generated_document"
    __mapper_args__ = {"polymorphic_identity": "document"}

    id: Mapped[int] = _event_fk()
    document_kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    # Everything needed to regenerate the same document, and the PDF itself.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pdf: Mapped[bytes | None] = mapped_column()


class ImagingResult(TimelineEvent):
    """An imaging study of the patient and what its report found."""

    __tablename__ = "imaging_result"
    __mapper_args__ = {"polymorphic_identity": "imaging"}

    id: Mapped[int] = _event_fk()
    modality: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(32))
    finding: Mapped[str] = mapped_column(Text, default="")
    # True once the radiologist's report is in; None when not recorded.
    report_received: Mapped[bool | None] = mapped_column(Boolean)


# Every kind's model, by its stored discriminator; a kind's model is found here
# because it subclasses TimelineEvent (sijdesk/kinds declares the rest of the kind).
EVENT_CLASSES: dict[str, type[TimelineEvent]] = {
    cls.__mapper_args__["polymorphic_identity"]: cls for cls in TimelineEvent.__subclasses__()
}
