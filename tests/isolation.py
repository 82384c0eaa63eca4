"""Tests never touch the user's real folders or the source tree.

:func:`isolate_environment` runs before anything is imported: it points
SIJ Desk's home, the XDG folders and Qt's settings at a temporary folder for
the whole session (each test then gets its own home on top). The session
snapshots the checkout (``git status``, ignored files included) and the real
user folders at its start and fails at its end if either changed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a test run may legitimately leave in the checkout: the venv, bytecode,
# pytest's own cache and the editable install's metadata.
ALLOWED_IN_CHECKOUT = (".venv/", "__pycache__", ".pytest_cache", ".egg-info", ".ruff_cache")


def real_user_folders() -> list[Path]:
    """Where SIJ Desk would write for the real user (computed before isolation)."""
    import platformdirs

    return [
        Path(platformdirs.user_data_dir("SIJDesk", "SIJDesk")),
        Path(platformdirs.user_config_dir("SIJDesk", "SIJDesk")),
        Path(platformdirs.user_log_dir("SIJDesk", "SIJDesk")),
        Path(platformdirs.user_cache_dir("SIJDesk", "SIJDesk")),
    ]


def isolate_environment() -> Path:
    session_home = Path(tempfile.mkdtemp(prefix="sijdesk-test-session-"))
    os.environ["SIJDESK_HOME"] = str(session_home / "sijdesk")
    # Hypothesis keeps its caches under .hypothesis/ in the working folder otherwise.
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(session_home / "hypothesis")
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = session_home / variable.lower()
        folder.mkdir()
        os.environ[variable] = str(folder)
    return session_home


def checkout_state() -> set[str]:
    try:
        result = subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return set()
    if result.returncode != 0:
        return set()  # not a git checkout (an unpacked release): nothing to compare
    return {
        line
        for line in result.stdout.splitlines()
        if not any(allowed in line for allowed in ALLOWED_IN_CHECKOUT)
    }


def folder_state(folders: list[Path]) -> set[tuple[str, int, int]]:
    state = set()
    for folder in folders:
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            try:
                stat = path.stat()
            except OSError:
                continue
            state.add((str(path), stat.st_size, stat.st_mtime_ns))
    return state


def describe_changes(before: set, after: set) -> list[str]:
    added = sorted(str(item) for item in after - before)
    removed = sorted(str(item) for item in before - after)
    return [f"+ {item}" for item in added] + [f"- {item}" for item in removed]
