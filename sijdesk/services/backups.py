"""Backups of the signed-in clinic's database (see :mod:`sijdesk.backup` for the file).

Automatic backups run on close and, while changes happen, at most every
``backup_interval_minutes``; any signed-in user's window makes them. Manual
backups, encryption and the backup settings are the administrator's. Every
backup is recorded in the audit trail once it has been verified, which is
also where the status bar learns when the last verified backup was made.

Restoring replaces the whole database and so is not a method of a signed-in
clinic: :func:`restore_clinic` is called with every connection closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from sijdesk import backup as backup_file
from sijdesk.errors import EnvironmentProblem, NotFound, UserError
from sijdesk.models import AuditEvent, ClinicSettings, utcnow
from sijdesk.services.context import ADMIN_ROLES, ALL_ROLES, ServiceBase

log = logging.getLogger(__name__)

# Audit actions that record reads or sessions, not changes: they never make a
# backup due (every other action is a change to the record, users or settings).
NOT_CHANGES = (
    "patient.search",
    "patient.view",
    "episode.view",
    "episode.list",
    "timeline.view",
    "pathway.facts",
    "pathway.alerts",
    "advice.shown",
    "document.draft",
    "document.preview",
    "document.open",
    "document.list",
    "handout.preview",
    "handout.history",
    "audit.",
    "signin",
    "signout",
    "lock",
    "unlock",
    "backup",
    "export",
    "save",
    "work.discarded",
    "password.change.failed",
)
STALE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class BackupStatus:
    last_verified_at: datetime | None
    last_file: str
    folder: Path

    def is_stale(self, now: datetime | None = None) -> bool:
        moment = now or datetime.now(UTC)
        return self.last_verified_at is None or moment - self.last_verified_at > STALE_AFTER

    def text(self, now: datetime | None = None) -> str:
        if self.last_verified_at is None:
            return "No verified backup yet"
        return f"Last verified backup {backup_file.age_text(self.last_verified_at, now)}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class BackupService(ServiceBase):
    log_name = "backups"

    def _settings(self, session) -> ClinicSettings:
        settings = session.get(ClinicSettings, 1)
        if settings is None:
            raise NotFound("The clinic settings record is missing from this database.")
        return settings

    def _database_path(self) -> Path:
        if self.db.path is None:
            raise UserError("Backups here are of SQLite database files only.")
        return self.db.path

    def folder(self) -> Path:
        """Where backups go: the clinic's setting, else ``backups`` in the data folder."""
        self.require(ALL_ROLES, "see the backups")
        with self.db.read() as session:
            configured = self._settings(session).backup_folder
        if configured:
            return Path(configured).expanduser()
        from sijdesk.paths import backup_dir

        return backup_dir()

    def status(self) -> BackupStatus:
        """When the last verified backup was made (from the audit trail)."""
        self.require(ALL_ROLES, "see the backups")
        folder = self.folder()
        with self.db.read() as session:
            last = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "backup")
                .order_by(AuditEvent.id.desc())
                .limit(1)
            ).first()
            if last is None:
                return BackupStatus(None, "", folder)
            return BackupStatus(_aware(last.at), str(last.details.get("file", "")), folder)

    def changes_since_last_backup(self) -> bool:
        """Whether anything was written to the record since the last backup."""
        self.require(ALL_ROLES, "see the backups")
        with self.db.read() as session:
            last = session.scalar(
                select(func.max(AuditEvent.id)).where(AuditEvent.action == "backup")
            )
            stmt = select(func.count()).select_from(AuditEvent)
            if last is not None:
                stmt = stmt.where(AuditEvent.id > last)
            for prefix in NOT_CHANGES:
                stmt = stmt.where(~AuditEvent.action.startswith(prefix, autoescape=True))
            return bool(session.scalar(stmt))

    def back_up(
        self,
        *,
        kind: str = "manual",
        target: Path | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> backup_file.BackupInfo:
        """Make, verify and record a backup; automatic ones also prune older ones."""
        if kind == "auto":
            self.require(ALL_ROLES, "make the automatic backup")
        else:
            self.require(ADMIN_ROLES, "make backups")
        database = self._database_path()
        folder = self.folder() if target is None else Path(target).parent
        with self.db.read() as session:
            settings = self._settings(session)
            public = settings.backup_public_key
            sealed = settings.backup_sealed_private_key
            keep = (
                settings.backup_keep_daily,
                settings.backup_keep_weekly,
                settings.backup_keep_monthly,
            )
        try:
            info = backup_file.make_backup(
                database,
                folder,
                kind=kind,
                public_key=public,
                sealed_private_key=sealed,
                progress=progress,
                target=target,
            )
        except UserError as exc:
            with self.db.write() as session:
                self.audit(
                    session,
                    "backup.failed",
                    "database",
                    None,
                    summary="a backup failed",
                    details={"kind": kind, "reason": str(exc)[:300]},
                )
            raise
        pruned: list[Path] = []
        if kind == "auto":
            daily, weekly, monthly = keep
            pruned = backup_file.prune(folder, daily=daily, weekly=weekly, monthly=monthly)
        with self.db.write() as session:
            self.audit(
                session,
                "backup",
                "database",
                None,
                summary=f"{kind} backup verified",
                details={
                    "kind": kind,
                    "file": info.path.name,
                    "folder": str(info.path.parent),
                    "bytes": info.size,
                    "encrypted": info.encrypted,
                    "audit_events": info.audit_events,
                    "pruned": [p.name for p in pruned],
                },
            )
        return info

    def backups(self) -> list[tuple[datetime, str, Path]]:
        """The backups in the backup folder, newest first."""
        self.require(ADMIN_ROLES, "see the backups")
        return backup_file.list_backups(self.folder())

    def set_passphrase(self, passphrase: str) -> None:
        """Encrypt every backup from now on; the passphrase is needed to restore them."""
        self.require(ADMIN_ROLES, "set the backup passphrase")
        public, sealed = backup_file.new_encryption_keys(passphrase)
        with self.db.write() as session:
            settings = self._settings(session)
            replaced = settings.backup_public_key is not None
            settings.backup_public_key = public
            settings.backup_sealed_private_key = sealed
            settings.updated_at = utcnow()
            settings.updated_by_id = self.actor.id
            self.audit(
                session,
                "settings.backup_encryption",
                "clinic_settings",
                1,
                summary="backup passphrase changed" if replaced else "backups encrypted",
                details={"encrypted": True},
            )

    def stop_encrypting(self) -> None:
        self.require(ADMIN_ROLES, "change backup encryption")
        with self.db.write() as session:
            settings = self._settings(session)
            settings.backup_public_key = None
            settings.backup_sealed_private_key = None
            settings.updated_at = utcnow()
            settings.updated_by_id = self.actor.id
            self.audit(
                session,
                "settings.backup_encryption",
                "clinic_settings",
                1,
                summary="backups no longer encrypted",
                details={"encrypted": False},
            )

    def encryption_keys(self) -> tuple[bytes | None, dict | None]:
        """For the pre-restore backup: encrypted like every other backup."""
        self.require(ADMIN_ROLES, "restore backups")
        with self.db.read() as session:
            settings = self._settings(session)
            return settings.backup_public_key, settings.backup_sealed_private_key


def restore_clinic(
    database: Path,
    backup: Path,
    *,
    passphrase: str | None = None,
    restored_by: str | None = None,
    pre_restore_keys: tuple[bytes | None, dict | None] = (None, None),
    pre_restore_folder: Path | None = None,
) -> backup_file.BackupInfo:
    """Replace the closed database at ``database`` with ``backup`` and record it there.

    The caller has signed in as an administrator of the current database
    (or it could not be opened at all) and closed every connection to it.
    """
    from sijdesk.db.migrate import open_database
    from sijdesk.models import User
    from sijdesk.paths import backup_dir
    from sijdesk.services.context import record_event

    folder = pre_restore_folder or backup_dir()
    info = backup_file.restore_backup(
        Path(backup),
        Path(database),
        passphrase=passphrase,
        pre_restore_folder=folder,
        pre_restore_keys=pre_restore_keys,
    )
    db = open_database(str(database))
    try:
        with db.write() as session:
            user_id = None
            if restored_by:
                user_id = session.scalar(select(User.id).where(User.username == restored_by))
            record_event(
                db,
                session,
                user_id,
                "restore",
                "database",
                None,
                summary=f"restored from a backup of {info.created_at:%Y-%m-%d %H:%M} UTC",
                details={
                    "file": Path(backup).name,
                    "kind": info.kind,
                    "backup_created_at": info.created_at.isoformat(),
                    "by": restored_by or "",
                },
            )
    except EnvironmentProblem:
        raise
    finally:
        db.dispose()
    return info
