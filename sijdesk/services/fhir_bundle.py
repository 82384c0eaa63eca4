"""Patients and their care as an HL7 FHIR R4 Bundle, and back. No database here;
``ExchangeService`` gathers, checks and writes.

What other systems read is plain FHIR R4: Patient, AllergyIntolerance,
EpisodeOfCare, Observation (NRS LOINC 72514-3, ODI LOINC 97909-6, the SIJ
examination), Procedure (therapy sessions, injections, surgery, treatments the
patient declined), MedicationStatement, ServiceRequest (referral letters and
specialist consultations), DiagnosticReport (imaging), GuidanceResponse
(pathway decisions) and DocumentReference (letters, care plans, notes). The
resources are built and checked with ``fhir.resources``' R4B models, which are
R4 for every element written here (``fhir.resources`` 7 and later default to
R5, whose JSON R4 readers refuse).

So that SIJ Desk reads its own export back without loss, each resource also
carries its SIJ Desk record in one extension (``RECORD_URL``, a JSON string);
events point to their episode with the ``workflow-episodeOfCare`` extension.
One event may become two resources (NRS and ODI taken on one day; a referral
letter is a DocumentReference and a ServiceRequest): both carry the same
event key and are read back as one event.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sijdesk.kinds import KINDS
from sijdesk.kinds.declare import words
from sijdesk.services.documents import LETTER_PREFIX

RECORD_URL = "https://sijdesk.example/fhir/StructureDefinition/record"
EPISODE_URL = "http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare"
RECORD_NUMBER_SYSTEM = "https://sijdesk.example/fhir/record-number"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
NRS_CODE = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
ODI_CODE = ("97909-6", "Oswestry disability index score ODI")
NO_KNOWN_ALLERGY = ("716186003", "No known allergy")
# The resource types a SIJ Desk bundle holds; other types are counted, not read.
READ_TYPES = (
    "Patient",
    "AllergyIntolerance",
    "EpisodeOfCare",
    "Observation",
    "Procedure",
    "MedicationStatement",
    "ServiceRequest",
    "DiagnosticReport",
    "GuidanceResponse",
    "DocumentReference",
)


class BundleProblem(ValueError):
    """A bundle that cannot be read; the text says what and where, in plain words."""


# -- what is exchanged ------------------------------------------------------------------


@dataclass(frozen=True)
class ExchangedEvent:
    """One current event of a timeline; ``values`` as JSON has them (dates as text)."""

    kind: str
    date: str
    values: Mapping[str, Any]
    allergy_confirmation: str | None = None
    created_at: str | None = None  # documents keep the time they were made
    pdf: bytes | None = None


@dataclass(frozen=True)
class ExchangedEpisode:
    side: str
    onset_date: str | None
    title: str
    status: str
    closed_on: str | None
    closing_reason: str | None
    events: tuple[ExchangedEvent, ...] = ()


@dataclass(frozen=True)
class ExchangedAllergy:
    substance: str
    substance_text: str
    kind: str
    reaction: str
    severity: str
    recorded_on: str
    active: bool


@dataclass(frozen=True)
class ExchangedPatient:
    record_number: str
    given_names: str
    family_name: str
    date_of_birth: str
    sex: str
    phone: str = ""
    email: str = ""
    address: str = ""
    referring_practitioner: str = ""
    archived: bool = False
    allergies: tuple[ExchangedAllergy, ...] = ()
    episodes: tuple[ExchangedEpisode, ...] = ()


@dataclass(frozen=True)
class ReadBundle:
    patients: tuple[ExchangedPatient, ...]
    # Resources of other types, or of SIJ Desk's types that carry nothing SIJ
    # Desk can place (an Observation of another code), by type.
    not_read: Mapping[str, int] = field(default_factory=dict)


def jsonable(value: Any) -> Any:
    """A stored value as JSON writes it: dates as ISO text, lists and dicts within."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


# -- writing ----------------------------------------------------------------------------


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _text(text: str) -> dict[str, Any]:
    return {"text": text}


def _coded(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _record_ext(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {"url": RECORD_URL, "valueString": json.dumps(payload, ensure_ascii=False)}


def _episode_ext(episode_url: str) -> dict[str, Any]:
    return {"url": EPISODE_URL, "valueReference": {"reference": episode_url}}


def _note(text: str | None) -> list[dict[str, str]]:
    return [{"text": text}] if text and text.strip() else []


class _Writer:
    def __init__(self, today: date) -> None:
        self.today = today
        self.entries: list[dict[str, Any]] = []

    def add(self, resource: dict[str, Any], url: str | None = None) -> str:
        url = url or _urn()
        self.entries.append({"fullUrl": url, "resource": _pruned(resource)})
        return url

    def patient(self, p: ExchangedPatient) -> None:
        patient_url = self.add(
            {
                "resourceType": "Patient",
                "extension": [_record_ext({"referring_practitioner": p.referring_practitioner})],
                "identifier": [{"system": RECORD_NUMBER_SYSTEM, "value": p.record_number}],
                "active": not p.archived,
                "name": [
                    {
                        "use": "official",
                        "family": p.family_name,
                        "given": p.given_names.split(),
                        "text": f"{p.given_names} {p.family_name}",
                    }
                ],
                "telecom": [
                    *([{"system": "phone", "value": p.phone}] if p.phone else []),
                    *([{"system": "email", "value": p.email}] if p.email else []),
                ],
                "gender": p.sex,
                "birthDate": p.date_of_birth,
                "address": [{"text": p.address}] if p.address else [],
            }
        )
        for allergy in p.allergies:
            self.allergy(patient_url, allergy)
        for episode in p.episodes:
            self.episode(patient_url, episode)

    def allergy(self, patient_url: str, a: ExchangedAllergy) -> None:
        from sijdesk.services.allergies import NONE_KNOWN, SUBSTANCES

        if a.substance == NONE_KNOWN:
            code = _coded(SNOMED, *NO_KNOWN_ALLERGY)
        else:
            label = SUBSTANCES.get(a.substance, a.substance)
            code = _text(f"{label} ({a.substance_text})" if a.substance_text else label)
        status = "active" if a.active else "inactive"
        clinical = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
        reaction: dict[str, Any] | None = (
            {"manifestation": [_text(a.reaction)]} if a.reaction else None
        )
        if reaction and a.severity in ("mild", "moderate", "severe"):
            reaction["severity"] = a.severity
        self.add(
            {
                "resourceType": "AllergyIntolerance",
                "extension": [_record_ext(_fields(a))],
                "clinicalStatus": {"coding": [{"system": clinical, "code": status}]},
                "type": a.kind,
                "code": code,
                "patient": {"reference": patient_url},
                "recordedDate": a.recorded_on,
                "reaction": [reaction] if reaction else [],
            }
        )

    def episode(self, patient_url: str, e: ExchangedEpisode) -> None:
        record = {k: v for k, v in _fields(e).items() if k != "events"}
        episode_url = self.add(
            {
                "resourceType": "EpisodeOfCare",
                "extension": [_record_ext(record)],
                "status": "active" if e.status == "open" else "finished",
                "type": [_text(f"Sacroiliac joint pain ({e.side})")],
                "patient": {"reference": patient_url},
                "period": {"start": e.onset_date, "end": e.closed_on},
            }
        )
        for event in e.events:
            for resource in event_resources(event, self.today):
                resource["extension"] = [
                    _record_ext(resource.pop("_record")),
                    _episode_ext(episode_url),
                ]
                resource["subject"] = {"reference": patient_url}
                self.add(resource)


def _fields(item: Any) -> dict[str, Any]:
    import dataclasses

    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}


def _pruned(value: Any) -> Any:
    """Without empty elements: FHIR forbids empty strings, lists and objects."""
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        kept_items = [_pruned(v) for v in value]
        return [v for v in kept_items if v not in (None, "", [], {})]
    return value


def build_bundle(patients: list[ExchangedPatient], *, now: datetime) -> dict[str, Any]:
    """The Bundle (type collection) of these patients as JSON-ready dicts."""
    writer = _Writer(now.date())
    for patient in patients:
        writer.patient(patient)
    return {
        "resourceType": "Bundle",
        "meta": {"lastUpdated": now.astimezone(UTC).isoformat(timespec="seconds")},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": _urn()},
        "type": "collection",
        "timestamp": now.astimezone(UTC).isoformat(timespec="seconds"),
        "entry": writer.entries,
    }


def event_resources(event: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    """The FHIR resources of one event; each has ``_record`` (what SIJ Desk reads back)."""
    key = str(uuid.uuid4())
    record: dict[str, Any] = {
        "event": key,
        "kind": event.kind,
        "date": event.date,
        "values": dict(event.values),
    }
    if event.allergy_confirmation:
        record["allergy_confirmation"] = event.allergy_confirmation
    if event.created_at:
        record["created_at"] = event.created_at
    made = _MAKERS[event.kind](event, today)
    for resource in made:
        resource["_record"] = record
    return made


def _outcome(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    from sijdesk.pathway import scores

    v = e.values
    made = []
    base = {"resourceType": "Observation", "status": "final", "effectiveDateTime": e.date}
    survey = [
        _coded("http://terminology.hl7.org/CodeSystem/observation-category", "survey", "Survey")
    ]
    if v.get("nrs") is not None:
        made.append(
            {**base, "category": survey, "code": _coded(LOINC, *NRS_CODE), "valueInteger": v["nrs"]}
        )
    items = v.get("odi_items")
    if items is not None:
        percent = scores.odi_percent(tuple(items))
        odi = {**base, "category": survey, "code": _coded(LOINC, *ODI_CODE)}
        if percent is None:
            odi["dataAbsentReason"] = _text("too few sections answered to score")
        else:
            odi["valueQuantity"] = {
                "value": round(percent, 1),
                "unit": "%",
                "system": "http://unitsofmeasure.org",
                "code": "%",
            }
        made.append(odi)
    return made


def _assessment(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    tests = (
        "distraction",
        "thigh_thrust",
        "compression",
        "sacral_thrust",
        "gaenslen_left",
        "gaenslen_right",
        "fortin_finger",
    )
    labels = {f.name: f.label for f in KINDS["assessment"].fields}
    return [
        {
            "resourceType": "Observation",
            "status": "final",
            "category": [_coded(CATEGORY, "exam", "Exam")],
            "code": _text("Sacroiliac joint assessment"),
            "effectiveDateTime": e.date,
            "valueString": e.values.get("findings") or None,
            "component": [
                {"code": _text(labels[t]), "valueBoolean": e.values[t]}
                for t in tests
                if e.values.get(t) is not None
            ],
        }
    ]


def _procedure(
    e: ExchangedEvent, what: str, *, status: str = "completed", **extra: Any
) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "status": status,
        "code": _text(what),
        "performedDateTime": e.date,
        **extra,
    }


def _therapy(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    v = e.values
    parts = ", ".join(words(c) for c in v.get("components") or [])
    what = f"Physiotherapy session ({parts})" if parts else "Physiotherapy session"
    outcome = _text(f"response: {words(v['response'])}") if v.get("response") else None
    return [_procedure(e, what, outcome=outcome, note=_note(v.get("notes")))]


def _performer(name: str | None) -> list[dict[str, Any]]:
    return [{"actor": {"display": name}}] if name else []


def _injection(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    v = e.values
    what = f"Sacroiliac joint injection, {v['purpose']} ({words(v.get('image_guidance'))})"
    return [
        _procedure(
            e,
            what,
            bodySite=[_text(f"Sacroiliac joint, {v['side']}")],
            performer=_performer(v.get("performed_by")),
            usedCode=[_text(v["agent"])] if v.get("agent") else [],
            note=_note(v.get("notes")),
        )
    ]


def _surgery(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    v = e.values
    return [
        _procedure(
            e,
            words(v["procedure"]).capitalize(),
            category=_coded(SNOMED, "387713003", "Surgical procedure"),
            bodySite=[_text(f"Sacroiliac joint, {v['side']}")],
            performer=_performer(v.get("surgeon")),
            note=_note(v.get("notes")),
        )
    ]


def _decline(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    v = e.values
    reason = f"declined by the patient: {v['reason']}" if v.get("reason") else "declined"
    return [
        _procedure(
            e, words(v["treatment"]).capitalize(), status="not-done", statusReason=_text(reason)
        )
    ]


def _medication(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    v = e.values
    stop = v.get("stop_date")
    finished = stop is not None and date.fromisoformat(stop) <= today
    return [
        {
            "resourceType": "MedicationStatement",
            "status": "completed" if finished else "active",
            "category": _text(words(v.get("category"))),
            "medicationCodeableConcept": _text(v["name"]),
            "effectivePeriod": {"start": e.date, "end": stop},
            "reasonCode": [_text(v["reason"])] if v.get("reason") else [],
            "note": _note(v.get("cautions")),
        }
    ]


def _referral(what: str, status: str, authored: str, note: str | None) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "status": status,
        "intent": "order",
        "category": [_coded(SNOMED, "3457005", "Patient referral")],
        "code": _text(what),
        "authoredOn": authored,
        "note": _note(note),
    }


def _consult(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    v = e.values
    what = f"{words(v['specialty']).capitalize()} consultation"
    if v.get("clinician"):
        what += f" ({v['clinician']})"
    status = "completed" if v.get("outcome") else "active"
    return [_referral(what, status, e.date, v.get("outcome"))]


def _imaging(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    v = e.values
    return [
        {
            "resourceType": "DiagnosticReport",
            "status": "final" if v.get("report_received") else "registered",
            "category": [_text("Imaging")],
            "code": _text(f"{words(v['modality'])} of the {words(v['region'])}"),
            "effectiveDateTime": e.date,
            "conclusion": v.get("finding") or None,
        }
    ]


def _decision(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    v = e.values
    return [
        {
            "resourceType": "GuidanceResponse",
            "moduleUri": f"urn:sijdesk:pathway:{v['pathway_version']}",
            "status": "success",
            "occurrenceDateTime": e.date,
            "reasonCode": [_text(KINDS["decision"].summarize(v))],
            "note": _note(v.get("reason")),
        }
    ]


def _attachment(content_type: str, data: bytes | None, title: str, created: str) -> dict:
    return {
        "contentType": content_type,
        "data": base64.b64encode(data).decode("ascii") if data is not None else None,
        "title": title,
        "creation": created,
    }


def _document(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    v = e.values
    created = e.created_at or e.date
    made = [
        {
            "resourceType": "DocumentReference",
            "status": "current",
            "type": _text(v["document_kind"]),
            "date": created,
            "description": v["title"],
            "content": [{"attachment": _attachment("application/pdf", e.pdf, v["title"], created)}],
        }
    ]
    kind = v["document_kind"]
    if kind.startswith(LETTER_PREFIX):
        from sijdesk.reports.wording import KIND_NAMES

        what = "Referral: " + KIND_NAMES.get(kind[len(LETTER_PREFIX) :], words(kind))
        made.append(_referral(what, "active", created, v["title"]))
    return made


def _clinical_note(e: ExchangedEvent, today: date) -> list[dict[str, Any]]:
    text = str(e.values.get("text") or "")
    return [
        {
            "resourceType": "DocumentReference",
            "status": "current",
            "type": _text("Clinical note"),
            "date": f"{e.date}T00:00:00+00:00",
            "content": [
                {"attachment": _attachment("text/plain", text.encode(), "Clinical note", e.date)}
            ],
        }
    ]


_MAKERS = {
    "assessment": _assessment,
    "outcome": _outcome,
    "therapy": _therapy,
    "injection": _injection,
    "medication": _medication,
    "consult": _consult,
    "imaging": _imaging,
    "procedure": _surgery,
    "decline": _decline,
    "note": _clinical_note,
    "decision": _decision,
    "document": _document,
}


# -- checking ---------------------------------------------------------------------------


def validate_bundle(data: Any) -> None:
    """Raise BundleProblem unless ``data`` is a FHIR R4 Bundle whose every resource is valid
    and whose every reference points to an entry of the bundle."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise BundleProblem("is not a FHIR Bundle (no resourceType Bundle at the top)")
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError as SchemaError

    try:
        Bundle.model_validate(data)
    except SchemaError as exc:
        raise BundleProblem(_schema_problem(data, exc)) from None
    except (KeyError, ValueError, TypeError) as exc:  # an unknown resourceType
        raise BundleProblem(f"is not a valid FHIR R4 Bundle ({exc})") from None
    urls = {entry.get("fullUrl") for entry in data.get("entry") or []}
    for index, reference in _references(data.get("entry") or []):
        if reference not in urls:
            raise BundleProblem(
                f"entry {index + 1} refers to {reference}, which is not in the bundle"
            )


def _schema_problem(data: dict[str, Any], exc: Any) -> str:
    errors = exc.errors()
    first = errors[0]
    where = list(first.get("loc") or ())
    place = "the bundle"
    entries = data.get("entry")
    if len(where) >= 2 and where[0] == "entry" and isinstance(where[1], int):
        entry = entries[where[1]] if isinstance(entries, list) and where[1] < len(entries) else {}
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        place = f"entry {where[1] + 1}" + (f" ({kind})" if kind else "")
        where = [w for w in where[2:] if w != "resource"]
    element = ".".join(str(w) for w in where) or "its contents"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"is not a valid FHIR R4 Bundle: {place}, {element}: {first.get('msg')}{more}"


def _references(entries: list[Any]) -> Iterator[tuple[int, str]]:
    def walk(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            reference = value.get("reference")
            if isinstance(reference, str):
                yield reference
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for index, entry in enumerate(entries):
        for reference in walk(entry.get("resource")):
            yield index, reference


# -- reading ----------------------------------------------------------------------------


def read_bundle(data: Any) -> ReadBundle:
    """The patients of a valid bundle (``validate_bundle`` first), as written above.

    A patient needs nothing of SIJ Desk's own; its episodes and events are read
    from SIJ Desk's record extension, or for NRS and ODI from their LOINC codes.
    """
    entries = [
        (e.get("fullUrl"), e["resource"])
        for e in data.get("entry") or []
        if isinstance(e.get("resource"), dict) and "resourceType" in e["resource"]
    ]
    patients: dict[str | None, dict[str, Any]] = {}
    episodes: dict[str | None, dict[str, Any]] = {}
    not_read: dict[str, int] = {}
    seen_events: set[str] = set()

    def skip(resource: dict[str, Any]) -> None:
        name = resource["resourceType"]
        not_read[name] = not_read.get(name, 0) + 1

    for url, resource in entries:
        if resource["resourceType"] == "Patient":
            patients[url] = {"patient": _patient(resource), "allergies": [], "episodes": []}
    for url, resource in entries:
        kind = resource["resourceType"]
        if kind == "Patient":
            continue
        if kind == "AllergyIntolerance":
            owner = patients.get(_ref(resource.get("patient")))
            record = _record_of(resource)
            if owner is None or record is None:
                skip(resource)
                continue
            owner["allergies"].append(_allergy(record))
        elif kind == "EpisodeOfCare":
            owner = patients.get(_ref(resource.get("patient")))
            if owner is None:
                skip(resource)
                continue
            episode = {**_episode(resource), "events": []}
            episodes[url] = episode
            owner["episodes"].append(episode)
    for _url, resource in entries:
        if resource["resourceType"] in ("Patient", "AllergyIntolerance", "EpisodeOfCare"):
            continue
        target = episodes.get(_episode_of(resource))
        event = _event(resource) if target is not None else None
        if target is None or event is None:
            skip(resource)
            continue
        key, read = event
        if key in seen_events:
            continue  # the second resource of one event (ODI beside NRS, a letter's request)
        seen_events.add(key)
        target["events"].append(read)
    return ReadBundle(
        tuple(
            ExchangedPatient(
                **{**held["patient"]},
                allergies=tuple(held["allergies"]),
                episodes=tuple(
                    ExchangedEpisode(**{**e, "events": tuple(e["events"])})
                    for e in held["episodes"]
                ),
            )
            for held in patients.values()
        ),
        not_read,
    )


def _ref(value: Any) -> str | None:
    return value.get("reference") if isinstance(value, dict) else None


def _extension(resource: dict[str, Any], url: str) -> dict[str, Any] | None:
    for ext in resource.get("extension") or []:
        if ext.get("url") == url:
            return ext
    return None


def _record_of(resource: dict[str, Any]) -> dict[str, Any] | None:
    ext = _extension(resource, RECORD_URL)
    if ext is None:
        return None
    try:
        record = json.loads(ext.get("valueString") or "")
    except ValueError:
        raise BundleProblem(
            f"a {resource['resourceType']} carries a SIJ Desk record that is not JSON"
        ) from None
    if not isinstance(record, dict):
        raise BundleProblem(f"a {resource['resourceType']} carries a SIJ Desk record of no shape")
    return record


def _episode_of(resource: dict[str, Any]) -> str | None:
    ext = _extension(resource, EPISODE_URL)
    return _ref(ext.get("valueReference")) if ext else None


def _patient(resource: dict[str, Any]) -> dict[str, Any]:
    names = resource.get("name") or [{}]
    name = next((n for n in names if n.get("use") == "official"), names[0])
    telecom = resource.get("telecom") or []
    record = _record_of(resource) or {}
    identifiers = resource.get("identifier") or []
    number = next(
        (i.get("value", "") for i in identifiers if i.get("system") == RECORD_NUMBER_SYSTEM), ""
    )
    return {
        "record_number": number,
        "given_names": " ".join(name.get("given") or []),
        "family_name": name.get("family") or "",
        "date_of_birth": resource.get("birthDate") or "",
        "sex": resource.get("gender") or "unknown",
        "phone": next((t.get("value", "") for t in telecom if t.get("system") == "phone"), ""),
        "email": next((t.get("value", "") for t in telecom if t.get("system") == "email"), ""),
        "address": "\n".join(
            a.get("text") or ", ".join(a.get("line") or []) for a in resource.get("address") or []
        ),
        "referring_practitioner": str(record.get("referring_practitioner") or ""),
        "archived": resource.get("active") is False,
    }


def _shaped(record: dict[str, Any], names: tuple[str, ...], what: str) -> dict[str, Any]:
    missing = [n for n in names if n not in record]
    if missing:
        raise BundleProblem(f"a SIJ Desk {what} record has no {', '.join(missing)}")
    return {n: record[n] for n in names}


def _allergy(record: dict[str, Any]) -> ExchangedAllergy:
    return ExchangedAllergy(
        **_shaped(record, tuple(ExchangedAllergy.__dataclass_fields__), "allergy")
    )


def _episode(resource: dict[str, Any]) -> dict[str, Any]:
    record = _record_of(resource)
    names = tuple(n for n in ExchangedEpisode.__dataclass_fields__ if n != "events")
    if record is not None:
        return _shaped(record, names, "episode")
    period = resource.get("period") or {}
    finished = resource.get("status") in ("finished", "cancelled", "entered-in-error")
    return {
        "side": "unknown",
        "onset_date": period.get("start", "")[:10] or None,
        "title": "; ".join(t.get("text", "") for t in resource.get("type") or []),
        "status": "closed" if finished else "open",
        "closed_on": period.get("end", "")[:10] or None if finished else None,
        "closing_reason": None,
    }


def _event(resource: dict[str, Any]) -> tuple[str, ExchangedEvent] | None:
    record = _record_of(resource)
    if record is None:
        return _loinc_outcome(resource)
    shaped = _shaped(record, ("event", "kind", "date", "values"), "event")
    if shaped["kind"] not in KINDS or not isinstance(shaped["values"], dict):
        raise BundleProblem(f"a SIJ Desk event record has an unknown kind {shaped['kind']!r}")
    pdf = None
    if shaped["kind"] == "document" and resource["resourceType"] == "DocumentReference":
        content = resource.get("content") or [{}]
        data = (content[0].get("attachment") or {}).get("data")
        pdf = base64.b64decode(data) if data else None
    return str(shaped["event"]), ExchangedEvent(
        kind=shaped["kind"],
        date=str(shaped["date"]),
        values=shaped["values"],
        allergy_confirmation=record.get("allergy_confirmation"),
        created_at=record.get("created_at"),
        pdf=pdf,
    )


def _loinc_outcome(resource: dict[str, Any]) -> tuple[str, ExchangedEvent] | None:
    """An NRS from another system (its ODI has no section scores to store)."""
    if resource["resourceType"] != "Observation":
        return None
    coding = (resource.get("code") or {}).get("coding") or []
    codes = {(c.get("system"), c.get("code")) for c in coding}
    when = str(resource.get("effectiveDateTime") or "")[:10]
    value = resource.get("valueInteger")
    if (LOINC, NRS_CODE[0]) in codes and when and isinstance(value, int):
        return _urn(), ExchangedEvent("outcome", when, {"nrs": value, "odi_items": None})
    return None
