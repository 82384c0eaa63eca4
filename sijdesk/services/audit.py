"""The administrator's view of the audit trail: filtered events, CSV export, chain check."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select

from sijdesk.audit_chain import ChainReport, write_key_file
from sijdesk.audit_chain import verify as verify_chain
from sijdesk.errors import EnvironmentProblem, ValidationError
from sijdesk.models import AuditEvent, Patient, User
from sijdesk.services.context import ADMIN_ROLES, ServiceBase

CSV_COLUMNS = (
    "id",
    "at_utc",
    "username",
    "action",
    "entity",
    "entity_id",
    "patient_id",
    "record_number",
    "summary",
    "details",
)


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show or export; every part optional. Dates are inclusive."""

    username: str | None = None
    patient_record_number: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    def described(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    action: str
    entity: str
    entity_id: int | None
    patient_id: int | None
    record_number: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


class AuditService(ServiceBase):
    log_name = "audit"

    def _query(self, session, filters: AuditFilter) -> Select:
        if filters.since and filters.until and filters.since > filters.until:
            raise ValidationError({"until": "must be on or after the start date"})
        query = (
            select(AuditEvent, User.username, Patient.record_number)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .outerjoin(Patient, Patient.id == AuditEvent.patient_id)
        )
        if filters.username:
            query = query.where(User.username == filters.username.strip().lower())
        if filters.patient_record_number:
            query = query.where(Patient.record_number == filters.patient_record_number.strip())
        if filters.action:
            action = filters.action.strip()
            # "signin" also finds "signin.failed": actions are dotted families.
            query = query.where(
                (AuditEvent.action == action) | AuditEvent.action.like(f"{action}.%")
            )
        if filters.since:
            query = query.where(AuditEvent.at >= datetime.combine(filters.since, time(), UTC))
        if filters.until:
            end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
            query = query.where(AuditEvent.at < end)
        return query

    def events(
        self, filters: AuditFilter | None = None, *, offset: int = 0, limit: int = 200
    ) -> list[AuditRow]:
        """Newest first."""
        self.require(ADMIN_ROLES, "read the audit trail")
        filters = filters or AuditFilter()
        with self.db.read() as session:
            query = self._query(session, filters).order_by(AuditEvent.id.desc())
            rows = session.execute(query.offset(max(0, offset)).limit(max(1, min(limit, 5000))))
            result = [_row(e, u, r) for e, u, r in rows]
        if offset == 0:
            self.audit_read("audit.view", "audit_event", None, details=filters.described())
        return result

    def count(self, filters: AuditFilter | None = None) -> int:
        self.require(ADMIN_ROLES, "read the audit trail")
        with self.db.read() as session:
            query = self._query(session, filters or AuditFilter()).subquery()
            return session.scalar(select(func.count()).select_from(query)) or 0

    def actions(self) -> list[str]:
        self.require(ADMIN_ROLES, "read the audit trail")
        with self.db.read() as session:
            return list(
                session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
            )

    def export_csv(self, path: str | os.PathLike[str], filters: AuditFilter | None = None) -> int:
        """Write the filtered events (oldest first) to ``path``; returns how many.

        Written to a temporary file in the same folder and renamed, so a
        failed export never leaves half a file under the chosen name.
        """
        self.require(ADMIN_ROLES, "export the audit trail")
        filters = filters or AuditFilter()
        target = Path(path)
        count = 0
        try:
            handle = tempfile.NamedTemporaryFile(
                "w",
                newline="",
                encoding="utf-8",
                dir=target.parent,
                prefix=".audit-",
                suffix=".csv",
                delete=False,
            )
        except OSError as exc:
            raise EnvironmentProblem(
                f"Cannot write to {target.parent} ({exc.strerror or exc})."
            ) from exc
        try:
            with handle:
                writer = csv.writer(handle)
                writer.writerow(CSV_COLUMNS)
                with self.db.read() as session:
                    query = self._query(session, filters).order_by(AuditEvent.id)
                    for event_row, username, record_number in session.execute(
                        query.execution_options(yield_per=2000)
                    ):
                        row = _row(event_row, username, record_number)
                        writer.writerow(
                            [
                                row.id,
                                row.at.isoformat(),
                                row.username,
                                row.action,
                                row.entity,
                                "" if row.entity_id is None else row.entity_id,
                                "" if row.patient_id is None else row.patient_id,
                                row.record_number,
                                _safe_cell(row.summary),
                                json.dumps(row.details, sort_keys=True, ensure_ascii=False),
                            ]
                        )
                        count += 1
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, target)
        except OSError as exc:
            Path(handle.name).unlink(missing_ok=True)
            raise EnvironmentProblem(
                f"The audit export could not be written ({exc.strerror or exc})."
            ) from exc
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        with self.db.write() as session:
            self.audit(
                session,
                "export",
                "audit_event",
                None,
                summary=f"audit CSV, {count} events",
                details={"filters": filters.described(), "events": count, "file": target.name},
            )
        return count

    def export_key(self, path: str | os.PathLike[str]) -> Path:
        """Write the audit key to a file for another workstation (administrators).

        The file lets a computer add to and check the trail; it shows no records."""
        self.require(ADMIN_ROLES, "export the audit key")
        chain = self.db.audit_chain
        target = Path(path).expanduser().resolve()
        try:
            write_key_file(target, chain.clinic_uid, chain.key)
        except OSError as exc:
            raise EnvironmentProblem(
                f"Could not write the audit key to {target} ({exc.strerror or exc})."
            ) from exc
        with self.db.write() as session:
            self.audit(
                session,
                "audit_key.export",
                "clinic",
                None,
                summary="audit key exported for another workstation",
                details={"file": target.name},
            )
        return target

    def verify(self) -> ChainReport:
        """Check the whole chain with the key; the check itself is audited."""
        self.require(ADMIN_ROLES, "check the audit trail")
        with self.db.read() as session:
            report = verify_chain(session, self.db.path)
        with self.db.write() as session:
            self.audit(
                session,
                "audit.verify",
                "audit_event",
                report.first_broken_event,
                summary="audit chain intact" if report.ok else "audit chain broken",
                details={"ok": report.ok, "events": report.events_checked},
            )
        return report


def _safe_cell(text: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ (or a tab or CR) as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _row(event_row: AuditEvent, username: str | None, record_number: str | None) -> AuditRow:
    at = event_row.at if event_row.at.tzinfo else event_row.at.replace(tzinfo=UTC)
    details = dict(event_row.details or {})
    if username is None and event_row.user_id is None:
        username = "(" + str(details.get("username", "nobody")) + ")"
    return AuditRow(
        event_row.id,
        at,
        username or "",
        event_row.action,
        event_row.entity,
        event_row.entity_id,
        event_row.patient_id,
        record_number or "",
        event_row.summary or "",
        details,
    )
