"""Clinic-wide settings: the safety settings every window needs (the idle lock,
automatic backups, whether this is a demo clinic), and the numbers of the
follow-up list and the outcome report (their services read those). Any
signed-in user reads them; only an administrator changes them, audited with the
values before and after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from sijdesk.errors import NotFound, ValidationError
from sijdesk.models import ClinicSettings, utcnow
from sijdesk.services.context import ADMIN_ROLES, ALL_ROLES, ServiceBase
from sijdesk.validation import Checker

# name: (lowest, highest, unit in messages)
LIMITS = {
    "idle_lock_minutes": (1, 240, " minutes"),
    "backup_interval_minutes": (5, 24 * 60, " minutes"),
    "backup_keep_daily": (1, 366, ""),
    "backup_keep_weekly": (0, 520, ""),
    "backup_keep_monthly": (0, 600, ""),
    # The follow-up list (services/due.py): due after this many weeks.
    "due_outcome_weeks": (1, 52, " weeks"),
    "due_relief_weeks": (1, 26, " weeks"),
    "due_referral_weeks": (1, 52, " weeks"),
    # The outcome report hides counts below this; under 2 would hide nothing.
    "report_min_cell": (2, 20, ""),
}


@dataclass(frozen=True)
class SafetySettings:
    is_demo: bool
    idle_lock_minutes: int
    # Empty: the "backups" folder in SIJ Desk's data folder.
    backup_folder: str = ""
    backup_interval_minutes: int = 30
    backup_keep_daily: int = 12
    backup_keep_weekly: int = 10
    backup_keep_monthly: int = 9
    backups_encrypted: bool = False


def _view(settings: ClinicSettings) -> SafetySettings:
    return SafetySettings(
        bool(settings.is_demo),
        settings.idle_lock_minutes or 10,
        settings.backup_folder or "",
        settings.backup_interval_minutes or 30,
        settings.backup_keep_daily if settings.backup_keep_daily is not None else 12,
        settings.backup_keep_weekly if settings.backup_keep_weekly is not None else 10,
        settings.backup_keep_monthly if settings.backup_keep_monthly is not None else 9,
        settings.backup_public_key is not None,
    )


class SettingsService(ServiceBase):
    log_name = "settings"

    def get(self) -> SafetySettings:
        self.require(ALL_ROLES, "read the clinic settings")
        with self.db.read() as session:
            return _view(self._settings(session))

    def update(self, changes: Mapping[str, Any]) -> SafetySettings:
        self.require(ADMIN_ROLES, "change the clinic settings")
        unknown = [k for k in changes if k not in (*LIMITS, "backup_folder")]
        if unknown:
            raise ValidationError({k: "is not a setting" for k in unknown})
        checker = Checker(dict(changes), today=self.today())
        for key, (low, high, unit) in LIMITS.items():
            if key in changes:
                checker.integer(key, low, high, required=True, unit=unit)
        if "backup_folder" in changes:
            folder = changes["backup_folder"]
            if folder is not None and not isinstance(folder, str):
                checker.fail("backup_folder", "must be a folder path")
            elif folder and ("\x00" in folder or len(folder) > 1000):
                checker.fail("backup_folder", "is not a usable folder path")
            else:
                checker.clean["backup_folder"] = (folder or "").strip()
        checker.raise_if_errors()
        clean = {k: checker.clean[k] for k in changes}
        with self.db.write() as session:
            settings = self._settings(session)
            before = {k: getattr(settings, k) for k in clean}
            for key, value in clean.items():
                setattr(settings, key, value)
            settings.updated_at = utcnow()
            settings.updated_by_id = self.actor.id
            self.audit(
                session,
                "settings.update",
                "clinic_settings",
                1,
                summary="clinic settings: " + ", ".join(sorted(clean)),
                details={"before": before, "after": clean},
            )
            return _view(settings)

    def changes_elsewhere(self, since: int | None) -> tuple[int, bool]:
        """The clinic's change counter now, and whether another workstation (or
        another program) saved a change after ``since`` (None: only the counter).

        Shows nothing of the records, so it is not audited.
        """
        self.require(ALL_ROLES, "look for changes")
        with self.db.read() as session:
            now = session.execute(
                select(ClinicSettings.data_version).where(ClinicSettings.id == 1)
            ).scalar_one()
        own = self.db.own_changes
        if since is None:
            own.difference_update({v for v in own if v <= now})
            return now, False
        # A counter that went back: the database was restored or replaced.
        elsewhere = now < since or any(v not in own for v in range(since + 1, now + 1))
        own.difference_update({v for v in own if v <= now})
        return now, elsewhere

    @staticmethod
    def _settings(session) -> ClinicSettings:
        settings = session.get(ClinicSettings, 1)
        if settings is None:
            raise NotFound("The clinic settings record is missing from this database.")
        return settings
