"""Backups that can be trusted, and a restore that never leaves half a database.

A backup is one file (``*.sijbak``)::

    MAGIC | header length (4 bytes, big-endian) | header (JSON) | payload | SHA-256 trailer

The payload is the audit key (length-prefixed) followed by a consistent copy
of the SQLite database made with SQLite's backup API, so a restored database
can prove its audit trail. The trailer is the SHA-256 of everything before
it: a truncated or altered file is refused before anything else is tried.

Encryption (optional) is to a public key kept in the clinic settings, so that
automatic backups need no passphrase: an ephemeral X25519 key agreement,
HKDF-SHA-256 and AES-256-GCM with the header as associated data. The private
key is sealed with AES-256-GCM under a key derived from the passphrase by
Argon2id, and that sealed key travels in every backup's header; the
passphrase itself is never stored. Restoring an encrypted backup needs the
passphrase; a wrong one is refused with a plain sentence.

Every backup is written to a temporary file, fsynced and renamed, then read
back and test-restored into a temporary database whose integrity, references,
schema and audit chain must hold before older backups are pruned.

Restore first checks the backup the same way, then keeps the current database
as a "pre-restore" backup, then swaps the files in with a journal
(``<db>.restore-journal``): if the process dies midway, the next open finishes
the swap (:func:`finish_interrupted_restore`), so the database is always either
the old one or the restored one, never a mix.

Qt-free: used by the services, the command line and the window.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sijdesk.audit_chain import KEY_SUFFIX
from sijdesk.durable import fsync_folder, write_durably
from sijdesk.errors import EnvironmentProblem, UserError

log = logging.getLogger(__name__)

MAGIC = b"SIJDESK-BACKUP\x00v1\n"
FORMAT = 1
SUFFIX = ".sijbak"
TRAILER = 32
MAX_HEADER = 64 * 1024
JOURNAL_SUFFIX = ".restore-journal"
RESTORING_SUFFIX = ".restoring"
KINDS = ("auto", "manual", "pre-restore")
# Argon2id for the passphrase: RFC 9106's low-memory profile. Module-level so
# the test suite can make it cheap; production code never changes it.
KDF_PARAMS = {"iterations": 3, "lanes": 4, "memory_cost": 64 * 1024}
_NAME = re.compile(r"^sijdesk-(\d{8}T\d{6}\d{6}Z)-(auto|manual|pre-restore)\.sijbak$")

Progress = Callable[[int, int], None]


class BackupRefused(UserError):
    """The file is not a backup this program can restore; the text says why."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: datetime
    kind: str
    clinic_uid: str
    schema: str
    encrypted: bool
    size: int
    audit_events: int


# -- encryption --------------------------------------------------------------------------------


def _derive(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    return Argon2id(
        salt=salt,
        length=32,
        iterations=params["iterations"],
        lanes=params["lanes"],
        memory_cost=params["memory_cost"],
    ).derive(passphrase.encode("utf-8"))


def check_passphrase(passphrase: Any) -> str:
    from sijdesk.errors import ValidationError

    if not isinstance(passphrase, str) or len(passphrase) < 12:
        raise ValidationError({"passphrase": "must be at least 12 characters"})
    if len(passphrase) > 1024 or "\x00" in passphrase:
        raise ValidationError({"passphrase": "must be at most 1024 ordinary characters"})
    return passphrase


def new_encryption_keys(passphrase: str) -> tuple[bytes, dict[str, Any]]:
    """A new key pair: the public key (raw) and the private key sealed by the passphrase."""
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    check_passphrase(passphrase)
    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    params = dict(KDF_PARAMS)
    sealed = AESGCM(_derive(passphrase, salt, params)).encrypt(nonce, raw_private, public)
    return public, {
        "kdf": "argon2id",
        "params": params,
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "sealed": _b64(sealed),
    }


def _unseal(sealed: dict[str, Any], public: bytes, passphrase: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        key = _derive(passphrase, _unb64(sealed["salt"]), dict(sealed["params"]))
        return AESGCM(key).decrypt(_unb64(sealed["nonce"]), _unb64(sealed["sealed"]), public)
    except InvalidTag:
        raise BackupRefused(
            "The passphrase does not open this backup. Nothing was changed."
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupRefused("This backup's encryption details are damaged.") from exc


def _box_key(shared: bytes, ephemeral: bytes, public: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"sijdesk-backup|" + ephemeral + public,
    ).derive(shared)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


# -- files -------------------------------------------------------------------------------------


def _environment(exc: OSError, doing: str) -> EnvironmentProblem:
    import errno

    if exc.errno == errno.ENOSPC:
        return EnvironmentProblem(f"The disk is full, so {doing} failed. Free some space.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return EnvironmentProblem(f"{doing.capitalize()} failed: the folder cannot be written.")
    return EnvironmentProblem(f"{doing.capitalize()} failed ({exc.strerror or exc}).")


def sqlite_copy(source: Path, target: Path, progress: Progress | None = None) -> None:
    """A consistent copy of a live SQLite database (its WAL included) via the backup API."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:

            def step(_status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress(total - remaining, total)

            src.backup(dst, pages=1024, progress=step)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


# -- making a backup ---------------------------------------------------------------------------


def backup_name(moment: datetime, kind: str) -> str:
    return f"sijdesk-{moment.astimezone(UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{kind}{SUFFIX}"


def parse_name(name: str) -> tuple[datetime, str] | None:
    match = _NAME.match(name)
    if not match:
        return None
    moment = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
    return moment, match.group(2)


def make_backup(
    database: Path,
    folder: Path,
    *,
    kind: str = "manual",
    public_key: bytes | None = None,
    sealed_private_key: dict[str, Any] | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    target: Path | None = None,
) -> BackupInfo:
    """Back up ``database`` (and its audit key) into ``folder``, then verify the file.

    Raises EnvironmentProblem (folder not writable, disk full) or BackupRefused
    (the copy failed its checks); nothing half-written is left behind.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    moment = now or datetime.now(UTC)
    key_file = database.with_name(database.name + KEY_SUFFIX)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        key = key_file.read_bytes()
    except OSError as exc:
        raise _environment(exc, "the backup") from exc
    path = target or folder / backup_name(moment, kind)
    with tempfile.TemporaryDirectory(prefix=".sijdesk-backup-", dir=path.parent) as scratch:
        copy = Path(scratch) / "copy.sqlite3"
        try:
            sqlite_copy(database, copy, progress)
        except sqlite3.Error as exc:
            raise EnvironmentProblem(f"The database could not be copied ({exc}).") from exc
        except OSError as exc:
            raise _environment(exc, "the backup") from exc
        # The copy must restore: integrity, references, schema and the audit chain.
        (Path(scratch) / ("copy.sqlite3" + KEY_SUFFIX)).write_bytes(key)
        report = _test_restore(copy)
        uid, schema = _identity(copy)
        payload = len(key).to_bytes(4, "big") + key + copy.read_bytes()
        header: dict[str, Any] = {
            "format": FORMAT,
            "created_at": moment.isoformat(),
            "kind": kind,
            "clinic_uid": uid,
            "schema": schema,
            "audit_events": report,
            "payload_sha256": hashlib.sha256(payload).hexdigest(),
            "encrypted": public_key is not None,
        }
        if public_key is not None:
            payload = _encrypt(payload, header, public_key, sealed_private_key)
        header_bytes = json.dumps(header, sort_keys=True).encode("utf-8")
        body = MAGIC + len(header_bytes).to_bytes(4, "big") + header_bytes + payload
        try:
            write_durably(path, [body, hashlib.sha256(body).digest()])
        except OSError as exc:
            raise _environment(exc, "the backup") from exc
    # Read back from the disk: what is there must be what was meant.
    written = read_header(path)
    log.info("backup %s written and verified (%d bytes)", path.name, path.stat().st_size)
    return written


def _encrypt(
    payload: bytes,
    header: dict[str, Any],
    public_key: bytes,
    sealed_private_key: dict[str, Any] | None,
) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    if sealed_private_key is None:
        raise ValueError("an encrypted backup needs the sealed private key in its header")
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    nonce = secrets.token_bytes(12)
    header["encryption"] = {
        "scheme": "x25519-hkdf-sha256-aes256gcm",
        "public_key": _b64(public_key),
        "ephemeral_public_key": _b64(ephemeral_public),
        "nonce": _b64(nonce),
        "sealed_private_key": sealed_private_key,
    }
    aad = json.dumps(header, sort_keys=True).encode("utf-8")
    box = _box_key(shared, ephemeral_public, public_key)
    return AESGCM(box).encrypt(nonce, payload, aad)


def _identity(path: Path) -> tuple[str, str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        uid = connection.execute("SELECT clinic_uid FROM clinic_settings").fetchone()
        schema = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        raise BackupRefused(f"The copy is not a readable clinic database ({exc}).") from exc
    finally:
        connection.close()
    return (uid[0] if uid and uid[0] else ""), (schema[0] if schema else "")


def _test_restore(copy: Path) -> int:
    """Check a copy as if restored; returns how many audit events it holds."""
    from sijdesk.check import check_database

    report = check_database(copy)
    failed = [item for item in report.items if not item.ok]
    schema_only = len(failed) == 1 and failed[0].name == "schema"
    if failed and not schema_only:
        problem = failed[0]
        raise BackupRefused(f"The backup copy failed its {problem.name} check: {problem.detail}.")
    chain = [item for item in report.items if item.name == "audit chain"]
    if schema_only or not chain:
        return -1  # an older schema: its chain is checked after the upgrade on open
    return int(chain[0].detail.split(" ", 1)[0])


# -- reading a backup --------------------------------------------------------------------------


def _read(path: Path) -> tuple[dict[str, Any], bytes, bytes]:
    """(header, header bytes, payload) of a backup whose trailer matches; refuses anything else."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise BackupRefused(f"There is no file at {path}.") from None
    except OSError as exc:
        raise BackupRefused(f"The backup file cannot be read ({exc.strerror or exc}).") from exc
    if not data.startswith(MAGIC):
        raise BackupRefused(f"{Path(path).name} is not an SIJ Desk backup.")
    if len(data) < len(MAGIC) + 4 + TRAILER:
        raise BackupRefused("The backup file is incomplete (it was cut short).")
    body, trailer = data[:-TRAILER], data[-TRAILER:]
    if hashlib.sha256(body).digest() != trailer:
        raise BackupRefused(
            "The backup file is incomplete or damaged (its checksum does not match)."
        )
    start = len(MAGIC)
    length = int.from_bytes(body[start : start + 4], "big")
    if not 2 <= length <= MAX_HEADER or start + 4 + length > len(body):
        raise BackupRefused("The backup file is damaged (its header cannot be read).")
    header_bytes = body[start + 4 : start + 4 + length]
    try:
        header = json.loads(header_bytes)
    except ValueError:
        raise BackupRefused("The backup file is damaged (its header cannot be read).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupRefused("This backup was made by a newer SIJ Desk; install it to restore.")
    return header, header_bytes, body[start + 4 + length :]


def read_header(path: Path) -> BackupInfo:
    """What a backup holds (checks the whole file's checksum, not the passphrase)."""
    header, _bytes, _payload = _read(path)
    try:
        return BackupInfo(
            path=Path(path),
            created_at=datetime.fromisoformat(header["created_at"]),
            kind=str(header["kind"]),
            clinic_uid=str(header["clinic_uid"]),
            schema=str(header["schema"]),
            encrypted=bool(header["encrypted"]),
            size=Path(path).stat().st_size,
            audit_events=int(header.get("audit_events", -1)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupRefused("The backup file is damaged (its header is incomplete).") from exc


def _plain_payload(path: Path, passphrase: str | None) -> tuple[dict[str, Any], bytes]:
    header, header_bytes, payload = _read(path)
    if header.get("encrypted"):
        if not passphrase:
            raise BackupRefused("This backup is encrypted: give its passphrase.")
        payload = _decrypt(header, header_bytes, payload, passphrase)
    if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
        raise BackupRefused("The backup file is damaged (its contents do not match).")
    return header, payload


def _decrypt(header: dict[str, Any], header_bytes: bytes, payload: bytes, passphrase: str) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey,
        X25519PublicKey,
    )
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        box = header["encryption"]
        public = _unb64(box["public_key"])
        ephemeral_public = _unb64(box["ephemeral_public_key"])
        nonce = _unb64(box["nonce"])
        sealed = box["sealed_private_key"]
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupRefused("This backup's encryption details are damaged.") from exc
    private = X25519PrivateKey.from_private_bytes(_unseal(sealed, public, passphrase))
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    try:
        return AESGCM(_box_key(shared, ephemeral_public, public)).decrypt(
            nonce, payload, header_bytes
        )
    except InvalidTag:
        raise BackupRefused("The backup file is damaged (it does not decrypt).") from None


# -- restoring ---------------------------------------------------------------------------------


def restore_backup(
    path: Path,
    database: Path,
    *,
    passphrase: str | None = None,
    pre_restore_folder: Path | None = None,
    pre_restore_keys: tuple[bytes | None, dict[str, Any] | None] = (None, None),
) -> BackupInfo:
    """Replace ``database`` (and its key file) with the backup, after checking it.

    The current database, if it can be read, is first kept as a pre-restore
    backup in ``pre_restore_folder``. The caller must have closed every
    connection to ``database``.
    """
    info = read_header(path)
    header, payload = _plain_payload(path, passphrase)
    try:
        key_length = int.from_bytes(payload[:4], "big")
        key, image = payload[4 : 4 + key_length], payload[4 + key_length :]
    except (IndexError, ValueError):
        raise BackupRefused("The backup file is damaged (its contents are cut short).") from None
    if key_length != len(key) or not image:
        raise BackupRefused("The backup file is damaged (its contents are cut short).")
    database = Path(database)
    key_file = database.with_name(database.name + KEY_SUFFIX)
    staged_db = database.with_name(database.name + RESTORING_SUFFIX)
    staged_key = key_file.with_name(key_file.name + RESTORING_SUFFIX)
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        write_durably(staged_db, [image])
        write_durably(staged_key, [key])
        _test_restore_staged(staged_db, staged_key)
        if database.exists() and pre_restore_folder is not None:
            _keep_current(database, pre_restore_folder, pre_restore_keys)
        journal = database.with_name(database.name + JOURNAL_SUFFIX)
        write_durably(journal, [json.dumps({"from": str(path), "at": _now()}).encode()])
    except OSError as exc:
        for leftover in (staged_db, staged_key):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise _environment(exc, "the restore") from exc
    except BaseException:
        for leftover in (staged_db, staged_key):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    finish_interrupted_restore(database)
    log.info("restored %s from %s", database.name, Path(path).name)
    return info


def _test_restore_staged(staged_db: Path, staged_key: Path) -> None:
    with tempfile.TemporaryDirectory(prefix=".sijdesk-check-", dir=staged_db.parent) as scratch:
        copy = Path(scratch) / "restored.sqlite3"
        copy.write_bytes(staged_db.read_bytes())
        copy.with_name(copy.name + KEY_SUFFIX).write_bytes(staged_key.read_bytes())
        _test_restore(copy)


def _keep_current(
    database: Path, folder: Path, keys: tuple[bytes | None, dict[str, Any] | None]
) -> None:
    """The database about to be replaced, kept as a backup (a raw copy if it is damaged)."""
    public, sealed = keys
    try:
        make_backup(
            database, folder, kind="pre-restore", public_key=public, sealed_private_key=sealed
        )
    except (UserError, sqlite3.Error) as exc:
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        damaged = folder / f"damaged-{stamp}-{database.name}"
        write_durably(damaged, [database.read_bytes()])
        key_file = database.with_name(database.name + KEY_SUFFIX)
        if key_file.exists():
            write_durably(damaged.with_name(damaged.name + KEY_SUFFIX), [key_file.read_bytes()])
        log.warning("current database kept as a raw copy before the restore: %s", exc)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def finish_interrupted_restore(database: Path) -> bool:
    """Complete a restore whose journal is still there; True when one was finished.

    Safe to run any number of times: every step is a rename that is either
    still to do or already done.
    """
    database = Path(database)
    journal = database.with_name(database.name + JOURNAL_SUFFIX)
    if not journal.exists():
        return False
    key_file = database.with_name(database.name + KEY_SUFFIX)
    staged_db = database.with_name(database.name + RESTORING_SUFFIX)
    staged_key = key_file.with_name(key_file.name + RESTORING_SUFFIX)
    if staged_db.exists():
        # The old database's write-ahead log must never be applied to the new file.
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                database.with_name(database.name + suffix).unlink()
    if staged_key.exists():
        os.replace(staged_key, key_file)
    if staged_db.exists():
        os.replace(staged_db, database)
    fsync_folder(database.parent)
    journal.unlink()
    fsync_folder(database.parent)
    log.info("finished the restore of %s", database.name)
    return True


# -- retention ---------------------------------------------------------------------------------


def to_prune(
    backups: list[tuple[datetime, Path]], *, daily: int, weekly: int, monthly: int
) -> list[Path]:
    """Which automatic backups to delete: keep the newest of each of the last ``daily``
    days, ``weekly`` ISO weeks and ``monthly`` months that have backups."""
    newest_first = sorted(backups, key=lambda item: item[0], reverse=True)
    keep: set[Path] = set()

    def keep_newest(bucket: Callable[[date], Any], count: int) -> None:
        seen: list[Any] = []
        for moment, path in newest_first:
            key = bucket(moment.date())
            if key in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(key)
            keep.add(path)

    keep_newest(lambda d: d, daily)
    keep_newest(lambda d: tuple(d.isocalendar())[:2], weekly)
    keep_newest(lambda d: (d.year, d.month), monthly)
    if newest_first:
        keep.add(newest_first[0][1])
    return [path for _moment, path in newest_first if path not in keep]


def list_backups(folder: Path) -> list[tuple[datetime, str, Path]]:
    """Backups in ``folder`` by their names, newest first (files are not opened)."""
    found = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    for entry in entries:
        parsed = parse_name(entry.name)
        if parsed is not None:
            found.append((parsed[0], parsed[1], entry))
    return sorted(found, key=lambda item: item[0], reverse=True)


def prune(folder: Path, *, daily: int, weekly: int, monthly: int) -> list[Path]:
    automatic = [(moment, path) for moment, kind, path in list_backups(folder) if kind == "auto"]
    doomed = to_prune(automatic, daily=daily, weekly=weekly, monthly=monthly)
    for path in doomed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if doomed:
        fsync_folder(Path(folder))
    return doomed


def newest_good_backup(folder: Path) -> BackupInfo | None:
    """The newest backup in ``folder`` whose whole file checks out (without decrypting)."""
    for _moment, _kind, path in list_backups(folder):
        try:
            return read_header(path)
        except BackupRefused:
            log.warning("skipping a damaged backup: %s", path.name)
    return None


def age_text(moment: datetime, now: datetime | None = None) -> str:
    delta = (now or datetime.now(UTC)) - moment
    if delta < timedelta(minutes=1):
        return "just now"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)} min ago"
    if delta < timedelta(days=1):
        return f"{int(delta.total_seconds() // 3600)} h ago"
    return f"{delta.days} days ago"
