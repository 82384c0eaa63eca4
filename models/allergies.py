"""Allergies and intolerances of a patient, and the statement "no known allergies".

Rows are written once and never updated, like timeline events: an amendment
is a new row whose ``replaces_id`` points to the version it replaces and whose
``root_id`` names the first version; removing one is an amendment with
``entered_in_error`` set. "No known allergies" is a row of its own
(``substance = "none_known"``), so the record can tell it apart from a patient
who was never asked (no rows at all). Shaped to map onto FHIR
AllergyIntolerance later: substance -> code, kind -> type, severity ->
reaction.severity, active -> clinicalStatus.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sijdesk.models.base import Base, CreatedMixin


class AllergyEntry(CreatedMixin, Base):
    __tablename__ = "allergy_entry"
    __table_args__ = (
        CheckConstraint("kind IN ('allergy', 'intolerance')", name="kind"),
        CheckConstraint("severity IN ('mild', 'moderate', 'severe', 'unknown')", name="severity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    # A code of sijdesk.services.allergies.SUBSTANCES, "other" with substance_text,
    # or "none_known" for the statement that the patient has no known allergies.
    substance: Mapped[str] = mapped_column(String(32))
    substance_text: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16), default="allergy")
    reaction: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), default="unknown")
    # The day the clinician asked or learned of it (may be before it was typed in).
    recorded_on: Mapped[date] = mapped_column(Date)
    # False once it no longer applies: resolved, or "no known allergies"
    # superseded by an allergy recorded later.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("allergy_entry.id"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("allergy_entry.id"), unique=True)
    amendment_reason: Mapped[str | None] = mapped_column(Text)
    entered_in_error: Mapped[bool] = mapped_column(Boolean, default=False)
