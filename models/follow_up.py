"""What reception or a clinician did about a row of the follow-up ("Due") list.

Append-only, like the record: a row of the list is shown again or hidden by the
newest mark for it, never by changing an old one. A mark names the episode, the
rule that made the row due and, where the rule is about one record (an
injection, a letter, an assessment), that record.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sijdesk.models.base import Base, CreatedMixin

DUE_RULES = ("outcome_overdue", "relief_unrecorded", "referral_unanswered", "red_flag_unreferred")
MARK_KINDS = ("contacted", "booked", "snoozed")


class FollowUpMark(CreatedMixin, Base):
    __tablename__ = "follow_up_mark"
    __table_args__ = (
        CheckConstraint("kind IN ('contacted', 'booked', 'snoozed')", name="kind"),
        CheckConstraint("kind <> 'snoozed' OR until IS NOT NULL", name="snooze_until"),
        Index("ix_follow_up_mark_episode", "episode_id", "rule"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id"))
    rule: Mapped[str] = mapped_column(String(32))
    # The record the rule is about (an injection, a letter, an assessment); None for
    # a rule about the episode as a whole (no recent outcome measure).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("timeline_event.id"))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    until: Mapped[date | None] = mapped_column(Date)  # a snooze's last day
    marked_on: Mapped[date] = mapped_column(Date)  # the clinic's day it was made
