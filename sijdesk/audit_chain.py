"""The audit trail's seal: an HMAC-SHA-256 chain under a key kept outside the database.

Each audit event's ``mac`` is HMAC-SHA-256(key, previous mac + the event in a
canonical form). The first event chains to a value derived from the clinic's
uid, and the one-row ``audit_head`` table carries the newest event's id and
mac under a MAC of its own. So with the key:

- editing an event changes its content and its mac no longer matches;
- deleting, inserting or reordering events breaks the consecutive ids or the
  link to the previous mac;
- deleting events from the end disagrees with the head;
- rewriting macs (or the head) from inside the database file alone is
  impossible without the key, which is not in the file.

The key lives in a small file beside the SQLite file (``clinic.sqlite3.auditkey``)
or, for a server database, in the data folder under ``audit-keys``. Losing it
does not lose any record, but the chain can then no longer be verified; the
key file is included in encrypted backups for that reason.

Qt-free and used by the services, the demo, ``sijdesk check`` and backups.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from sijdesk.durable import write_durably
from sijdesk.errors import EnvironmentProblem
from sijdesk.models import AuditEvent, AuditHead, ClinicSettings, utcnow

log = logging.getLogger(__name__)

KEY_FILE_FORMAT = 1
KEY_SUFFIX = ".auditkey"
_HEAD_INFO = "sijdesk.audit_head"
_SEALING = "sijdesk.sealing_legacy_events"


class AuditKeyProblem(EnvironmentProblem):
    """The audit key is missing or belongs to another database."""


# -- the key -----------------------------------------------------------------


# A server clinic's key lives on each workstation (never on the server, whose
# administrator could otherwise rewrite the trail and its seals together).
MISSING_ON_WORKSTATION = (
    "This computer does not have the clinic's audit key yet, so it cannot add to the audit "
    "trail. On a computer that already opens the clinic, an administrator runs "
    "`sijdesk audit-key export -o FILE`; copy that file here and run "
    "`sijdesk audit-key import FILE`."
)


def key_path_for(database_path: Path | None, clinic_uid: str) -> Path:
    """Where the audit key of this database is kept."""
    if database_path is not None:
        return database_path.with_name(database_path.name + KEY_SUFFIX)
    from sijdesk.paths import data_dir

    return data_dir() / "audit-keys" / f"{clinic_uid}.key"


def fingerprint(key: bytes) -> str:
    """Names a key without revealing it (stored in the head, shown by check)."""
    return hashlib.sha256(b"sijdesk-audit-key|" + key).hexdigest()[:32]


def write_key_file(path: Path, clinic_uid: str, key: bytes) -> None:
    """Write the key durably (temp file, fsync, rename) and readable only by its owner."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(
        {
            "format": KEY_FILE_FORMAT,
            "clinic_uid": clinic_uid,
            "key": base64.b64encode(key).decode("ascii"),
            "note": "SIJ Desk audit key. Keep it with the database and in its backups; "
            "without it the audit trail cannot be verified.",
        },
        indent=1,
    ).encode("utf-8")
    write_durably(path, [payload], mode=0o600)


def read_key_file(path: Path, clinic_uid: str | None) -> bytes:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = base64.b64decode(data["key"], validate=True)
        owner = data.get("clinic_uid")
    except FileNotFoundError:
        raise AuditKeyProblem(
            f"The audit key file {path} is missing, so the audit trail cannot be checked or "
            "continued. Put back the key file from the clinic's backup."
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AuditKeyProblem(f"The audit key file {path} cannot be read ({exc}).") from exc
    if len(key) != 32:
        raise AuditKeyProblem(f"The audit key file {path} is damaged.")
    if clinic_uid is not None and owner != clinic_uid:
        raise AuditKeyProblem(
            f"The audit key file {path} belongs to another clinic database. "
            "Put back this database's own key file."
        )
    return key


# -- sealing -----------------------------------------------------------------


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """The details exactly as the JSON column gives them back, so the mac matches after reading."""
    return json.loads(json.dumps(details or {}, default=str, ensure_ascii=False))


def canonical(event_row: Any) -> bytes:
    """The event as the mac covers it: every field but the mac, in a fixed form."""
    fields = [
        event_row.id,
        _at_text(event_row.at),
        event_row.user_id,
        event_row.action,
        event_row.entity,
        event_row.entity_id,
        event_row.patient_id,
        event_row.summary or "",
        event_row.details or {},
    ]
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def genesis_mac(key: bytes, clinic_uid: str) -> str:
    return _mac(key, b"genesis|" + clinic_uid.encode("utf-8"))


def event_mac(key: bytes, previous_mac: str, event_row: AuditEvent | SimpleNamespace) -> str:
    return _mac(key, previous_mac.encode("ascii") + b"\n" + canonical(event_row))


def head_mac(key: bytes, last_event_id: int, last_mac: str) -> str:
    return _mac(key, f"head|{last_event_id}|{last_mac}".encode("ascii"))


@dataclass
class AuditChain:
    """Appends audit events to one database's chain. Held by :class:`Database`."""

    key: bytes
    clinic_uid: str

    def append(self, session: Session, event_row: AuditEvent) -> AuditEvent:
        """Give ``event_row`` the next id and its mac, move the head, add it to the session.

        Call inside a write transaction: on SQLite ``BEGIN IMMEDIATE`` already
        serialises writers; elsewhere the head row is locked FOR UPDATE.
        """
        head = self._head(session)
        if event_row.at is None:
            event_row.at = utcnow()
        event_row.summary = event_row.summary or ""
        event_row.details = normalise_details(event_row.details)
        event_row.id = head.last_event_id + 1
        event_row.mac = event_mac(self.key, head.last_mac, event_row)
        head.last_event_id = event_row.id
        head.last_mac = event_row.mac
        head.mac = head_mac(self.key, head.last_event_id, head.last_mac)
        session.add(event_row)
        return event_row

    def _head(self, session: Session) -> AuditHead:
        head = session.info.get(_HEAD_INFO)
        if head is None:
            head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
            if head is None:
                raise AuditKeyProblem(
                    "The audit trail of this database has no head record; run `sijdesk check`."
                )
            session.info[_HEAD_INFO] = head
        return head

    def seal_rows(self, session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Seal plain row dicts for a bulk ``insert(AuditEvent.__table__)`` in this session."""
        head = self._head(session)
        for row in rows:
            row.setdefault("at", utcnow())
            row["summary"] = row.get("summary") or ""
            row["details"] = normalise_details(row.get("details"))
            row.setdefault("entity_id", None)
            row.setdefault("patient_id", None)
            row["id"] = head.last_event_id + 1
            row["mac"] = event_mac(self.key, head.last_mac, SimpleNamespace(**row))
            head.last_event_id = row["id"]
            head.last_mac = row["mac"]
        head.mac = head_mac(self.key, head.last_event_id, head.last_mac)
        return rows


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    session.info.pop(_HEAD_INFO, None)
    session.info.pop(_SEALING, None)


@event.listens_for(Session, "before_flush")
def _refuse_unsealed_or_changed_events(session: Session, _context, _instances) -> None:
    # The trail is append-only and every event is sealed; a code path that
    # forgot the chain must fail loudly here, not write an unsealed row.
    if session.info.get(_SEALING):
        return
    for row in session.new:
        if isinstance(row, AuditEvent) and row.mac is None:
            raise RuntimeError("audit events must be added through AuditChain.append")
    for row in session.deleted:
        if isinstance(row, AuditEvent):
            raise RuntimeError("audit events are never deleted")
    for row in session.dirty:
        if isinstance(row, AuditEvent) and session.is_modified(row):
            raise RuntimeError("audit events are never changed")


# -- opening: create or seal the chain -------------------------------------------


def open_chain(session: Session, database_path: Path | None) -> AuditChain:
    """Load this database's chain, creating the key and head the first time.

    The first time (a new database, or one written before the chain existed)
    the key file is written durably *before* the head is committed, so a crash
    in between leaves a key and no head, which the next open simply seals again.
    """
    settings = session.get(ClinicSettings, 1)
    if settings is None:
        raise EnvironmentProblem("The clinic settings record is missing; run `sijdesk check`.")
    if not settings.clinic_uid:
        settings.clinic_uid = str(uuid.uuid4())
    uid = settings.clinic_uid
    path = key_path_for(database_path, uid)
    head = session.get(AuditHead, 1)
    if head is not None:
        if database_path is None and not path.exists():
            raise AuditKeyProblem(MISSING_ON_WORKSTATION)
        key = read_key_file(path, uid)
        if fingerprint(key) != head.key_fingerprint:
            raise AuditKeyProblem(
                f"The audit key file {path} does not belong to this database's audit trail."
            )
        return AuditChain(key, uid)

    already_sealed = session.scalar(select(func.count()).where(AuditEvent.mac.is_not(None)))
    if already_sealed:
        # Sealed events without a head: the head was removed. Never reseal over that.
        raise AuditKeyProblem(
            "The audit trail's head record is missing, so the trail may have been tampered "
            "with. Run `sijdesk check` and restore a backup."
        )
    if path.exists():
        key = read_key_file(path, uid)
    else:
        key = secrets.token_bytes(32)
        try:
            write_key_file(path, uid, key)
        except OSError as exc:
            raise EnvironmentProblem(
                f"Could not write the audit key file {path} ({exc.strerror or exc})."
            ) from exc
    # The one time existing rows are touched: sealing events written before the chain.
    session.info[_SEALING] = True
    previous = genesis_mac(key, uid)
    last_id = 0
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    for row in rows:
        if row.id != last_id + 1:
            raise EnvironmentProblem(
                "The audit trail has gaps from before it was sealed; contact support."
            )
        row.details = normalise_details(row.details)
        row.summary = row.summary or ""
        previous = row.mac = event_mac(key, previous, row)
        last_id = row.id
    if rows:
        log.info("sealed %d existing audit events into the chain", len(rows))
    session.add(
        AuditHead(
            id=1,
            last_event_id=last_id,
            last_mac=previous,
            mac=head_mac(key, last_id, previous),
            key_fingerprint=fingerprint(key),
        )
    )
    return AuditChain(key, uid)


def install_key(session: Session, database_path: Path | None, source: Path) -> Path:
    """Put the key file ``source`` where this database's key belongs on this computer.

    Only the key the trail was sealed with is accepted (its fingerprint is in the
    head), so a wrong or another clinic's key can never be installed.
    """
    settings = session.get(ClinicSettings, 1)
    head = session.get(AuditHead, 1)
    if settings is None or not settings.clinic_uid or head is None:
        raise AuditKeyProblem("This database has no audit trail to install a key for.")
    uid = settings.clinic_uid
    key = read_key_file(source, uid)
    if fingerprint(key) != head.key_fingerprint:
        raise AuditKeyProblem(
            f"The key in {source} is not the one this audit trail was sealed with."
        )
    target = key_path_for(database_path, uid)
    try:
        write_key_file(target, uid, key)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Could not write the audit key file {target} ({exc.strerror or exc})."
        ) from exc
    return target


# -- verifying -------------------------------------------------------------------


@dataclass
class ChainReport:
    ok: bool
    events_checked: int = 0
    first_broken_event: int | None = None
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.ok:
            return (
                f"audit chain intact: {self.events_checked} events, each sealed to the one before"
            )
        return "audit chain BROKEN: " + "; ".join(self.problems)


def verify(session: Session, database_path: Path | None) -> ChainReport:
    """Check every event's seal, the consecutive ids and the head. Reads only."""
    settings = session.get(ClinicSettings, 1)
    if settings is None or not settings.clinic_uid:
        return ChainReport(False, problems=["the clinic settings record or its uid is missing"])
    uid = settings.clinic_uid
    try:
        key = read_key_file(key_path_for(database_path, uid), uid)
    except AuditKeyProblem as exc:
        return ChainReport(False, problems=[str(exc)])
    head = session.get(AuditHead, 1)
    if head is None:
        return ChainReport(False, problems=["the audit head record is missing"])
    report = ChainReport(True)
    if fingerprint(key) != head.key_fingerprint:
        report.ok = False
        report.problems.append("the audit key does not match the one the trail was sealed with")
        return report

    def broken(event_id: int | None, problem: str) -> None:
        if report.ok:
            report.first_broken_event = event_id
        report.ok = False
        report.problems.append(problem)

    previous = genesis_mac(key, uid)
    expected_id = 1
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=2000)
    )
    for row in rows.scalars():
        report.events_checked += 1
        if row.id != expected_id:
            if row.id > expected_id:
                missing = (
                    f"event {expected_id}"
                    if row.id == expected_id + 1
                    else f"events {expected_id} to {row.id - 1}"
                )
                broken(expected_id, f"{missing} missing (deleted) before event {row.id}")
            else:
                broken(row.id, f"event {row.id} is out of order")
            expected_id = row.id
        if row.mac is None or not hmac.compare_digest(row.mac, event_mac(key, previous, row)):
            if report.ok or len(report.problems) < 5:
                broken(
                    row.id,
                    f"event {row.id} ({row.action} at {_at_text(row.at) if row.at else '?'}) "
                    "does not match its seal: it was edited, inserted or moved",
                )
        previous = row.mac or ""
        expected_id += 1
        if not report.ok and len(report.problems) >= 5:
            break
    else:
        last_id = expected_id - 1
        if not hmac.compare_digest(head.mac, head_mac(key, head.last_event_id, head.last_mac)):
            broken(head.last_event_id, "the audit head record was altered")
        elif head.last_event_id != last_id or head.last_mac != previous:
            if head.last_event_id > last_id:
                broken(
                    last_id + 1,
                    f"events {last_id + 1} to {head.last_event_id} were removed from the end",
                )
            else:
                broken(
                    head.last_event_id + 1,
                    f"events after {head.last_event_id} were added without the key",
                )
    return report
