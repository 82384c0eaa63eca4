"""A deterministic demonstration clinic.

The first patients each show one situation of the pathway (new referral,
improving in physiotherapy, failed physiotherapy, after a diagnostic block,
confirmed and ready for a fusion opinion, red flag, inflammatory back pain,
pain above the belt line, after a fusion); they are recorded through the
services like any clinic's records. The rest are generated with a fixed
seed and written in batches with bulk inserts, each batch one transaction,
so the run can be stopped at any moment without damaging the database and
100,000 patients take minutes. Dates are relative to the clinic's "today"
so that every situation stays current whenever the demo is made.

All people are fictional.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text, update

from sijdesk.models import (
    Assessment,
    AuditEvent,
    ClinicSettings,
    Episode,
    MedicationCourse,
    Note,
    OutcomeMeasure,
    Patient,
    PatientNameToken,
    TherapySession,
    TimelineEvent,
    User,
    UserRole,
    utcnow,
)
from sijdesk.models.clinical import odi_tenths
from sijdesk.pathway.vocab import PAIN_SITES
from sijdesk.services.context import record_event
from sijdesk.services.patient_search import search_tokens
from sijdesk.services.text import digits, fold

log = logging.getLogger(__name__)

DEFAULT_SEED = 20261129
BATCH_SIZE = 1000

# Published in the README: a demo clinic holds fictional patients only.
DEMO_PASSWORD = "sijdesk-demo"
DEMO_ADMIN = "admin"
DEMO_USERS = (
    ("dr.okafor", "Dr Adaeze Okafor", "clinician", "MB BS, FRCP (Rheumatology & MSK Medicine)"),
    ("physio.lindqvist", "Ingrid Lindqvist", "clinician", "MSc, Chartered Physiotherapist"),
    ("reception.haddad", "Rania Haddad", "reception", None),
)
CLINIC = {
    "clinic_name": "Riverside Pelvis & Spine Clinic",
    "address": "14 Mill Lane\nRiverside RV2 4QT",
    "phone": "+44 1632 960 418",
    "email": "clinic@riverside-spine.example",
}


@dataclass(frozen=True)
class Scenario:
    """One of the scripted demo patients and the pathway situation it shows."""

    situation: str
    expected_step: str | None
    expected_triage: str


SCENARIOS = (
    Scenario("new referral", "conservative", "sij_pathway"),
    Scenario("in physiotherapy and improving", "conservative", "sij_pathway"),
    Scenario("failed physiotherapy", "injection", "sij_pathway"),
    Scenario("after a diagnostic block", "injection", "sij_pathway"),
    Scenario("confirmed and fusion-ready", "surgery_evaluation", "sij_pathway"),
    Scenario("red flag", None, "urgent_referral"),
    Scenario("inflammatory back pain", "conservative", "rheumatology_referral"),
    Scenario("above-belt pain", "conservative", "other_source"),
    Scenario("after SIJ fusion", None, "sij_pathway"),
)


def odi_items_for(percent: int, rng: random.Random | None = None) -> list[int]:
    """Ten section scores whose ODI is ``percent`` rounded to a multiple of 2."""
    total = round(percent / 2)
    items = [total // 10] * 10
    for index in range(total % 10):
        items[index] += 1
    if rng is not None:
        rng.shuffle(items)
    return items


def new_demo_clinic(location: str | None = None, *, clock: Callable[[], date] = date.today):
    """A new database set up as a demo clinic, signed in as its administrator.

    A database that is already a demo clinic is opened as its administrator;
    any other database with accounts is refused (its users must sign in).
    """
    from sijdesk.db.migrate import open_database
    from sijdesk.errors import UserError
    from sijdesk.services import AccountService, Clinic

    db = open_database(location)
    try:
        needed = AccountService(db).setup_needed()
        if not needed:
            with db.read() as session:
                settings = session.get(ClinicSettings, 1)
                is_demo = bool(settings is not None and settings.is_demo)
            if not is_demo:
                raise UserError(
                    "This database is a real clinic's, not a demo clinic; demo data goes into "
                    "a new database (use --db NEW_FILE)."
                )
    finally:
        db.dispose()
    if needed:
        return Clinic.create(
            location,
            username=DEMO_ADMIN,
            password=DEMO_PASSWORD,
            display_name="Clinic administrator",
            also_clinician=True,
            is_demo=True,
            clock=clock,
        )
    return Clinic.sign_in(location, username=DEMO_ADMIN, password=DEMO_PASSWORD, clock=clock)


def _ensure_demo_setup(clinic) -> dict[str, int]:
    """Demo users (password DEMO_PASSWORD) and letterhead; returns user ids by username."""
    from sijdesk.services.accounts import hash_password

    ids: dict[str, int] = {}
    hashed = None
    with clinic.db.read() as session:
        existing = {
            u.username: u.id
            for u in session.scalars(
                select(User).where(User.username.in_([row[0] for row in DEMO_USERS]))
            )
        }
    missing = [row for row in DEMO_USERS if row[0] not in existing]
    if missing:
        # Hashing is slow on purpose: done once, outside the write transaction.
        hashed = hash_password(DEMO_PASSWORD)
    with clinic.db.write() as session:
        ids.update(existing)
        for username, name, role, credentials in missing:
            user = User(
                username=username,
                display_name=name,
                credentials=credentials,
                password_hash=hashed,
                password_changed_at=utcnow(),
            )
            user.role_rows.append(UserRole(role=role))
            session.add(user)
            session.flush()
            record_event(
                clinic.db,
                session,
                clinic.actor.id,
                "user.create",
                "user",
                user.id,
                summary=f"demo user {username} ({role})",
                details={"roles": [role]},
            )
            ids[username] = user.id
        settings = session.get(ClinicSettings, 1)
        if settings is not None and not settings.clinic_name:
            for key, value in CLINIC.items():
                setattr(settings, key, value)
            settings.updated_at = utcnow()
            settings.updated_by_id = clinic.actor.id
            record_event(
                clinic.db,
                session,
                clinic.actor.id,
                "update",
                "clinic_settings",
                1,
                summary="demo letterhead",
            )
    return ids


# The clinic's address book: (key, name, role, practice, address, phone, secure e-mail).
ADDRESS_BOOK = (
    (
        "mensah",
        "Dr Harriet Mensah",
        "gp",
        "Riverside Medical Centre",
        "2 Station Road\nRiverside RV1 2AB",
        "+44 1632 960 100",
        "riverside.mc@nhs.example",
    ),
    (
        "boateng",
        "Dr Kwame Boateng",
        "gp",
        "Mill Lane Surgery",
        "41 Mill Lane\nRiverside RV2 4QT",
        "+44 1632 960 200",
        "mill.lane@nhs.example",
    ),
    (
        "halvorsen",
        "Dr Ingrid Halvorsen",
        "gp",
        "Upper Riverside Health Centre",
        "The Green\nUpper Riverside RV7 1AB",
        "+44 1632 960 300",
        "upper.riverside@nhs.example",
    ),
    (
        "wojcik",
        "Mr Tomasz Wójcik",
        "spine_surgeon",
        "Spinal Unit, Riverside General Hospital",
        "Hospital Road\nRiverside RV3 1AA",
        "+44 1632 960 400",
        "spine.unit@rgh.nhs.example",
    ),
    (
        "menon",
        "Dr Ravi Menon",
        "injection_clinic",
        "Pain and Injection Clinic, Riverside General",
        "Hospital Road\nRiverside RV3 1AA",
        "+44 1632 960 410",
        "pain.clinic@rgh.nhs.example",
    ),
    (
        "tanaka",
        "Dr Aiko Tanaka",
        "rheumatologist",
        "Rheumatology, Riverside General Hospital",
        "Hospital Road\nRiverside RV3 1AA",
        "+44 1632 960 420",
        "rheumatology@rgh.nhs.example",
    ),
    (
        "physio",
        "Riverside Physiotherapy",
        "physiotherapist",
        "Riverside Community Hospital",
        "Elm Street\nRiverside RV4 2CD",
        "+44 1632 960 500",
        "",
    ),
)
LETTER_DEFAULTS = {
    "physiotherapy": "physio",
    "injection_clinic": "menon",
    "spine_surgeon": "wojcik",
    "rheumatology": "tanaka",
    "urgent": "wojcik",
}


def _ensure_address_book(clinic) -> dict[str, int]:
    """The demo contacts and each letter kind's default contact; contact ids by key."""
    existing = {c.name: c.id for c in clinic.contacts.all_contacts()}
    ids = {}
    for key, name, role, practice, address, phone, email in ADDRESS_BOOK:
        if name in existing:
            ids[key] = existing[name]
            continue
        made = clinic.contacts.create(
            {
                "name": name,
                "role": role,
                "practice": practice,
                "address": address,
                "phone": phone,
                "secure_email": email,
            }
        )
        ids[key] = made.id
    defaults = clinic.contacts.letter_defaults()
    for kind, key in LETTER_DEFAULTS.items():
        if kind not in defaults:
            clinic.contacts.set_letter_default(kind, ids[key])
    return ids


# -- the scripted situations ------------------------------------------------------------

_PROVOCATION_POSITIVE = {
    "distraction": True,
    "thigh_thrust": True,
    "compression": True,
    "sacral_thrust": False,
    "gaenslen_left": None,
    "gaenslen_right": True,
}


class _Script:
    """What every scripted patient is written with: the clinicians, and dates back from today."""

    def __init__(self, clinic, today: date):
        self.clinic = clinic
        self.today = today
        self.doc = clinic.as_user("dr.okafor")
        self.physio = clinic.as_user("physio.lindqvist")
        self.contacts = _ensure_address_book(clinic)
        self.gp = "mensah"  # the family doctor of the next patient
        self.last_patient = None

    def days(self, n: int) -> date:
        return self.today - timedelta(days=n)

    def weeks(self, n: float) -> date:
        return self.today - timedelta(days=round(n * 7))

    def patient(self, given, family, born, sex, **extra):
        data = {"given_names": given, "family_name": family, "date_of_birth": born, "sex": sex}
        data["gp_contact_id"] = self.contacts[self.gp]
        data.update(extra)
        self.last_patient = self.clinic.patients.register(data, allow_duplicate=True)
        return self.last_patient

    # Allergies are recorded after a situation's events: an agent given earlier
    # would otherwise need an allergy confirmation.
    def none_known(self, patient, days_ago: int) -> None:
        self.doc.allergies.record_none_known(patient.id, self.days(days_ago))

    def allergy(self, patient, days_ago: int, **data) -> None:
        self.doc.allergies.record(patient.id, {"recorded_on": self.days(days_ago), **data})

    def therapy(self, episode, start_weeks_ago: float, sessions: int, responses, components):
        for i in range(sessions):
            when = self.weeks(start_weeks_ago) + timedelta(days=7 * i)
            if when > self.today:
                break
            self.physio.timeline.add(
                episode.id,
                "therapy",
                {
                    "date": when,
                    "components": components,
                    "minutes": 45,
                    "response": responses[i] if i < len(responses) else responses[-1],
                },
            )


def _new_referral(s: _Script) -> None:
    """New referral."""
    p = s.patient(
        "Zoë",
        "Łukasiewicz",
        date(1972, 3, 14),
        "female",
        phone="+44 7700 900123",
        address="Flat 3, 27 Wiśniowa Court\nRiverside RV1 7PL",
        referrer_contact_id=s.contacts["mensah"],
    )
    e = s.doc.episodes.create(
        p.id,
        {
            "side": "right",
            "onset_date": s.weeks(5),
            "title": "Right buttock pain after a fall on ice",
        },
    )
    s.doc.timeline.add(
        e.id,
        "assessment",
        {
            "date": s.days(2),
            "pain_region": "below_belt",
            "pain_sites": ["buttock", "posterior_thigh"],
            "functional": ["locked_up", "weakness"],
            **_PROVOCATION_POSITIVE,
            "fortin_finger": True,
            "symptoms": ["flare"],
            "nicotine": False,
            "findings": "Deep right buttock ache, worse rising from a chair.",
        },
    )
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.days(2), "nrs": 7, "odi_items": odi_items_for(38)}
    )


def _improving_in_physiotherapy(s: _Script) -> None:
    """In physiotherapy and improving."""
    p = s.patient("François", "Nguyễn", date(1985, 7, 2), "male", phone="+44 7700 900456")
    e = s.doc.episodes.create(p.id, {"side": "left", "onset_date": s.weeks(14)})
    s.doc.timeline.add(
        e.id,
        "assessment",
        {
            "date": s.weeks(9),
            "pain_region": "below_belt",
            "pain_sites": ["buttock"],
            "functional": ["movement_restriction", "instability"],
            "distraction": True,
            "thigh_thrust": True,
            "nicotine": False,
        },
    )
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.weeks(9), "nrs": 7, "odi_items": odi_items_for(42)}
    )
    s.therapy(
        e,
        8,
        8,
        ["none", "partial", "partial", "partial", "good"],
        ["met", "manual_therapy_support"],
    )
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.days(3), "nrs": 3, "odi_items": odi_items_for(18)}
    )


def _failed_physiotherapy(s: _Script) -> None:
    """Failed physiotherapy: ready for a diagnostic block."""
    p = s.patient("芳", "王", date(1968, 11, 20), "female", phone="+44 7700 900789")
    e = s.doc.episodes.create(p.id, {"side": "left", "onset_date": s.weeks(22)})
    s.doc.timeline.add(
        e.id,
        "assessment",
        {
            "date": s.weeks(11),
            "pain_region": "below_belt",
            "pain_sites": ["buttock", "groin"],
            "functional": ["lost_hip_mobility", "off_movement"],
            "distraction": True,
            "thigh_thrust": True,
            "compression": True,
            "sacral_thrust": True,
            "gaenslen_left": False,
            "gaenslen_right": False,
            "fortin_finger": True,
            "symptoms": ["spasm"],
            "nicotine": False,
        },
    )
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.weeks(10), "nrs": 7, "odi_items": odi_items_for(44)}
    )
    s.therapy(e, 10, 10, ["none"], ["motor_retraining"])
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.days(1), "nrs": 7, "odi_items": odi_items_for(46)}
    )
    shown = s.doc.pathway.episode_advice(e.id).advice
    s.doc.pathway.record_decision(e.id, shown, accepted=True)


def _after_one_diagnostic_block(s: _Script) -> None:
    """After one positive diagnostic block: a confirmatory block is next."""
    p = s.patient("Amara", "Okonkwo-Bennett", date(1979, 5, 8), "female", phone="+44 7700 900321")
    e = s.doc.episodes.create(p.id, {"side": "right", "onset_date": s.weeks(30)})
    s.doc.timeline.add(
        e.id,
        "assessment",
        {
            "date": s.weeks(17),
            "pain_region": "below_belt",
            "pain_sites": ["buttock"],
            "functional": ["weakness"],
            **_PROVOCATION_POSITIVE,
            "fortin_finger": True,
            "nicotine": False,
        },
    )
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.weeks(16), "nrs": 6, "odi_items": odi_items_for(40)}
    )
    s.therapy(e, 16, 10, ["partial", "none"], ["motor_retraining", "manual_therapy_support"])
    s.doc.timeline.add(
        e.id,
        "injection",
        {
            "date": s.weeks(3),
            "purpose": "diagnostic",
            "side": "right",
            "agent": "lidocaine 2%",
            "image_guidance": "fluoroscopy",
            "pain_before": 6,
            "pain_after": 1,
            "performed_by": "Dr Tomasz Wróbel",
        },
    )
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.days(4), "nrs": 6, "odi_items": odi_items_for(40)}
    )


def _fusion_ready(s: _Script) -> None:
    """Confirmed by two blocks, failed care for a year: surgical opinion."""
    p = s.patient(
        "Henrik",
        "Sæther",
        date(1961, 9, 30),
        "male",
        phone="+44 7700 900654",
        address="Ivy Cottage, Long Lane, Upper Riverside RV7 1AA",
    )
    e = s.doc.episodes.create(p.id, {"side": "left", "onset_date": s.weeks(64)})
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.weeks(55), "nrs": 7, "odi_items": odi_items_for(50)}
    )
    s.therapy(e, 54, 30, ["none", "partial", "none"], ["met", "motor_retraining"])
    s.doc.timeline.add(
        e.id,
        "medication",
        {
            "date": s.weeks(50),
            "category": "nsaid",
            "name": "naproxen",
            "stop_date": s.weeks(46),
            "reason": "flare",
        },
    )
    # Other pain generators looked for before the blocks (letters list these).
    for region, finding in (
        ("lumbar_spine", "Mild disc bulges at L4-5; no nerve root compression."),
        ("pelvis_sij", "No sacroiliitis; mild degenerative change of the left joint."),
    ):
        s.doc.timeline.add(
            e.id,
            "imaging",
            {
                "date": s.weeks(40),
                "modality": "mri",
                "region": region,
                "finding": finding,
                "report_received": True,
            },
        )
    for when, before, after in ((34, 7, 1), (30, 8, 1)):
        s.doc.timeline.add(
            e.id,
            "injection",
            {
                "date": s.weeks(when),
                "purpose": "diagnostic",
                "side": "left",
                "agent": "bupivacaine 0.5%",
                "image_guidance": "fluoroscopy",
                "pain_before": before,
                "pain_after": after,
                "performed_by": "Dr Tomasz Wróbel",
            },
        )
    s.doc.timeline.add(
        e.id,
        "injection",
        {
            "date": s.weeks(24),
            "purpose": "therapeutic",
            "side": "left",
            "agent": "triamcinolone 40 mg + bupivacaine",
            "image_guidance": "fluoroscopy",
            "pain_before": 7,
            "pain_after": 4,
            "relief_weeks": 3,
            "performed_by": "Dr Tomasz Wróbel",
        },
    )
    s.doc.timeline.add(
        e.id,
        "assessment",
        {
            "date": s.weeks(2),
            "pain_region": "below_belt",
            "pain_sites": ["buttock", "posterior_thigh", "groin"],
            "functional": ["instability", "weakness"],
            "distraction": True,
            "thigh_thrust": True,
            "compression": True,
            "sacral_thrust": True,
            "gaenslen_left": True,
            "gaenslen_right": False,
            "fortin_finger": True,
            "nicotine": False,
            "findings": "Walks 200 m at most; cannot sit through a meal.",
        },
    )
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.weeks(2), "nrs": 7, "odi_items": odi_items_for(52)}
    )


def _red_flag(s: _Script) -> None:
    """Red flag."""
    p = s.patient("Dolores", "Ramírez Ibáñez", date(1957, 1, 22), "female", phone="+44 7700 900987")
    e = s.doc.episodes.create(p.id, {"side": "bilateral", "onset_date": s.weeks(8)})
    s.doc.timeline.add(
        e.id,
        "assessment",
        {
            "date": s.days(1),
            "pain_region": "both",
            "pain_sites": ["buttock", "lower_back"],
            "red_flags": ["cancer_history", "weight_loss", "night_pain"],
            "findings": "Breast cancer treated 2019. Lost 6 kg in two months without trying.",
        },
    )
    s.doc.timeline.add(e.id, "outcome", {"date": s.days(1), "nrs": 8})


def _inflammatory_back_pain(s: _Script) -> None:
    """Inflammatory back pain."""
    p = s.patient("Kai", "Thompson", date(1998, 4, 3), "male", phone="+44 7700 900111")
    e = s.doc.episodes.create(p.id, {"side": "bilateral", "onset_date": s.weeks(26)})
    s.doc.timeline.add(
        e.id,
        "assessment",
        {
            "date": s.days(5),
            "pain_region": "below_belt",
            "pain_sites": ["buttock", "lower_back"],
            "inflammatory": [
                "onset_before_40",
                "insidious_onset",
                "better_with_exercise",
                "night_pain_better_on_rising",
            ],
            "functional": ["movement_restriction"],
            "distraction": False,
            "thigh_thrust": True,
        },
    )
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.days(5), "nrs": 5, "odi_items": odi_items_for(24)}
    )


def _above_belt_pain(s: _Script) -> None:
    """Pain above the belt line."""
    p = s.patient("Siobhán", "Ní Mhurchú", date(1975, 12, 1), "female", phone="+44 7700 900222")
    e = s.doc.episodes.create(p.id, {"side": "unknown", "onset_date": s.weeks(6)})
    s.doc.timeline.add(
        e.id,
        "assessment",
        {
            "date": s.days(6),
            "pain_region": "above_belt",
            "pain_sites": ["lower_back"],
            "functional": ["movement_restriction"],
            "distraction": False,
            "thigh_thrust": False,
        },
    )
    s.doc.timeline.add(e.id, "outcome", {"date": s.days(6), "nrs": 5})
    shown = s.doc.pathway.episode_advice(e.id).advice
    s.doc.pathway.record_decision(
        e.id,
        shown,
        accepted=False,
        chosen_step=None,
        reason="Facet joint origin likely; referred to the pain team for medial branch blocks.",
    )


def _after_fusion(s: _Script) -> None:
    """After a fusion: the pathway is closed for this episode."""
    p = s.patient("Ahmed", "Al-Sayed", date(1966, 2, 17), "male", phone="+44 7700 900333")
    e = s.doc.episodes.create(p.id, {"side": "right", "onset_date": s.weeks(110)})
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.weeks(80), "nrs": 8, "odi_items": odi_items_for(56)}
    )
    s.doc.timeline.add(
        e.id,
        "procedure",
        {
            "date": s.weeks(12),
            "procedure": "sij_fusion",
            "side": "right",
            "surgeon": "Mr Oluwaseun Adebayo",
            "notes": "Minimally invasive lateral fusion.",
        },
    )
    s.doc.timeline.add(
        e.id, "outcome", {"date": s.weeks(1), "nrs": 3, "odi_items": odi_items_for(22)}
    )


# One function per scripted patient, in the order of SCENARIOS.
_SITUATIONS = (
    _new_referral,
    _improving_in_physiotherapy,
    _failed_physiotherapy,
    _after_one_diagnostic_block,
    _fusion_ready,
    _red_flag,
    _inflammatory_back_pain,
    _above_belt_pain,
    _after_fusion,
)


# Each situation's family doctor and allergy record, in the situations' order.
# Amara (after one diagnostic block) was never asked: the record says so.
_DOCTORS_AND_ALLERGIES: tuple[tuple[str, Callable[[_Script, Any], None]], ...] = (
    ("mensah", lambda s, p: s.none_known(p, 2)),
    (
        "boateng",
        lambda s, p: s.allergy(
            p,
            60,
            substance="nsaid",
            substance_text="ibuprofen",
            kind="intolerance",
            reaction="indigestion and heartburn",
            severity="mild",
        ),
    ),
    (
        "halvorsen",
        lambda s, p: s.allergy(
            p,
            30,
            substance="local_anaesthetic",
            substance_text="lidocaine",
            kind="allergy",
            reaction="hives and wheeze after dental anaesthetic",
            severity="severe",
        ),
    ),
    ("boateng", lambda s, p: None),
    ("mensah", lambda s, p: s.none_known(p, 40)),
    ("halvorsen", lambda s, p: s.none_known(p, 1)),
    (
        "boateng",
        lambda s, p: s.allergy(
            p, 20, substance="latex", kind="allergy", reaction="itchy rash", severity="moderate"
        ),
    ),
    ("mensah", lambda s, p: s.none_known(p, 15)),
    (
        "halvorsen",
        lambda s, p: s.allergy(
            p,
            300,
            substance="chlorhexidine",
            kind="allergy",
            reaction="skin rash",
            severity="mild",
        ),
    ),
)


def _scripted(clinic, today: date, count: int) -> int:
    """Record the first ``count`` situation patients through the services."""
    script = _Script(clinic, today)
    situations = _SITUATIONS[:count]
    for situation, (gp, allergies) in zip(situations, _DOCTORS_AND_ALLERGIES, strict=False):
        script.gp = gp
        situation(script)
        allergies(script, script.last_patient)
    return len(situations)


# -- generated patients ------------------------------------------------------------

FAMILY_NAMES = (
    "Smith",
    "Jones",
    "Patel",
    "Khan",
    "Nowak",
    "Kowalska",
    "Müller",
    "Schröder",
    "García",
    "Fernández",
    "O'Connor",
    "MacLeod",
    "Nguyễn",
    "Trần",
    "Lê",
    "Kim",
    "Park",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Haddad",
    "Yılmaz",
    "Demir",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Lefèvre",
    "Novák",
    "Dvořák",
    "Johansson",
    "Lindqvist",
    "Søndergaard",
    "Ó Briain",
    "Evans",
    "Hughes",
    "Williams",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Ahmed",
    "Hussain",
    "Begum",
    "Chowdhury",
    "Singh",
    "Kaur",
    "Sharma",
    "Gonçalves",
    "Silva",
    "Santos",
    "Papadopoulos",
    "Ivanova",
    "Petrov",
    "Horváth",
    "Kovács",
    "Łukasik",
    "Żak",
)
GIVEN_FEMALE = (
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Sophie",
    "Grace",
    "Chloé",
    "Zoë",
    "Léa",
    "Aoife",
    "Siobhán",
    "Ngozi",
    "Amara",
    "Fatima",
    "Aisha",
    "Priya",
    "Anjali",
    "Mei",
    "Linh",
    "Hạnh",
    "Ewa",
    "Małgorzata",
    "Agnieszka",
    "Jürgen",
    "Inès",
    "María",
    "Lucía",
    "Ingrid",
    "Åsa",
    "Zeynep",
    "Elif",
    "Eleni",
    "Anna",
    "Margaret",
    "Susan",
    "Helen",
    "Joanne",
    "Rachel",
)
GIVEN_MALE = (
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Muhammad",
    "Omar",
    "Yusuf",
    "Ravi",
    "Arjun",
    "Wei",
    "Minh",
    "Tuấn",
    "Piotr",
    "Łukasz",
    "Jörg",
    "Søren",
    "Björn",
    "José",
    "Javier",
    "Luca",
    "Matteo",
    "François",
    "Élie",
    "Chinedu",
    "Kwame",
    "Seán",
    "Dmitri",
    "Mehmet",
    "Emre",
    "Nikos",
    "David",
    "Paul",
    "Andrew",
    "Mark",
    "Peter",
    "James",
)
ASSESSMENT_FUNCTIONAL = (
    "movement_restriction",
    "lost_hip_mobility",
    "locked_up",
    "weakness",
    "instability",
    "inhibition",
    "off_movement",
)


class _Ids:
    """Primary keys handed out inside one write transaction (no other writer can run)."""

    def __init__(self, session):
        def top(column) -> int:
            return session.scalar(select(func.coalesce(func.max(column), 0))) or 0

        self.patient = top(Patient.id)
        self.episode = top(Episode.id)
        self.event = top(TimelineEvent.id)

    def next_patient(self) -> int:
        self.patient += 1
        return self.patient

    def next_episode(self) -> int:
        self.episode += 1
        return self.episode

    def next_event(self) -> int:
        self.event += 1
        return self.event


class _Batch:
    """Rows of one batch, by table, ready for executemany."""

    def __init__(self):
        self.rows: dict[Any, list[dict[str, Any]]] = {}

    def add(self, table, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)


def _generated_patient(
    rng: random.Random,
    ids: _Ids,
    batch: _Batch,
    today: date,
    number: int,
    clinicians: list[int],
    now,
    gps: list[int],
) -> None:
    sex = rng.choice(("female", "male"))
    given = rng.choice(GIVEN_FEMALE if sex == "female" else GIVEN_MALE)
    if rng.random() < 0.2:
        given += " " + rng.choice(GIVEN_FEMALE if sex == "female" else GIVEN_MALE)
    family = rng.choice(FAMILY_NAMES)
    if rng.random() < 0.08:
        family += "-" + rng.choice(FAMILY_NAMES)
    born = date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
    phone = f"+44 7700 {rng.randrange(900000, 901000):06d}"
    author = rng.choice(clinicians)
    pid = ids.next_patient()
    batch.add(
        Patient.__table__,
        {
            "id": pid,
            "record_number": f"{number:06d}",
            "given_names": given,
            "family_name": family,
            "date_of_birth": born,
            "sex": sex,
            "phone": phone,
            "email": "",
            "address": "",
            "referring_practitioner": "",
            # Most have a family doctor; chosen without the generator, so the
            # generated names and records stay what they were.
            "gp_contact_id": gps[pid % len(gps)] if pid % 8 else None,
            "archived": rng.random() < 0.03,
            "family_key": fold(family),
            "given_key": fold(given),
            "phone_digits": digits(phone),
            "created_at": now,
            "created_by_id": author,
        },
    )
    for token in search_tokens(given, family, phone):
        batch.add(PatientNameToken.__table__, {"patient_id": pid, "token": token})
    batch.add(
        AuditEvent.__table__,
        {
            "at": now,
            "user_id": author,
            "action": "register",
            "entity": "patient",
            "entity_id": pid,
            "patient_id": pid,
            "summary": "demo patient",
            "details": {},
        },
    )
    for _ in range(rng.choices((0, 1, 2), weights=(2, 6, 2))[0]):
        _generated_episode(rng, ids, batch, today, pid, born, author, now)


def _generated_episode(rng, ids, batch, today, pid, born, author, now) -> None:
    onset = today - timedelta(days=rng.randrange(14, 900))
    if onset <= born:
        onset = born + timedelta(days=365 * 18)
        if onset > today:
            return
    closed = (today - onset).days > 400 and rng.random() < 0.7
    eid = ids.next_episode()
    batch.add(
        Episode.__table__,
        {
            "id": eid,
            "patient_id": pid,
            "side": rng.choice(("left", "right", "bilateral")),
            "onset_date": onset,
            "title": "",
            "status": "closed" if closed else "open",
            "closed_on": onset + timedelta(days=380) if closed else None,
            "closing_reason": "Discharged: goals met" if closed else None,
            "created_at": now,
            "created_by_id": author,
        },
    )

    def event(kind: str, table, day: date, fields: dict[str, Any]) -> None:
        event_id = ids.next_event()
        batch.add(
            TimelineEvent.__table__,
            {
                "id": event_id,
                "episode_id": eid,
                "kind": kind,
                "event_date": min(day, today),
                "root_id": event_id,
                "replaces_id": None,
                "amendment_reason": None,
                "entered_in_error": False,
                "created_at": now,
                "created_by_id": author,
            },
        )
        if table is OutcomeMeasure.__table__:  # as the model derives it on an ORM insert
            fields = {**fields, "odi_tenths": odi_tenths(fields.get("odi_items"))}
        batch.add(table, {"id": event_id, **fields})

    first = onset + timedelta(days=rng.randrange(7, 60))
    first = min(first, today)
    provocation = {
        t: rng.choice((True, False, None))
        for t in (
            "distraction",
            "thigh_thrust",
            "compression",
            "sacral_thrust",
            "gaenslen_left",
            "gaenslen_right",
        )
    }
    event(
        "assessment",
        Assessment.__table__,
        first,
        {
            "pain_region": rng.choices(("below_belt", "above_belt", "both"), weights=(8, 1, 1))[0],
            # In the vocabulary's order, as a saved form stores them.
            "pain_sites": sorted(
                rng.sample(("buttock", "posterior_thigh", "groin"), 2), key=PAIN_SITES.index
            ),
            "functional": sorted(
                rng.sample(ASSESSMENT_FUNCTIONAL, 2), key=ASSESSMENT_FUNCTIONAL.index
            ),
            **provocation,
            "fortin_finger": rng.choice((True, False, None)),
            "red_flags": [],
            "inflammatory": [],
            "symptoms": ["flare"] if rng.random() < 0.3 else [],
            "nsaid_cautions": [],
            "nicotine": rng.random() < 0.15,
            "findings": "",
        },
    )
    baseline = rng.randrange(4, 10)
    event(
        "outcome",
        OutcomeMeasure.__table__,
        first,
        {
            "nrs": baseline,
            "odi_items": odi_items_for(rng.randrange(10, 60), rng),
        },
    )
    sessions = rng.randrange(0, 10)
    day = first + timedelta(days=7)
    for i in range(sessions):
        if day > today:
            break
        event(
            "therapy",
            TherapySession.__table__,
            day,
            {
                "components": rng.sample(("met", "motor_retraining", "manual_therapy_support"), 1),
                "minutes": rng.choice((30, 45, 60)),
                "response": rng.choice(("good", "partial", "none")) if i == sessions - 1 else None,
                "notes": "",
            },
        )
        day += timedelta(days=rng.choice((7, 7, 14)))
    if sessions and day <= today:
        event(
            "outcome",
            OutcomeMeasure.__table__,
            day,
            {
                "nrs": max(0, baseline - rng.randrange(0, 5)),
                "odi_items": odi_items_for(rng.randrange(6, 50), rng),
            },
        )
    if rng.random() < 0.2:
        event(
            "medication",
            MedicationCourse.__table__,
            first,
            {
                "category": "nsaid",
                "name": rng.choice(("ibuprofen", "naproxen")),
                "stop_date": first + timedelta(days=14),
                "reason": "flare",
                "cautions": "",
            },
        )
    if rng.random() < 0.1:
        event("note", Note.__table__, first, {"text": "Discussed the plan and goals."})


def create_demo_clinic(
    clinic,
    *,
    patients: int,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int], bool] | None = None,
) -> int:
    """Create ``patients`` demo patients; returns how many were made.

    ``progress(done, total)`` is called after each committed batch; returning
    False stops after that batch (everything committed so far stays valid).
    """
    today = clinic.today()
    users = _ensure_demo_setup(clinic)
    made = 0
    scripted = min(patients, len(SCENARIOS))
    if scripted:
        made = _scripted(clinic, today, scripted)
        if progress is not None and not progress(made, patients):
            return made
    rng = random.Random(seed)
    clinicians = [users["dr.okafor"], users["physio.lindqvist"]]
    contacts = _ensure_address_book(clinic)
    gps = [contacts[key] for key, _name, role, *_rest in ADDRESS_BOOK if role == "gp"]
    while made < patients:
        size = min(BATCH_SIZE, patients - made)
        with clinic.db.write() as session:
            ids = _Ids(session)
            first_number = (
                session.execute(
                    update(ClinicSettings)
                    .where(ClinicSettings.id == 1)
                    .values(next_record_number=ClinicSettings.next_record_number + size)
                    .returning(ClinicSettings.next_record_number)
                ).scalar_one()
                - size
            )
            batch = _Batch()
            now = utcnow()
            for offset in range(size):
                _generated_patient(
                    rng, ids, batch, today, first_number + offset, clinicians, now, gps
                )
            for table in (
                Patient.__table__,
                PatientNameToken.__table__,
                Episode.__table__,
                TimelineEvent.__table__,
                Assessment.__table__,
                OutcomeMeasure.__table__,
                TherapySession.__table__,
                MedicationCourse.__table__,
                Note.__table__,
                AuditEvent.__table__,
            ):
                rows = batch.rows.get(table)
                if rows and table is AuditEvent.__table__:
                    # Sealed into the audit chain in this same transaction.
                    rows = clinic.db.audit_chain.seal_rows(session, rows)
                if rows:
                    session.execute(insert(cast(Table, table)), rows)
        made += size
        if progress is not None and not progress(made, patients):
            break
    if made > len(SCENARIOS):
        # Fresh statistics so the query planner uses the search indexes well.
        with clinic.db.write() as session:
            session.execute(text("ANALYZE"))
    log.info("demo clinic: %d patients", made)
    return made
