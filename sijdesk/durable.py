"""Writing files so that a crash or a power cut leaves the old file or the new
one, never half of either: write beside, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no folder fsync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, chunks: list[bytes], *, mode: int = 0o644) -> None:
    """Write ``chunks`` to ``path`` via a temporary name in the same folder."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    fsync_folder(path.parent)


def write_export(target: Path, data: bytes) -> None:
    """An export file for the user (owner-only), or one sentence on why it could not be."""
    from sijdesk.errors import EnvironmentProblem

    try:
        write_durably(target, [data], mode=0o600)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Could not write {target} ({exc.strerror or exc}); nothing was exported."
        ) from exc
