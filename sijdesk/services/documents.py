"""Letters, care plans and handouts: generate, record, list, reopen and reprint.

Every generated letter and care plan is recorded as a "document" event on the
episode's timeline, inside one write transaction with its audit row: the
document kind, the author (the acting user) and time, the SHA-256 of the
PDF, the parameters that produced it (options, pathway version, the advice
snapshot) and the PDF bytes themselves, so it can be reopened and reprinted
exactly as it was sent.

Handouts come from the shipped library. Printing one for a patient writes an
audit row (which version, to whom, when, by whom) and a "document" event on
the patient's latest episode when there is one; the audit row is what the
handout history reads, so prints for a patient with no episode are kept too.

Permissions: clinicians and admins write letters and care plans. Reception
may print handouts and reprint a patient's latest care plan (made by a
clinician), list a patient's care plans and handouts, and nothing that
reads clinical notes. The letterhead's clinic fields are for admins; each
user keeps their own signing name, credentials and signature image.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from sijdesk.errors import NotFound, PermissionDenied, UserError, ValidationError
from sijdesk.models import (
    AuditEvent,
    ClinicSettings,
    Episode,
    GeneratedDocument,
    Patient,
    TimelineEvent,
    User,
    utcnow,
)
from sijdesk.pathway.vocab import LETTER_KINDS
from sijdesk.services.allergies import AllergyService, unasked_allergy_note
from sijdesk.services.contacts import ContactService
from sijdesk.services.context import ALL_ROLES, CLINICAL_ROLES, ServiceBase, covered_reads
from sijdesk.services.episodes import EpisodeService
from sijdesk.services.pathway_service import PathwayService
from sijdesk.services.patients import PatientService
from sijdesk.services.timeline import TimelineService
from sijdesk.validation import Checker

if TYPE_CHECKING:  # the report modules load ReportLab: imported when first used
    from sijdesk.reports import care_plan as care_plan_report
    from sijdesk.reports import content as report_content
    from sijdesk.reports import handouts as handout_library
    from sijdesk.reports import letters as letter_report
    from sijdesk.reports.styles import Letterhead

log = logging.getLogger(__name__)

PAGE_SIZES = ("A4", "Letter")
CARE_PLAN = "care_plan"
HANDOUT = "handout"
LETTER_PREFIX = "letter."
# What reception may list and reopen: patient-facing documents only.
RECEPTION_KINDS = (CARE_PLAN, HANDOUT)
MAX_IMAGE_BYTES = 2 * 1024 * 1024
CLINIC_FIELDS = ("clinic_name", "address", "phone", "email", "page_size", "logo_png")
SIGNER_FIELDS = ("signer_name", "signer_credentials", "signature_png")


def letter_document_kind(kind: str) -> str:
    return LETTER_PREFIX + kind


def clinic_letterhead(session: Session) -> Letterhead:
    """The clinic's letterhead as the PDFs draw it, for documents about no patient
    (reports, the call list): no signer."""
    from sijdesk.reports.styles import Letterhead

    settings = session.get(ClinicSettings, 1)
    if settings is None:
        return Letterhead()
    return Letterhead(
        clinic_name=settings.clinic_name,
        address=settings.address,
        phone=settings.phone,
        email=settings.email,
        logo_png=settings.logo_png,
        page_size=settings.page_size or "A4",
    )


# -- values returned ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentInfo:
    """One recorded document, as lists show it (no PDF bytes)."""

    event_id: int
    episode_id: int
    patient_id: int
    document_kind: str
    title: str
    event_date: date
    created_at: datetime
    created_by: str
    sha256: str
    parameters: Mapping[str, Any]

    @property
    def is_letter(self) -> bool:
        return self.document_kind.startswith(LETTER_PREFIX)


@dataclass(frozen=True)
class GeneratedPdf:
    """A PDF and what it is; ``info`` is None for a preview that was not recorded."""

    pdf: bytes
    title: str
    sha256: str
    file_name: str
    info: DocumentInfo | None = None

    @property
    def stored(self) -> DocumentInfo:
        """The stored document's details; only an unrecorded preview has none."""
        if self.info is None:
            raise UserError("This PDF is a preview; it was not kept in the record.")
        return self.info


@dataclass(frozen=True)
class LetterheadSettings:
    clinic_name: str
    address: str
    phone: str
    email: str
    page_size: str
    logo_png: bytes | None
    signer_name: str
    signer_credentials: str
    signature_png: bytes | None
    updated_at: datetime | None = None

    @property
    def is_empty(self) -> bool:
        """True until a clinic name has been entered (the first-run prompt asks)."""
        return not self.clinic_name.strip()

    def letterhead(self) -> Letterhead:
        from sijdesk.reports.styles import Letterhead

        return Letterhead(
            clinic_name=self.clinic_name,
            address=self.address,
            phone=self.phone,
            email=self.email,
            logo_png=self.logo_png,
            page_size=self.page_size,
        )


@dataclass(frozen=True)
class LetterAddressing:
    """Who a letter goes to and how soon, as the clinician chose."""

    to_contact_id: int | None = None  # None: the clinic's default contact for the kind
    urgency: str | None = None  # None: urgent for an urgent referral, else routine
    copy_to_gp: bool = True  # a "Copy to" line for the patient's GP, when there is one


@dataclass(frozen=True)
class LetterDraft:
    """What the letter dialog shows before the clinician signs."""

    episode_id: int
    patient: report_content.PatientInfo
    advised_kind: str | None
    options: letter_report.LetterOptions
    title: str
    text: str
    pathway_version: str
    signer: report_content.Signer
    # Shown beside the draft: allergies never asked before an injection or surgical letter.
    allergy_note: str | None = None
    # The address-book contact it goes to (chosen, or the clinic's default for the kind).
    to_contact_id: int | None = None


@dataclass(frozen=True)
class CarePlanDraft:
    episode_id: int
    patient: report_content.PatientInfo
    step: str | None
    options: care_plan_report.CarePlanOptions
    pathway_version: str


@dataclass(frozen=True)
class HandoutPrint:
    """One printed handout: which version went to whom, when, and who printed it."""

    at: datetime
    handout: str
    title: str
    version: str
    patient_id: int | None
    record_number: str | None
    patient_name: str | None
    printed_by: str
    large_print: bool = False


def _letters():
    from sijdesk.reports import letters

    return letters


def _care_plans():
    from sijdesk.reports import care_plan

    return care_plan


def _handouts():
    from sijdesk.reports import handouts

    return handouts


def _gathering():
    from sijdesk.services import document_content

    return document_content


def _report_shapes():
    from sijdesk.reports import content

    return content


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe_name(text: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)
    while "--" in keep:
        keep = keep.replace("--", "-")
    return keep.strip("-") or "document"


def _normalise_image(data: bytes | None, field: str) -> bytes | None:
    """Check an uploaded logo or signature and store it as PNG (at most 2 MB)."""
    if data is None or data == b"":
        return None
    if not isinstance(data, bytes | bytearray):
        raise ValidationError({field: "must be an image file's bytes"})
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError({field: "is larger than 2 MB; use a smaller image"})
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.width < 8 or image.height < 8:
                raise ValidationError({field: "is too small to print"})
            if image.width > 4000 or image.height > 4000:
                image.thumbnail((4000, 4000))
            out = io.BytesIO()
            converted = image if image.mode in ("RGB", "RGBA", "L", "LA") else image.convert("RGBA")
            converted.save(out, format="PNG")
            return out.getvalue()
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure means "not an image"
        raise ValidationError({field: "is not a PNG or JPEG image"}) from exc


class _SignatureStore:
    """A user's signature image, kept in the database with the user."""

    def __init__(self, db) -> None:
        self.db = db

    def load(self, session: Session, user: User) -> bytes | None:
        return user.signature_png

    def save(self, session: Session, user: User, data: bytes | None) -> None:
        user.signature_png = data


# -- the service ----------------------------------------------------------------------------------


class DocumentService(ServiceBase):
    """Use cases of the documents module. ``clinic.documents`` in the application."""

    log_name = "documents"

    def __init__(
        self,
        db,
        actor,
        *,
        clock: Callable[[], date] = date.today,
        patients: PatientService,
        episodes: EpisodeService,
        timeline: TimelineService,
        pathway: PathwayService,
        allergies: AllergyService,
        contacts: ContactService,
    ):
        """The clinic's own services are passed in (Clinic wires them), never copied."""
        super().__init__(db, actor, clock=clock)
        self._allergies = allergies
        self._contacts = contacts
        self._patients = patients
        self._episodes = episodes
        self._timeline = timeline
        self._pathway = pathway
        self._signatures = _SignatureStore(db)

    # -- letterhead -------------------------------------------------------------------------------

    def letterhead(self) -> LetterheadSettings:
        """The clinic letterhead and the acting user's signing details."""
        self.require(ALL_ROLES, "read the clinic letterhead")
        with self.db.read() as session:
            return self._letterhead(session)

    def _letterhead(self, session: Session) -> LetterheadSettings:
        settings = session.get(ClinicSettings, 1)
        user = session.get(User, self.actor.id)
        return LetterheadSettings(
            clinic_name=settings.clinic_name if settings else "",
            address=settings.address if settings else "",
            phone=settings.phone if settings else "",
            email=settings.email if settings else "",
            page_size=(settings.page_size if settings else "A4") or "A4",
            logo_png=settings.logo_png if settings else None,
            signer_name=user.display_name if user else self.actor.display_name,
            signer_credentials=(user.credentials if user else self.actor.credentials) or "",
            signature_png=self._signatures.load(session, user) if user else None,
            updated_at=settings.updated_at if settings else None,
        )

    def update_letterhead(self, changes: Mapping[str, Any]) -> LetterheadSettings:
        """Change letterhead fields; only the keys given change.

        Clinic fields (``clinic_name``, ``address``, ``phone``, ``email``,
        ``page_size`` "A4"/"Letter", ``logo_png``) need the admin role; the
        signing fields (``signer_name``, ``signer_credentials``,
        ``signature_png``) change the acting user's own. Images are bytes of
        a PNG or JPEG file (None removes). Audited with before and after.
        """
        unknown = [k for k in changes if k not in CLINIC_FIELDS + SIGNER_FIELDS]
        if unknown:
            raise ValidationError({k: "is not a letterhead setting" for k in unknown})
        clinic_changes = {k: v for k, v in changes.items() if k in CLINIC_FIELDS}
        signer_changes = {k: v for k, v in changes.items() if k in SIGNER_FIELDS}
        if clinic_changes:
            self.require(frozenset({"admin"}), "change the clinic letterhead")
        if signer_changes:
            self.require(CLINICAL_ROLES, "sign letters")
        text_data = {k: v for k, v in changes.items() if k not in ("logo_png", "signature_png")}
        checker = Checker(text_data, today=self.today())
        limits = {"clinic_name": 200, "phone": 64, "email": 200, "address": 1000}
        for key, limit in limits.items():
            if key in text_data:
                checker.text(key, max_length=limit)
        if "signer_name" in text_data:
            checker.text("signer_name", required=True, max_length=200)
        if "signer_credentials" in text_data:
            checker.text("signer_credentials", max_length=200)
        if "page_size" in text_data:
            checker.choice("page_size", tuple(PAGE_SIZES), required=True)
        checker.raise_if_errors()
        clean = dict(checker.clean)
        for image_field in ("logo_png", "signature_png"):
            if image_field in changes:
                clean[image_field] = _normalise_image(changes[image_field], image_field)
        with self.db.write() as session:
            settings = session.get(ClinicSettings, 1)
            if settings is None:
                raise UserError("This clinic database has no settings row; it may be damaged.")
            user = session.get(User, self.actor.id)
            if user is None:  # accounts are disabled, never deleted
                raise NotFound("Your account is not in this clinic database.")
            before = self._letterhead(session)
            clinic_diff: dict[str, tuple[Any, Any]] = {}
            for key in CLINIC_FIELDS:
                if key in clean and getattr(settings, key) != clean[key]:
                    clinic_diff[key] = (getattr(settings, key), clean[key])
                    setattr(settings, key, clean[key])
            if clinic_diff:
                settings.updated_at = utcnow()
                settings.updated_by_id = self.actor.id
                self.audit(
                    session,
                    "update",
                    "clinic_settings",
                    1,
                    summary="letterhead: " + ", ".join(sorted(clinic_diff)),
                    details=_diff_details(clinic_diff),
                )
            signer_diff: dict[str, tuple[Any, Any]] = {}
            if "signer_name" in clean and clean["signer_name"] != user.display_name:
                signer_diff["display_name"] = (user.display_name, clean["signer_name"])
                user.display_name = clean["signer_name"]
            if "signer_credentials" in clean:
                new = clean["signer_credentials"] or None
                if new != user.credentials:
                    signer_diff["credentials"] = (user.credentials, new)
                    user.credentials = new
            if "signature_png" in clean and clean["signature_png"] != before.signature_png:
                signer_diff["signature_png"] = (before.signature_png, clean["signature_png"])
                self._signatures.save(session, user, clean["signature_png"])
            if signer_diff:
                self.audit(
                    session,
                    "update",
                    "user",
                    user.id,
                    summary="signing details: " + ", ".join(sorted(signer_diff)),
                    details=_diff_details(signer_diff),
                )
            session.flush()
            return self._letterhead(session)

    # -- shared helpers ---------------------------------------------------------------------------

    def _signer(self, settings: LetterheadSettings) -> report_content.Signer:
        return _report_shapes().Signer(
            name=settings.signer_name,
            credentials=settings.signer_credentials,
            signature_png=settings.signature_png,
        )

    def _content(self, episode_id: int) -> report_content.EpisodeContent:
        self.require(CLINICAL_ROLES, "write letters and care plans")
        settings = self.letterhead()
        # The document's own audit event (draft, preview or record) covers these reads.
        with covered_reads():
            return _gathering().gather_episode(
                patients=self._patients,
                episodes=self._episodes,
                timeline=self._timeline,
                pathway_service=self._pathway,
                allergies=self._allergies,
                episode_id=episode_id,
                letterhead=settings.letterhead(),
                signer=self._signer(settings),
            )

    def _audit_shown(self, action: str, patient_id: int, summary: str, **details: Any) -> None:
        self.audit_read(
            action, "patient", patient_id, patient_id=patient_id, summary=summary, details=details
        )

    def _info(self, session: Session, event: GeneratedDocument) -> DocumentInfo:
        episode = self._episode(session, event.episode_id)
        author = session.get(User, event.created_by_id)
        return DocumentInfo(
            event_id=event.id,
            episode_id=event.episode_id,
            patient_id=episode.patient_id,
            document_kind=event.document_kind,
            title=event.title,
            event_date=event.event_date,
            created_at=event.created_at,
            created_by=author.display_name if author else "?",
            sha256=event.sha256,
            parameters=dict(event.parameters or {}),
        )

    def _record(
        self,
        session: Session,
        episode: Episode,
        *,
        document_kind: str,
        title: str,
        pdf: bytes,
        parameters: Mapping[str, Any],
        created_at: datetime,
    ) -> DocumentInfo:
        clean = {
            "date": self.today(),
            "document_kind": document_kind,
            "title": title,
            "sha256": sha256(pdf),
            "parameters": dict(parameters),
            "pdf": pdf,
            "created_at": created_at,
        }
        event = self._timeline.insert_event(session, episode, "document", clean)
        assert isinstance(event, GeneratedDocument)  # the "document" kind's model
        return self._info(session, event)

    def _file_name(self, stem: str, patient: report_content.PatientInfo | None) -> str:
        who = f"{patient.record_number}-" if patient else ""
        return f"{_safe_name(who + stem)}-{self.today().isoformat()}.pdf"

    # -- letters ----------------------------------------------------------------------------------

    def letter_draft(
        self,
        episode_id: int,
        kind: str | None = None,
        *,
        recipient: str | None = None,
        reason: str | None = None,
        question: str | None = None,
        to_contact_id: int | None = None,
        urgency: str | None = None,
        copy_to_gp: bool = True,
    ) -> LetterDraft:
        """The draft the dialog shows: the advised kind preselected, defaults filled."""
        content = self._content(episode_id)
        advised = content.advice.referral if content.advice else None
        chosen = kind or advised or "physiotherapy"
        _check_kind(chosen)
        addressed = LetterAddressing(to_contact_id, urgency, copy_to_gp)
        options, contact_id = self._options(
            content, chosen, recipient, reason, question, None, addressed
        )
        self._audit_shown(
            "document.draft",
            content.patient.id,
            f"drafted a {chosen} letter",
            episode_id=episode_id,
        )
        return LetterDraft(
            episode_id=episode_id,
            patient=content.patient,
            advised_kind=advised,
            options=options,
            title=_letters().title_for(chosen, content),
            text=_letters().draft_text(content, options),
            pathway_version=content.pathway_version,
            signer=content.signer,
            allergy_note=unasked_allergy_note(content.allergies.state, chosen),
            to_contact_id=contact_id,
        )

    def _options(
        self,
        content: report_content.EpisodeContent,
        kind: str,
        recipient: str | None,
        reason: str | None,
        question: str | None,
        page_size: str | None,
        addressed: LetterAddressing,
    ) -> tuple[letter_report.LetterOptions, int | None]:
        """The letter's options, addressed: the chosen contact, else typed words, else the
        clinic's default contact for the kind, else the kind's generic addressee."""
        if addressed.urgency is not None and addressed.urgency not in _letters().URGENCIES:
            raise ValidationError({"urgency": "must be one of: " + ", ".join(_letters().URGENCIES)})
        contact = None
        if addressed.to_contact_id is not None:
            contact = self._contacts.get(addressed.to_contact_id)
            if not contact.active:
                raise ValidationError({"to": "is a retired contact; choose another"})
        elif not (recipient or "").strip():
            contact = self._contacts.letter_defaults().get(kind)
        copy_to = ""
        gp_id = content.patient.gp_contact_id
        if addressed.copy_to_gp and gp_id is not None and gp_id != getattr(contact, "id", None):
            copy_to = self._contacts.get(gp_id).display
        options = _letters().complete_options(
            content,
            kind,
            recipient=contact.name if contact else recipient,
            reason=reason,
            question=question,
            page_size=page_size,
            recipient_address=contact.address_lines[1:] if contact else (),
            copy_to=copy_to,
            urgency=addressed.urgency,
            salutation=f"Dear {contact.name}," if contact else None,
        )
        return options, contact.id if contact else None

    def _letter(
        self,
        episode_id: int,
        kind: str,
        recipient: str | None,
        reason: str | None,
        question: str | None,
        page_size: str | None,
        created: datetime,
        addressed: LetterAddressing,
    ) -> tuple[report_content.EpisodeContent, letter_report.LetterOptions, bytes]:
        _check_kind(kind)
        _check_page_size(page_size)
        content = self._content(episode_id)
        options, _contact_id = self._options(
            content, kind, recipient, reason, question, page_size, addressed
        )
        return content, options, _letters().render_letter(content, options, created=created)

    def preview_letter(
        self,
        episode_id: int,
        kind: str,
        *,
        recipient: str | None = None,
        reason: str | None = None,
        question: str | None = None,
        page_size: str | None = None,
        to_contact_id: int | None = None,
        urgency: str | None = None,
        copy_to_gp: bool = True,
    ) -> GeneratedPdf:
        """Render a letter without signing or recording it."""
        addressed = LetterAddressing(to_contact_id, urgency, copy_to_gp)
        content, options, pdf = self._letter(
            episode_id, kind, recipient, reason, question, page_size, utcnow(), addressed
        )
        title = _letters().title_for(kind, content)
        self._audit_shown(
            "document.preview",
            content.patient.id,
            f"previewed a {kind} letter",
            episode_id=episode_id,
            sha256=sha256(pdf),
        )
        return GeneratedPdf(
            pdf, title, sha256(pdf), self._file_name(f"draft-{kind}", content.patient)
        )

    def create_letter(
        self,
        episode_id: int,
        kind: str,
        *,
        recipient: str | None = None,
        reason: str | None = None,
        question: str | None = None,
        page_size: str | None = None,
        to_contact_id: int | None = None,
        urgency: str | None = None,
        copy_to_gp: bool = True,
    ) -> GeneratedPdf:
        """Sign, render and record a referral letter on the episode's timeline."""
        created = utcnow()
        addressed = LetterAddressing(to_contact_id, urgency, copy_to_gp)
        content, options, pdf = self._letter(
            episode_id, kind, recipient, reason, question, page_size, created, addressed
        )
        title = _letters().title_for(kind, content)
        parameters = {
            **options.to_dict(),
            "episode_id": episode_id,
            "as_of": content.as_of.isoformat(),
            "pathway_version": content.pathway_version,
            "advised_kind": content.advice.referral if content.advice else None,
            "advice": content.advice.to_dict() if content.advice else None,
            "signer": content.signer.name,
            "created": created.isoformat(),
        }
        with self.db.write() as session:
            episode = self._episode(session, episode_id)
            info = self._record(
                session,
                episode,
                document_kind=letter_document_kind(kind),
                title=title,
                pdf=pdf,
                parameters=parameters,
                created_at=created,
            )
        log.info("letter %s recorded for episode %s", kind, episode_id)
        return GeneratedPdf(
            pdf, title, info.sha256, self._file_name(f"letter-{kind}", content.patient), info
        )

    # -- care plans -------------------------------------------------------------------------------

    def care_plan_draft(self, episode_id: int) -> CarePlanDraft:
        content = self._content(episode_id)
        self._audit_shown(
            "document.draft", content.patient.id, "drafted a care plan", episode_id=episode_id
        )
        return CarePlanDraft(
            episode_id=episode_id,
            patient=content.patient,
            step=_care_plans().plan_step(content),
            options=_care_plans().complete_options(content),
            pathway_version=content.pathway_version,
        )

    def _care_plan(
        self,
        episode_id: int,
        large_print: bool,
        goals: Sequence[str] | None,
        review_date: date | None,
        page_size: str | None,
        created: datetime,
    ):
        _check_page_size(page_size)
        if review_date is not None and review_date < self.today():
            raise ValidationError({"review_date": "cannot be in the past"})
        content = self._content(episode_id)
        options = _care_plans().complete_options(
            content,
            large_print=large_print,
            goals=tuple(goals or ()),
            review_date=review_date,
            page_size=page_size,
        )
        pdf = _care_plans().render_care_plan(content, options, created=created)
        return content, options, pdf

    def preview_care_plan(
        self,
        episode_id: int,
        *,
        large_print: bool = False,
        goals: Sequence[str] | None = None,
        review_date: date | None = None,
        page_size: str | None = None,
    ) -> GeneratedPdf:
        content, options, pdf = self._care_plan(
            episode_id, large_print, goals, review_date, page_size, utcnow()
        )
        self._audit_shown(
            "document.preview",
            content.patient.id,
            "previewed a care plan",
            episode_id=episode_id,
            sha256=sha256(pdf),
        )
        return GeneratedPdf(
            pdf, _care_plans().TITLE, sha256(pdf), self._file_name("care-plan", content.patient)
        )

    def create_care_plan(
        self,
        episode_id: int,
        *,
        large_print: bool = False,
        goals: Sequence[str] | None = None,
        review_date: date | None = None,
        page_size: str | None = None,
    ) -> GeneratedPdf:
        """Render and record the patient's care plan for this episode."""
        created = utcnow()
        content, options, pdf = self._care_plan(
            episode_id, large_print, goals, review_date, page_size, created
        )
        title = _care_plans().TITLE + (" (large print)" if large_print else "")
        parameters = {
            **options.to_dict(),
            "episode_id": episode_id,
            "as_of": content.as_of.isoformat(),
            "pathway_version": content.pathway_version,
            "step": _care_plans().plan_step(content),
            "advice": content.advice.to_dict() if content.advice else None,
            "signer": content.signer.name,
            "created": created.isoformat(),
        }
        with self.db.write() as session:
            episode = self._episode(session, episode_id)
            info = self._record(
                session,
                episode,
                document_kind=CARE_PLAN,
                title=title,
                pdf=pdf,
                parameters=parameters,
                created_at=created,
            )
        return GeneratedPdf(
            pdf, title, info.sha256, self._file_name("care-plan", content.patient), info
        )

    def latest_care_plan(self, patient_id: int) -> GeneratedPdf:
        """The patient's most recent recorded care plan (every role, reception included)."""
        self.require(ALL_ROLES, "print care plans")
        with self.db.read() as session:
            self._patient(session, patient_id)
            event = session.scalar(
                self._documents_stmt(patient_id=patient_id, kinds=(CARE_PLAN,))
                .order_by(TimelineEvent.created_at.desc(), TimelineEvent.id.desc())
                .limit(1)
            )
            if event is None:
                raise NotFound(
                    "No care plan has been made for this patient yet; a clinician creates it "
                    "from the patient's episode."
                )
            opened = self._reopen(session, event)
        self._audit_opened(opened)
        return opened

    def _audit_opened(self, opened: GeneratedPdf) -> None:
        self.audit_read(
            "document.open",
            "document",
            opened.stored.event_id,
            patient_id=opened.stored.patient_id,
            summary=f"opened {opened.title}",
            details={"sha256": opened.sha256},
        )

    # -- listing, reopening, reprinting -----------------------------------------------------------

    def _documents_stmt(self, *, patient_id=None, episode_id=None, kinds=None):
        stmt = select(GeneratedDocument).join(Episode, Episode.id == GeneratedDocument.episode_id)
        if patient_id is not None:
            stmt = stmt.where(Episode.patient_id == patient_id)
        if episode_id is not None:
            stmt = stmt.where(GeneratedDocument.episode_id == episode_id)
        if kinds is not None:
            stmt = stmt.where(GeneratedDocument.document_kind.in_(list(kinds)))
        return stmt.where(TimelineEvent.entered_in_error.is_(False))

    def _allowed_kinds(self) -> tuple[str, ...] | None:
        return None if self.actor.has_any(CLINICAL_ROLES) else RECEPTION_KINDS

    def list_documents(
        self, *, patient_id: int | None = None, episode_id: int | None = None
    ) -> list[DocumentInfo]:
        """Recorded documents, newest first (reception sees care plans and handouts only)."""
        self.require(ALL_ROLES, "list documents")
        if patient_id is None and episode_id is None:
            raise ValueError("give patient_id or episode_id")
        with self.db.read() as session:
            stmt = self._documents_stmt(
                patient_id=patient_id, episode_id=episode_id, kinds=self._allowed_kinds()
            ).order_by(TimelineEvent.created_at.desc(), TimelineEvent.id.desc())
            found = [self._info(session, e) for e in session.scalars(stmt)]
            if patient_id is None:
                assert episode_id is not None  # one of the two was given, checked above
                patient_id = self._episode(session, episode_id).patient_id
        self._audit_shown("document.list", patient_id, f"listed {len(found)} documents")
        return found

    def open_document(self, event_id: int) -> GeneratedPdf:
        """The stored PDF of a recorded document, exactly as it was generated."""
        self.require(ALL_ROLES, "open documents")
        with self.db.read() as session:
            event = session.get(GeneratedDocument, event_id)
            if event is None:
                raise NotFound(f"No document with id {event_id}.")
            allowed = self._allowed_kinds()
            if allowed is not None and event.document_kind not in allowed:
                raise PermissionDenied(
                    f"Your role ({self.actor.role_label}) may open care plans and handouts only."
                )
            opened = self._reopen(session, event)
        self._audit_opened(opened)
        return opened

    def _reopen(self, session: Session, event: GeneratedDocument) -> GeneratedPdf:
        info = self._info(session, event)
        pdf = event.pdf
        if pdf is None:
            raise NotFound("This document's PDF was not stored.")
        if sha256(pdf) != event.sha256:
            raise UserError(
                "The stored PDF does not match its recorded checksum; it may have been "
                "damaged. Restore a backup or generate the document again."
            )
        patient = self._patient(session, info.patient_id)
        stem = _safe_name(f"{patient.record_number}-{event.document_kind}")
        return GeneratedPdf(pdf, event.title, event.sha256, f"{stem}-{event.event_date}.pdf", info)

    def record_print(self, event_id: int) -> None:
        """Note in the audit trail that a recorded document was printed (or printed again)."""
        self.require(ALL_ROLES, "print documents")
        with self.db.write() as session:
            event = session.get(GeneratedDocument, event_id)
            if event is None:
                raise NotFound(f"No document with id {event_id}.")
            episode = self._episode(session, event.episode_id)
            self.audit(
                session,
                "print",
                "document",
                event.id,
                patient_id=episode.patient_id,
                summary=f"printed {event.title}",
                details={"sha256": event.sha256},
            )

    def record_save(self, document: GeneratedPdf, path: str | os.PathLike[str]) -> None:
        """Note in the audit trail that a document was saved to a file (where, which PDF)."""
        self.require(ALL_ROLES, "save documents")
        with self.db.write() as session:
            event = None
            patient_id = None
            if document.info is not None:
                event = session.get(GeneratedDocument, document.info.event_id)
                patient_id = document.info.patient_id
            self.audit(
                session,
                "save",
                "document",
                event.id if event is not None else None,
                patient_id=patient_id,
                summary=f"saved {document.title} to a file",
                details={"sha256": document.sha256, "file_name": Path(path).name},
            )

    # -- handouts ---------------------------------------------------------------------------------

    def handouts(self) -> list[handout_library.Handout]:
        """The handout catalogue (no patient data)."""
        self.require(ALL_ROLES, "print handouts")
        return _handouts().list_handouts()

    def render_handout(
        self,
        name: str,
        patient_id: int | None = None,
        *,
        large_print: bool = False,
        page_size: str | None = None,
    ) -> GeneratedPdf:
        """A handout PDF, blank or for a patient; nothing is recorded (see record_handout)."""
        self.require(ALL_ROLES, "print handouts")
        _check_page_size(page_size)
        try:
            handout = _handouts().load_handout(name)
        except _handouts().HandoutError as exc:
            raise ValidationError({"handout": str(exc)}) from None
        with self.db.read() as session:
            settings = self._letterhead(session)
            patient = self._patient_info(session, patient_id) if patient_id is not None else None
        pdf = _handouts().render_handout(
            handout,
            letterhead=settings.letterhead(),
            patient=patient,
            given_on=self.today(),
            large_print=large_print,
            page_size=page_size,
            created=utcnow(),
        )
        if patient is not None:
            self._audit_shown(
                "handout.preview",
                patient.id,
                f"previewed handout {handout.name}",
                sha256=sha256(pdf),
            )
        return GeneratedPdf(pdf, handout.title, sha256(pdf), self._file_name(name, patient))

    def record_handout(
        self,
        name: str,
        patient_id: int | None,
        rendered: GeneratedPdf,
        *,
        large_print: bool = False,
    ) -> HandoutPrint:
        """Record that a handout was printed (to whom, which version, when, by whom)."""
        self.require(ALL_ROLES, "print handouts")
        handout = _handouts().load_handout(name)
        now = utcnow()
        with self.db.write() as session:
            patient = self._patient(session, patient_id) if patient_id is not None else None
            details = {
                "handout": handout.name,
                "title": handout.title,
                "version": handout.version,
                "sha256": rendered.sha256,
                "large_print": large_print,
            }
            who = f" for {patient.record_number}" if patient else " (blank)"
            self.audit(
                session,
                "print_handout",
                "handout",
                None,
                patient_id=patient.id if patient else None,
                summary=f"handout {handout.name} v{handout.version}{who}",
                details=details,
            )
            if patient is not None:
                episode = self._latest_episode(session, patient.id)
                if episode is not None:
                    self._record(
                        session,
                        episode,
                        document_kind=HANDOUT,
                        title=f"Handout: {handout.title} (version {handout.version})",
                        pdf=rendered.pdf,
                        parameters={**details, "patient_id": patient.id},
                        created_at=now,
                    )
            return HandoutPrint(
                at=now,
                handout=handout.name,
                title=handout.title,
                version=handout.version,
                patient_id=patient.id if patient else None,
                record_number=patient.record_number if patient else None,
                patient_name=patient.display_name if patient else None,
                printed_by=self.actor.display_name,
                large_print=large_print,
            )

    def print_handout(
        self,
        name: str,
        patient_id: int | None = None,
        *,
        large_print: bool = False,
        page_size: str | None = None,
    ) -> tuple[GeneratedPdf, HandoutPrint]:
        """Render a handout and record the print in one call (the command line)."""
        with covered_reads():  # the print's own audit event covers the rendering
            rendered = self.render_handout(
                name, patient_id, large_print=large_print, page_size=page_size
            )
        return rendered, self.record_handout(name, patient_id, rendered, large_print=large_print)

    def handout_history(
        self, patient_id: int | None = None, *, limit: int = 200
    ) -> list[HandoutPrint]:
        """Printed handouts, newest first; for one patient or for the clinic."""
        self.require(ALL_ROLES, "see which handouts were given")
        with self.db.read() as session:
            stmt = select(AuditEvent).where(AuditEvent.action == "print_handout")
            if patient_id is not None:
                stmt = stmt.where(AuditEvent.patient_id == patient_id)
            stmt = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
            rows = list(session.scalars(stmt))
            people: dict[int, Patient | None] = {}
            users: dict[int | None, User | None] = {}
            result = []
            for row in rows:
                patient = None
                if row.patient_id is not None:
                    if row.patient_id not in people:
                        people[row.patient_id] = session.get(Patient, row.patient_id)
                    patient = people[row.patient_id]
                if row.user_id not in users:
                    users[row.user_id] = session.get(User, row.user_id)
                user = users[row.user_id]
                d = row.details or {}
                result.append(
                    HandoutPrint(
                        at=row.at,
                        handout=d.get("handout", ""),
                        title=d.get("title", ""),
                        version=d.get("version", ""),
                        patient_id=row.patient_id,
                        record_number=patient.record_number if patient else None,
                        patient_name=patient.display_name if patient else None,
                        printed_by=user.display_name if user else "?",
                        large_print=bool(d.get("large_print")),
                    )
                )
        self.audit_read(
            "handout.history",
            "patient" if patient_id is not None else "clinic",
            patient_id,
            patient_id=patient_id,
            summary=f"looked at {len(result)} printed handouts",
        )
        return result

    # -- lookups ----------------------------------------------------------------------------------

    def _episode(self, session: Session, episode_id: int) -> Episode:
        episode = session.get(Episode, episode_id)
        if episode is None:
            raise NotFound(f"No episode with id {episode_id}.")
        return episode

    def _patient(self, session: Session, patient_id: int) -> Patient:
        patient = session.get(Patient, patient_id)
        if patient is None:
            raise NotFound(f"No patient with id {patient_id}.")
        return patient

    def _patient_info(self, session: Session, patient_id: int) -> report_content.PatientInfo:
        p = self._patient(session, patient_id)
        return _report_shapes().PatientInfo.of(p)

    @staticmethod
    def _latest_episode(session: Session, patient_id: int) -> Episode | None:
        """Open episodes first, then the most recent onset: the one a document belongs to."""
        return session.scalar(
            select(Episode)
            .where(Episode.patient_id == patient_id)
            .order_by(
                case((Episode.status == "open", 0), else_=1),
                Episode.onset_date.desc().nulls_last(),
                Episode.id.desc(),
            )
            .limit(1)
        )

    def is_episode_of(self, episode_id: int, patient_id: int) -> bool:
        """Whether ``episode_id`` is one of this patient's episodes (for --episode)."""
        self.require(CLINICAL_ROLES, "choose an episode of care")
        with self.db.read() as session:
            episode = session.get(Episode, episode_id)
            return episode is not None and episode.patient_id == patient_id

    def latest_episode_id(self, patient_id: int) -> int | None:
        """The episode a letter or care plan for this patient is about by default."""
        self.require(ALL_ROLES, "look up patients")
        with self.db.read() as session:
            self._patient(session, patient_id)
            episode = self._latest_episode(session, patient_id)
            return episode.id if episode else None


def save_pdf(path: str | os.PathLike[str], data: bytes) -> None:
    """Write a PDF to a temporary file beside ``path``, then rename it into place.

    A failure (disk full, folder not writable) leaves no partial file and raises
    a UserError that says what happened.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise UserError(f"Could not write {path}: {exc.strerror or exc}.") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise UserError(f"Could not write {path}: {exc.strerror or exc}.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _file_mode(path: Path) -> int:
    """The existing file's mode, else the usual mode for a new file (mkstemp uses 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _check_kind(kind: str) -> None:
    if kind not in LETTER_KINDS:
        raise ValidationError(
            {"kind": f"unknown letter kind {kind!r}; choose one of: " + ", ".join(LETTER_KINDS)}
        )


def _check_page_size(page_size: str | None) -> None:
    if page_size is not None and page_size not in PAGE_SIZES:
        raise ValidationError({"page_size": "must be A4 or Letter"})


def _diff_details(diff: Mapping[str, tuple[Any, Any]]) -> dict[str, Any]:
    def show(value: Any) -> Any:
        if isinstance(value, bytes | bytearray):
            return {"image_sha256": sha256(bytes(value)), "bytes": len(value)}
        return value

    return {
        "before": {k: show(v[0]) for k, v in diff.items()},
        "after": {k: show(v[1]) for k, v in diff.items()},
    }
