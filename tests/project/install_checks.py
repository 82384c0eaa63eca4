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


def parse_desktop_entry(path: Path) -> dict[str, list[str]]:
    """A ``.desktop`` file's [Desktop Entry] keys, read as a desktop would: the string
    escapes first (``\\\\`` is one backslash), then ``Exec=`` split into arguments by
    its quoting rules (double quotes, inside which a backslash escapes " ` $ and itself) and
    ``%%`` made ``%``. Other keys are one-element lists."""
    entry: dict[str, list[str]] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]", lines[:1]
    for line in lines[1:]:
        if not line or line.startswith("#"):
            continue
        key, _, raw = line.partition("=")
        value = raw.replace("\\\\", "\0").replace("\\s", " ").replace("\0", "\\")
        if key == "Exec":
            entry[key] = [part.replace("%%", "%") for part in _exec_arguments(value)]
        else:
            entry[key] = [value]
    return entry


def _exec_arguments(value: str) -> list[str]:
    arguments: list[str] = []
    current: list[str] | None = None
    quoted = False
    chars = iter(value)
    for char in chars:
        if quoted:
            if char == "\\":
                escaped = next(chars)
                assert escaped in '"`$\\', f"{escaped!r} may not be escaped in Exec"
                current.append(escaped)  # type: ignore[union-attr]
            elif char == '"':
                quoted = False
            else:
                current.append(char)  # type: ignore[union-attr]
        elif char == " ":
            if current is not None:
                arguments.append("".join(current))
            current = None
        else:
            current = [] if current is None else current
            if char == '"':
                quoted = True
            else:
                assert char not in "\\`$\"'<>~|&;*?#()", f"{char!r} must be quoted in {value}"
                current.append(char)
    assert not quoted, f"unclosed quote in {value}"
    if current is not None:
        arguments.append("".join(current))
    return arguments
