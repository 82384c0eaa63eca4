"""The audit trail: who did what to which record, when. Append-only and chained.

Every event carries ``mac``: HMAC-SHA-256, under a key kept outside the
database, of the event and the previous event's ``mac`` (see
:mod:`sijdesk.audit_chain`). ``audit_head`` holds the newest event's id and
mac under a MAC of its own, so that removing events from the end is noticed
too. Events are given consecutive ids by the chain, never by the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sijdesk.models.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_patient", "patient_id", "at"),
        Index("ix_audit_event_user", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # None only for a sign-in attempt under a username no account has.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column()
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mac: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The newest event of the chain (one row, id 1), with its own MAC."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    last_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
    key_fingerprint: Mapped[str] = mapped_column(String(32))
