"""Every public service method, for every role: it checks the role before it
opens a database session, and it either works or refuses with the permission
error. A new method without an argument recipe here fails the walk, so
nothing joins the services unchecked."""

from __future__ import annotations

import contextvars
import inspect

import pytest

from sijdesk.db.engine import Database
from sijdesk.demo import DEMO_PASSWORD
from sijdesk.errors import PermissionDenied, UserError
from sijdesk.services.context import ServiceBase
from tests.conftest import TODAY
from tests.signin import TEST_PASSWORD, add_user, copy_clinic, reopen_clinic

SERVICES = (
    "patients",
    "allergies",
    "contacts",
    "episodes",
    "timeline",
    "pathway",
    "documents",
    "session",
    "users",
    "settings",
    "audit",
    "backups",
    "exchange",
)
ROLES = ("admin", "clinician", "reception")
# Helpers that run inside a caller's transaction (they take its session):
# the caller has checked the role.
TAKES_A_SESSION = {
    ("timeline", "entry_in"),
    ("timeline", "entries_in"),
    ("timeline", "insert_event"),
    ("allergies", "status_in"),
    ("contacts", "load"),
    ("contacts", "letter_defaults_in"),
}
# What reception must never be given: clinical records and who the users are.
RECEPTION_DENIED = {
    ("allergies", "record"),
    ("allergies", "record_none_known"),
    ("allergies", "amend"),
    ("allergies", "remove"),
    ("allergies", "entries"),
    ("backups", "back_up"),
    ("backups", "encryption_keys"),
    ("audit", "events"),
    ("audit", "export_csv"),
    ("audit", "export_key"),
    ("patients", "export_csv"),
    ("patients", "import_csv"),
    ("exchange", "export_fhir"),
    ("exchange", "import_fhir"),
    ("episodes", "get"),
    ("episodes", "list_for_patient"),
    ("episodes", "create"),
    ("timeline", "entries"),
    ("timeline", "get"),
    ("timeline", "history"),
    ("timeline", "add"),
    ("pathway", "episode_advice"),
    ("pathway", "episode_view"),
    ("pathway", "facts_for_episode"),
    ("pathway", "patient_alerts"),
    ("pathway", "record_decision"),
    ("documents", "letter_draft"),
    ("documents", "preview_letter"),
    ("documents", "create_letter"),
    ("documents", "care_plan_draft"),
    ("users", "all_users"),
    ("users", "create"),
}
CLINICIAN_DENIED = {
    ("backups", "back_up"),
    ("backups", "set_passphrase"),
    ("audit", "events"),
    ("audit", "export_csv"),
    ("audit", "export_key"),
    ("patients", "export_csv"),
    ("patients", "import_csv"),
    ("exchange", "import_fhir"),
    ("audit", "verify"),
    ("users", "all_users"),
    ("users", "create"),
    ("pathway", "set_clinic_thresholds"),
    ("settings", "update"),
}

_role_checked = contextvars.ContextVar("role_checked", default=True)
_calling = contextvars.ContextVar("calling", default="")


@pytest.fixture
def walk(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "walk.sqlite3"
    copy_clinic(demo_db, path)
    admin = reopen_clinic(path, password=DEMO_PASSWORD, clock=lambda: TODAY)
    clinics = {
        "admin": admin,
        "clinician": admin.as_user("dr.okafor"),
        "reception": admin.as_user("reception.haddad"),
    }
    patient = admin.patients.get_by_record_number("000004")
    episode = admin.episodes.list_for_patient(patient.id)[0]
    entries = admin.timeline.entries(episode.id)
    note = admin.timeline.add(episode.id, "note", {"date": TODAY, "text": "walk"})
    advice = admin.pathway.episode_advice(episode.id).advice
    handout = admin.documents.handouts()[0].name
    rendered = admin.documents.render_handout(handout, patient.id)
    letter = admin.documents.create_letter(episode.id, "physiotherapy")
    spare = add_user(admin, "spare.user", "Spare User", "reception")
    allergy = admin.allergies.record(patient.id, {"substance": "latex", "kind": "allergy"})
    contact = admin.contacts.create({"name": "Dr Walk", "role": "gp"})
    values = {
        "patient_id": patient.id,
        "episode_id": episode.id,
        "event_id": entries[-1].id,
        "record_number": patient.record_number,
        "query": "a",
        "archived": False,
        "reason": "checked in the role walk",
        "advice": advice,
        "accepted": True,
        "name": handout,
        "rendered": rendered,
        "values": {},
        "current": TEST_PASSWORD,
        "new": "another-secret-99",
        "password": DEMO_PASSWORD,
        "forms": [],
        "taken_over_by": "admin",
        "user_id": spare.actor.id,
        "entry_id": allergy.id,
        "contact_id": contact.id,
        "active": False,
        "temporary_password": "temporary-pass-1",
        "roles": ["reception"],
        "display_name": "Spare User",
        "since": None,
    }
    sheet = tmp_path / "import.csv"
    sheet.write_text("given_names,family_name,date_of_birth\nWalk,Sheet,1980-01-01\n")
    bundle = tmp_path / "import.json"
    bundle.write_text('{"resourceType": "Bundle", "type": "collection"}')
    recipes = {
        ("patients", "register"): {
            "data": {"given_names": "Walk", "family_name": "Role", "date_of_birth": "1980-01-01"},
            "allow_duplicate": True,
        },
        ("patients", "update"): {"changes": {"phone": "0123 456 789"}},
        ("patients", "validate"): {
            "data": {"given_names": "Walk", "family_name": "Role", "date_of_birth": "1980-01-01"}
        },
        ("contacts", "set_letter_default"): {"kind": "urgent"},
        ("contacts", "create"): {"data": {"name": "Dr Made", "role": "spine_surgeon"}},
        ("contacts", "update"): {"changes": {"phone": "+44 1632 960 000"}},
        ("allergies", "record"): {"data": {"substance": "opioid", "kind": "intolerance"}},
        ("allergies", "amend"): {"data": {"substance": "latex", "kind": "intolerance"}},
        ("episodes", "create"): {"data": {"side": "left", "onset_date": "2026-06-01"}},
        ("episodes", "update"): {"changes": {"side": "right"}},
        ("episodes", "validate"): {"data": {"side": "left", "onset_date": "2026-06-01"}},
        ("timeline", "add"): {"kind": "note", "data": {"date": TODAY, "text": "x"}},
        ("timeline", "amend"): {"event_id": note.id, "data": {"date": TODAY, "text": "y"}},
        ("timeline", "remove"): {"event_id": note.id},
        ("documents", "create_letter"): {"kind": "physiotherapy"},
        ("documents", "preview_letter"): {"kind": "physiotherapy"},
        ("documents", "open_document"): {"event_id": letter.info.event_id},
        ("documents", "list_documents"): {"episode_id": None},
        ("documents", "record_save"): {"document": letter, "path": "letter.pdf"},
        ("documents", "record_print"): {"event_id": letter.info.event_id},
        ("documents", "update_letterhead"): {"changes": {"phone": "+44 1632 960 419"}},
        ("settings", "update"): {"changes": {"idle_lock_minutes": 15}},
        ("audit", "export_csv"): {"path": str(tmp_path / "audit.csv")},
        ("audit", "export_key"): {"path": str(tmp_path / "audit.key")},
        ("patients", "export_csv"): {"path": str(tmp_path / "patients.csv")},
        ("patients", "import_csv"): {"path": str(sheet), "dry_run": True},
        # The walk's values name a record number: one patient, which clinicians may export.
        ("exchange", "export_fhir"): {"path": str(tmp_path / "walk-fhir.json")},
        ("exchange", "import_fhir"): {"path": str(bundle), "dry_run": True},
        ("backups", "set_passphrase"): {"passphrase": "walk passphrase 1"},
        ("users", "create"): {
            "username": "made.in.walk",
            "display_name": "Made In Walk",
            "roles": ["clinician"],
            "password": "made-secret-123",
        },
    }

    original_require = ServiceBase.require

    def require(self, roles, what):
        _role_checked.set(True)
        return original_require(self, roles, what)

    unchecked: set[str] = set()

    def guarded(method_name):
        original = getattr(Database, method_name)

        def opened(self, *args, **kwargs):
            if not _role_checked.get():
                unchecked.add(_calling.get())
            return original(self, *args, **kwargs)

        return opened

    monkeypatch.setattr(ServiceBase, "require", require)
    monkeypatch.setattr(Database, "read", guarded("read"))
    monkeypatch.setattr(Database, "write", guarded("write"))
    yield clinics, values, recipes, unchecked
    admin.close()


def _public_methods(service):
    for name, member in inspect.getmembers(type(service), inspect.isfunction):
        if name.startswith("_") or name in (
            "require",
            "audit",
            "audit_read",
            "today",
            "refuse_stale_edit",
        ):
            continue
        yield name, member


def _call(service, name, member, values, recipe):
    kwargs = {}
    missing = []
    for parameter in list(inspect.signature(member).parameters.values())[1:]:
        if parameter.name in recipe:
            kwargs[parameter.name] = recipe[parameter.name]
        elif parameter.name in values:
            kwargs[parameter.name] = values[parameter.name]
        elif parameter.default is not inspect.Parameter.empty:
            continue
        else:
            missing.append(parameter.name)
    if missing:
        raise AssertionError(f"no argument recipe for {name}({', '.join(missing)})")
    return getattr(service, name)(**kwargs)


@pytest.mark.parametrize("role", ROLES)
def test_every_public_service_method_checks_the_role_before_any_read(walk, role):
    clinics, values, recipes, unchecked = walk
    clinic = clinics[role]
    outcomes: dict[tuple[str, str], str] = {}
    for attribute in SERVICES:
        service = getattr(clinic, attribute)
        for name, member in _public_methods(service):
            key = (attribute, name)
            if key in TAKES_A_SESSION:
                continue
            token = _role_checked.set(False)
            calling = _calling.set(f"{attribute}.{name}")
            try:
                _call(service, name, member, values, recipes.get(key, {}))
                outcomes[key] = "ok"
            except PermissionDenied:
                outcomes[key] = "denied"
            except UserError as exc:  # a plain refusal of the walk's arguments, after the check
                outcomes[key] = f"refused: {exc}"
            finally:
                _role_checked.reset(token)
                _calling.reset(calling)
    assert " ".join(sorted(unchecked)) == ""
    assert len(outcomes) >= 55
    denied = {key for key, outcome in outcomes.items() if outcome == "denied"}
    if role == "admin":
        assert denied == set()
    if role == "clinician":
        assert CLINICIAN_DENIED <= denied
        assert not {k for k in denied if k[0] in ("episodes", "timeline", "pathway")} - {
            ("pathway", "set_clinic_thresholds")
        }
    if role == "reception":
        assert RECEPTION_DENIED <= denied
        assert outcomes[("patients", "register")] == "ok"
        assert outcomes[("documents", "print_handout")] == "ok"
