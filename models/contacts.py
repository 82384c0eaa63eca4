"""The clinic's address book: doctors and services letters go to.

Administrative, not clinical: a contact is corrected in place (audited, with
the names of the fields changed) and retired rather than deleted, because
patients and letters refer to it. Shaped for FHIR Practitioner (name, role)
and Organization (practice, address, phone, secure e-mail) later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sijdesk.models.base import Base, UTCDateTime, utcnow

CONTACT_ROLES = (
    "gp",
    "spine_surgeon",
    "injection_clinic",
    "rheumatologist",
    "physiotherapist",
    "other",
)


class Contact(Base):
    __tablename__ = "contact"
    __table_args__ = (
        CheckConstraint(
            "role IN ('gp', 'spine_surgeon', 'injection_clinic', 'rheumatologist', "
            "'physiotherapist', 'other')",
            name="role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    practice: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    secure_email: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Counts the saves: an edit made from an older version is refused, so two
    # workstations cannot overwrite each other (SQLAlchemy checks it in the UPDATE).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
