"""Checks before a SQLite clinic database is opened, each failure one plain sentence.

Run by :func:`sijdesk.db.migrate.open_database` before anything is written:
a missing folder, a database on a network file system (SQLite's locking does
not work there and files get damaged), a read-only file or folder, and a
damaged file (``quick_check`` and ``foreign_key_check``). Nothing is
created, changed or overwritten when a check fails.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from urllib.parse import quote

from sijdesk.errors import EnvironmentProblem

# Linux file system types that are not on this computer's own disks.
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "fuse.sshfs", "davfs", "ceph"}
)


class DatabaseDamaged(EnvironmentProblem):
    """The file exists but SQLite finds it damaged; a backup should be restored."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


def file_system_type(path: Path) -> str:
    """The type of the file system holding ``path`` ("" when it cannot be told)."""
    if sys.platform.startswith("win"):
        text = str(path)
        return "smb" if text.startswith("\\\\") else ""
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    best, kind = "", ""
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


def check_location(path: Path) -> None:
    """Refuse a location SQLite cannot safely use; silent when all is well."""
    folder = path.parent
    if not folder.exists():
        raise EnvironmentProblem(
            f"The folder {folder} does not exist, so the clinic database cannot be opened "
            "there. Check the path, or connect the drive it is on."
        )
    kind = file_system_type(folder)
    if kind in NETWORK_FILE_SYSTEMS or kind.startswith("fuse.sshfs"):
        raise EnvironmentProblem(
            f"The clinic database is on a network drive ({kind}). SQLite databases get "
            "damaged on network drives; keep it on this computer's own disk (several "
            "workstations share a PostgreSQL server instead)."
        )
    if path.exists():
        if not path.is_file():
            raise EnvironmentProblem(f"{path} is a folder, not a clinic database file.")
        if not os.access(path, os.R_OK):
            raise EnvironmentProblem(
                f"The clinic database {path} cannot be read: ask the administrator for "
                "access to it."
            )
        if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
            raise EnvironmentProblem(
                "The clinic database or its folder is read-only here, so nothing could be "
                "saved. Ask the administrator for write access to the database file and its "
                "folder; nothing was changed."
            )
    elif not os.access(folder, os.W_OK):
        raise EnvironmentProblem(
            f"The folder {folder} is read-only, so a clinic database cannot be made there."
        )


# Checks started early (start_early_check), by file: when done, what the file was
# as the check ended and what it found (None: whole).
_early: dict[Path, Future[tuple[tuple[int, int, int], BaseException | None]]] = {}


def _identity(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    return status.st_ino, status.st_size, status.st_mtime_ns


def known_file(db_path: str | None, db_url: str | None) -> Path | None:
    """The SQLite file the clinic will be opened from, when that is certain without
    loading SQLAlchemy (a --db path, or no server named anywhere) and the file exists
    with something in it; else None (a server, a new clinic, or not yet known)."""
    if db_url or os.environ.get("SIJDESK_DATABASE_URL"):
        return None
    try:
        if db_path:
            if "://" in db_path:
                return None
            path = Path(db_path).expanduser().resolve()
        else:
            from sijdesk.paths import DATABASE_FILE_NAME, data_folder

            if (data_folder() / "workstation.json").exists():
                return None  # this computer may be told to use a server
            path = (data_folder() / DATABASE_FILE_NAME).resolve()
        return path if path.stat().st_size > 0 else None
    except OSError:
        return None


def start_early_check(db_path: str | None, db_url: str | None) -> None:
    """Begin check_file's reading on a thread now, while the window's libraries load
    and the user signs in: on a big clinic the check reads the whole file (about a
    second per 300 MB), and SQLite does it without holding Python's lock.

    Only for a file :func:`known_file` is sure of; check_file then takes the result if
    the file is still what it was when the check ended (same inode, size and
    modification time), else checks again. The file is taken as it is after the
    check's own connections closed: after a crash the last of them writes the
    journal's pages into the file, which is not a change made since the check.
    A failure here is left for check_file to find and report."""
    path = known_file(db_path, db_url)
    if path is None or path in _early:
        return
    future: Future[tuple[tuple[int, int, int], BaseException | None]] = Future()

    def check() -> None:
        found: BaseException | None = None
        try:
            _check_contents(path)
        except BaseException as exc:  # noqa: BLE001 - handed to check_file
            found = exc
        try:
            future.set_result((_identity(path), found))
        except OSError as exc:  # the file went: check_file finds out for itself
            future.set_exception(exc)

    _early[path] = future
    threading.Thread(target=check, name="sijdesk-early-check", daemon=True).start()


def check_file(path: Path) -> None:
    """quick_check and foreign_key_check of an existing database file."""
    if not path.exists():
        return
    early = _early.pop(path.resolve(), None)
    if early is not None and early.exception() is None:  # waits for the thread
        identity, found = early.result()
        if _identity(path) == identity:
            if found is not None:
                raise found
            return
    _check_contents(path)


def _check_contents(path: Path) -> None:
    if path.stat().st_size == 0:
        # Nothing to lose, but an emptied file must not silently become a new clinic.
        raise DatabaseDamaged(
            f"The clinic database {path.name} is empty (0 bytes). Restore the newest good "
            "backup; if this is a new installation, delete the empty file and start again.",
            path,
        )
    damaged = (
        f"The clinic database {path.name} is damaged ({{}}). Restore the newest good backup; "
        "the damaged file was not changed."
    )
    # Both checks read the whole file, each on a connection of its own: side by side
    # they take as long as the longer one (SQLite releases Python's lock meanwhile).
    references: Future[list] = Future()

    def check_references() -> None:
        try:
            references.set_result(_pragma(path, "foreign_key_check", damaged))
        except BaseException as exc:  # noqa: BLE001 - raised below, after quick_check
            references.set_exception(exc)

    threading.Thread(target=check_references, name="sijdesk-reference-check").start()
    try:
        result = [row[0] for row in _pragma(path, "quick_check", damaged)]
    finally:
        problems = references.exception() or references.result()  # waits for the thread
    if result != ["ok"]:
        raise DatabaseDamaged(damaged.format(result[0]), path)
    if isinstance(problems, BaseException):
        raise problems
    if problems:
        raise DatabaseDamaged(
            damaged.format(f"{len(problems)} records point at records that are missing"), path
        )


def _pragma(path: Path, pragma: str, damaged: str) -> list:
    """The rows of ``PRAGMA <pragma>`` read on a connection of its own, each failure as
    the plain sentence the window and the commands show."""
    try:
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise EnvironmentProblem(f"The clinic database cannot be opened ({exc}).") from exc
    try:
        return connection.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise EnvironmentProblem(
                "The clinic database is busy: another program is using it. Try again in a moment."
            ) from exc
        raise DatabaseDamaged(damaged.format(str(exc)), path) from exc
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(damaged.format("SQLite cannot read it: " + str(exc)), path) from exc
    finally:
        connection.close()
