"""Where SIJ Desk keeps its files (platformdirs), overridable for tests."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "SIJDesk"
APP_AUTHOR = "SIJDesk"
DATABASE_FILE_NAME = "clinic.sqlite3"


def data_folder() -> Path:
    """The per-user data folder, without creating it; ``SIJDESK_HOME`` overrides it
    (tests, portable installs)."""
    override = os.environ.get("SIJDESK_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def data_dir() -> Path:
    """The per-user data folder, created when missing."""
    path = data_folder()
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / DATABASE_FILE_NAME


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    return log_dir() / "sijdesk.log"


def backup_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
