"""A patient with a long history, recorded through the services (tests and benchmark).

Long names, a long address and about ``events`` timeline events: therapy
sessions every week, outcome measures every other week, injections, medication
courses, consults and a decline, so that letters and care plans page-break
through long tables.
"""

from __future__ import annotations

from datetime import date, timedelta

LONG_GIVEN = "Maria-Magdalena Anneliese Françoise"
LONG_FAMILY = "Wojciechowska-Łukasiewicz-Nguyễn de la Fuente"
LONG_ADDRESS = (
    "Apartment 1204, Block C, The Old Cotton Exchange Residences\n"
    "147-151 Upper Saint Bartholomew's Riverside Promenade\n"
    "Greater Riverside Metropolitan District\n"
    "RV12 9ZZ"
)


def ensure_clinician(clinic, username: str = "clin.long") -> object:
    from sqlalchemy import select

    from sijdesk.models import User
    from tests.signin import add_user

    with clinic.db.read() as session:
        exists = session.scalar(select(User).where(User.username == username)) is not None
    if exists:
        return clinic.as_user(username)
    return add_user(
        clinic,
        username,
        "Dr Evangelina Theodoropoulou-Smythe",
        "clinician",
        credentials="MD, PhD, FRCP, Consultant in Musculoskeletal Medicine",
    )


def build_long_history(clinic, *, events: int = 200, today: date | None = None) -> tuple[int, int]:
    """Register the patient and record the history; returns (patient_id, episode_id)."""
    today = today or clinic.today()
    doc = ensure_clinician(clinic)
    patient = doc.patients.register(
        {
            "given_names": LONG_GIVEN,
            "family_name": LONG_FAMILY,
            "date_of_birth": date(1958, 2, 28),
            "sex": "female",
            "phone": "+48 22 555 0199",
            "address": LONG_ADDRESS,
            "referring_practitioner": "Dr Bartholomew Okonkwo-Fitzgerald, Riverside Health",
        },
        allow_duplicate=True,
    )
    weeks = max(events // 2, 20)
    start = today - timedelta(weeks=weeks + 2)
    episode = doc.episodes.create(
        patient.id,
        {"side": "bilateral", "onset_date": start - timedelta(weeks=8), "title": "Long history"},
    )
    eid = episode.id
    made = 0

    def add(kind: str, data: dict) -> None:
        nonlocal made
        if made < events:
            doc.timeline.add(eid, kind, data)
            made += 1

    add(
        "assessment",
        {
            "date": start,
            "pain_region": "below_belt",
            "pain_sites": ["buttock", "posterior_thigh", "groin"],
            "functional": ["movement_restriction", "weakness", "instability"],
            "distraction": True,
            "thigh_thrust": True,
            "compression": True,
            "sacral_thrust": False,
            "gaenslen_left": True,
            "gaenslen_right": None,
            "fortin_finger": True,
            "symptoms": ["flare", "spasm"],
            "nsaid_cautions": ["renal_disease"],
            "nicotine": False,
            "findings": "Tender over both PSIS; antalgic gait.",
        },
    )
    nrs = 8
    for week in range(weeks + 1):
        day = start + timedelta(weeks=week)
        if day > today:
            break
        add(
            "therapy",
            {
                "date": day,
                "components": ["met", "motor_retraining", "manual_therapy_support"],
                "minutes": 40,
                "response": "partial" if week % 3 else "none",
            },
        )
        if week % 2 == 0:
            nrs = max(3, 8 - week // 25)
            odi = [min(5, 3 + (week // 40) % 2)] * 5 + [2] * 5
            add("outcome", {"date": day, "nrs": nrs, "odi_items": odi})
        if week % 30 == 12:
            add(
                "injection",
                {
                    "date": day,
                    "purpose": "diagnostic" if week < 60 else "therapeutic",
                    "side": "bilateral",
                    "agent": "bupivacaine 0.5% with triamcinolone 40 mg",
                    "image_guidance": "fluoroscopy",
                    "pain_before": 8,
                    "pain_after": 2,
                    "relief_weeks": 7,
                    "performed_by": "Dr Tomasz Wróbel",
                },
            )
        if week % 40 == 5:
            add(
                "medication",
                {
                    "date": day,
                    "category": "nsaid" if week < 40 else "muscle_relaxant",
                    "name": "naproxen" if week < 40 else "methocarbamol",
                    "stop_date": day + timedelta(weeks=2),
                    "reason": "flare",
                },
            )
    add(
        "consult",
        {
            "date": today - timedelta(weeks=3),
            "specialty": "rheumatology",
            "clinician": "Dr Ingeborg Halvorsen",
            "outcome": "No sign of axial spondyloarthritis; HLA-B27 negative.",
            "inflammatory_disease_excluded": True,
        },
    )
    add(
        "medication",
        {
            "date": today - timedelta(weeks=1),
            "category": "analgesic",
            "name": "paracetamol",
            "reason": "background pain",
        },
    )
    while made < events:
        add("note", {"date": today, "text": f"Telephone review {made}."})
    return patient.id, eid
