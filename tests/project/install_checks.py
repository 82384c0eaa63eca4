"""What the installation tests share: running with the network cut, a folder's files
(to show a run wrote nothing into the installation medium), every file a run wrote
(strace), and reading a desktop entry back."""

from __future__ import annotations

import re
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


def write_tracer(log: Path) -> list[str]:
    """``strace`` logging each file system call of a command and its children (with the
    paths of descriptors), or [] where it cannot trace here (.ci/run installs it)."""
    strace = shutil.which("strace")
    if strace is None:
        return []
    calls = "trace=%file,ftruncate,fchdir"
    command = [strace, "-f", "-qq", "-y", "-e", calls, "-o", str(log)]
    probe = subprocess.run([*command, "true"], capture_output=True, check=False)
    return command if probe.returncode == 0 else []


# System calls that change the file system, and the open flags that may.
_CALL = re.compile(r"^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)")
_CHANGES = frozenset(
    "open openat creat mkdir mkdirat rename renameat renameat2 unlink unlinkat rmdir symlink "
    "symlinkat link linkat truncate ftruncate chmod fchmodat utimensat".split()
)
_OPEN_FOR_WRITING = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC")
_PATHS = re.compile(r'"([^"]*)"|<(/[^>]*)>')
_WORKING_FOLDER = re.compile(r"AT_FDCWD<(/[^>]*)>")


def written_paths(log: Path, cwd: Path) -> set[str]:
    """Each path a traced run (started in ``cwd``) created, changed or removed,
    successful calls only; a relative path joined to the descriptor it is relative to,
    else to the process's working folder (followed through chdir and fchdir)."""
    written = set()
    folders: dict[str, str] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _CALL.match(line)
        if match is None or match.group(4).startswith("-"):
            continue
        pid, call, arguments = match.group(1), match.group(2), match.group(3)
        working = _WORKING_FOLDER.search(arguments)
        if working:
            folders[pid] = working.group(1)
        here = folders.get(pid, str(cwd))
        if call in ("chdir", "fchdir"):
            quoted, described = _PATHS.findall(arguments)[0]
            folders[pid] = described or str(Path(here, quoted))
            continue
        if call not in _CHANGES:
            continue
        if call.startswith(("open", "creat")) and not _OPEN_FOR_WRITING.search(arguments):
            continue
        folder = here
        for quoted, described in _PATHS.findall(arguments):
            if described:
                folder = described
            elif quoted:
                written.add(str(Path(folder, quoted)))  # an absolute one stays as it is
            else:  # an empty name: the descriptor itself (ftruncate, AT_EMPTY_PATH)
                written.add(folder)
    return written


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
