"""SQLAlchemy models of SIJ Desk (installed as ``sijdesk.models``)."""

from __future__ import annotations

from sijdesk.models.allergies import AllergyEntry
from sijdesk.models.audit import AuditEvent, AuditHead
from sijdesk.models.base import NAMING_CONVENTION, Base, utcnow
from sijdesk.models.clinical import (
    EVENT_CLASSES,
    Assessment,
    Consult,
    Decline,
    Episode,
    GeneratedDocument,
    Injection,
    MedicationCourse,
    Note,
    OutcomeMeasure,
    PathwayDecision,
    Procedure,
    TherapySession,
    TimelineEvent,
)
from sijdesk.models.contacts import CONTACT_ROLES, Contact
from sijdesk.models.follow_up import DUE_RULES, MARK_KINDS, FollowUpMark
from sijdesk.models.people import (
    ROLES,
    SEXES,
    ClinicSettings,
    Patient,
    PatientNameToken,
    User,
    UserRole,
)

__all__ = [
    "DUE_RULES",
    "MARK_KINDS",
    "FollowUpMark",
    "CONTACT_ROLES",
    "Contact",
    "EVENT_CLASSES",
    "AllergyEntry",
    "NAMING_CONVENTION",
    "ROLES",
    "SEXES",
    "Assessment",
    "AuditEvent",
    "AuditHead",
    "Base",
    "ClinicSettings",
    "Consult",
    "Decline",
    "Episode",
    "GeneratedDocument",
    "Injection",
    "MedicationCourse",
    "Note",
    "OutcomeMeasure",
    "PathwayDecision",
    "Patient",
    "PatientNameToken",
    "Procedure",
    "TherapySession",
    "TimelineEvent",
    "User",
    "UserRole",
    "utcnow",
]
