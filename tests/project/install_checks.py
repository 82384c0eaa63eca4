"""What the installation tests share: running with the network cut, and a folder's
files (to show a run wrote nothing into the installation medium)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def no_network_prefix() -> list[str]:
    """``unshare -n`` (a network namespace with nothing in it) where it works here."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, check=False)
    return [unshare, "-n"] if probe.returncode == 0 else []


def file_tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file under ``folder``: (size, modification time)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }
