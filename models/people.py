"""Users, clinic settings and patients (demographics)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sijdesk.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:  # the models refer to each other; SQLAlchemy resolves the names itself
    from sijdesk.models.clinical import Episode

ROLES = ("admin", "clinician", "reception")
SEXES = ("female", "male", "other", "unknown")


class User(Base):
    """A person who signs in. Users are disabled, never deleted: the record names them."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # Letters print these under the signature.
    credentials: Mapped[str | None] = mapped_column(String(200))
    # Printed under letters this user signs (PNG).
    signature_png: Mapped[bytes | None] = mapped_column()
    # argon2id hash (argon2-cffi's encoded form, parameters included). A user
    # without one cannot sign in and is kept inactive.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Failed sign-ins since the last good one, and until when the next attempt
    # is refused: kept in the database so that restarting does not reset them.
    failed_signins: Mapped[int] = mapped_column(Integer, default=0)
    signin_blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_signin_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when an administrator resets the password: the user chooses a new one
    # at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)


class UserRole(Base):
    """One role a user holds; a user may hold several (reception and clinician)."""

    __tablename__ = "user_role"
    __table_args__ = (CheckConstraint("role IN ('admin', 'clinician', 'reception')", name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)


class ClinicSettings(Base):
    """One row (id 1): letterhead and clinic-wide choices."""

    __tablename__ = "clinic_settings"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    clinic_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    logo_png: Mapped[bytes | None] = mapped_column()
    page_size: Mapped[str] = mapped_column(String(16), default="A4")
    date_format: Mapped[str] = mapped_column(String(32), default="iso")
    # The clinic's own pathway thresholds, {name: value}; empty = shipped defaults.
    pathway_thresholds: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_record_number: Mapped[int] = mapped_column(Integer, default=1)
    # Names this clinic database; the audit key outside the database carries it too.
    clinic_uid: Mapped[str | None] = mapped_column(String(36))
    # A demonstration clinic (fictional patients, published passwords).
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # The address-book contact each kind of letter goes to unless the clinician
    # chooses another, {letter kind: contact id}; None or missing: none set.
    default_contacts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    # The outcome report hides any count of episodes from 1 to this less one.
    report_min_cell: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    # The follow-up list: an open episode is due after this many weeks without an
    # outcome measure, an injection's relief after this many weeks unrecorded, a
    # referral letter after this many weeks without the step it asked for.
    due_outcome_weeks: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    due_relief_weeks: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    due_referral_weeks: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    # The window locks after this many idle minutes.
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=10)
    # Automatic backups: where (empty = the backups folder in the data folder),
    # how often while changes happen, and how many of each kind are kept.
    backup_folder: Mapped[str] = mapped_column(Text, default="")
    backup_interval_minutes: Mapped[int] = mapped_column(Integer, default=30)
    backup_keep_daily: Mapped[int] = mapped_column(Integer, default=12)
    backup_keep_weekly: Mapped[int] = mapped_column(Integer, default=10)
    backup_keep_monthly: Mapped[int] = mapped_column(Integer, default=9)
    # Backup encryption (sijdesk.backup): the public key backups are encrypted
    # to, and its private key sealed by the passphrase, which is never stored.
    backup_public_key: Mapped[bytes | None] = mapped_column()
    backup_sealed_private_key: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Moves on with every saved change, in the change's transaction: other
    # workstations compare it to see that they should read again.
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Counts the saves: an edit made from an older version is refused, so two
    # workstations cannot overwrite each other (SQLAlchemy checks it in the UPDATE).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class Patient(Base):
    __tablename__ = "patient"
    __table_args__ = (
        CheckConstraint("sex IN ('female', 'male', 'other', 'unknown')", name="sex"),
        # Duplicate check and date-of-birth search.
        Index("ix_patient_dob_names", "date_of_birth", "family_key", "given_key"),
        # Sorted list in SQL: by family then given name.
        Index("ix_patient_sort", "archived", "family_key", "given_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_number: Mapped[str] = mapped_column(String(32), unique=True)
    given_names: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    phone: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    referring_practitioner: Mapped[str] = mapped_column(String(200), default="")
    # The patient's family doctor and the clinician who referred them, from the
    # clinic's address book (sijdesk.models.contacts).
    gp_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    referrer_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Accent- and case-folded copies kept by the service for search and sorting.
    family_key: Mapped[str] = mapped_column(String(200))
    given_key: Mapped[str] = mapped_column(String(200))
    phone_digits: Mapped[str] = mapped_column(String(64), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Counts the saves: an edit made from an older version is refused, so two
    # workstations cannot overwrite each other (SQLAlchemy checks it in the UPDATE).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    episodes: Mapped[list[Episode]] = relationship(
        back_populates="patient", order_by="Episode.onset_date"
    )
    name_tokens: Mapped[list[PatientNameToken]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}"


class PatientNameToken(Base):
    """One search token of a patient (sijdesk/services/patient_search.py says which).

    ``LIKE '%x%'`` scans every row; a prefix range on this indexed column
    (``token >= 'nguy' AND token < 'nguz'``) stays fast on 100,000 patients
    and works the same on SQLite and PostgreSQL. On SQLite the table is WITHOUT
    ROWID: its rows are nothing but their key.
    """

    __tablename__ = "patient_name_token"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(200), primary_key=True)

    __table_args__ = (
        Index("ix_patient_name_token_token", "token", "patient_id"),
        {"sqlite_with_rowid": False},
    )
