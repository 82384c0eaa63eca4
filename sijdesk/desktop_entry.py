"""SIJ Desk in the desktop's menu (Linux): the ``.desktop`` entry and its icon.

The application folder carries an entry and an icon in ``share/``; an installed
SIJ Desk has neither. ``sijdesk menu-entry`` writes both into the user's own
menu folders (the freedesktop.org locations under ``$XDG_DATA_HOME``, else
``~/.local/share``), with ``Exec=`` the full path of the ``sijdesk`` that was
started, so one command puts it in the menu wherever it was unpacked or
installed, and ``--remove`` takes it out again. Nothing needs an administrator.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from sijdesk.errors import UserError

ENTRY_NAME = "sijdesk.desktop"
ICON_NAME = "sijdesk"
ICON_SIZE = 256
ICON_FOLDER = f"{ICON_SIZE}x{ICON_SIZE}"

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Version=1.5
Name=SIJ Desk
GenericName=SIJ pain clinic records
Comment=Patient records, treatment pathway and documents for SIJ pain clinics
Exec={exec}
{try_exec}Icon={icon}
Terminal=false
Categories=Office;MedicalSoftware;
StartupWMClass=sijdesk
"""


def desktop_entry(*, exec_line: str, icon: str, try_exec: str | None = None) -> str:
    """The text of the entry: ``exec_line`` as the menu runs it, ``icon`` a name or a path."""
    return DESKTOP_ENTRY.format(
        exec=exec_line,
        icon=escape_string(icon),
        try_exec=f"TryExec={escape_string(try_exec)}\n" if try_exec else "",
    )


def escape_string(value: str) -> str:
    """A string value of the entry file: backslash, newline, tab and return escaped."""
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    )


def quote_exec_argument(argument: str) -> str:
    """One argument of ``Exec=`` as the Desktop Entry Specification wants it: in double
    quotes when it holds a space or a reserved character, with ``"`` ``` ` ``` ``$`` and
    ``\\`` escaped; a literal ``%`` doubled (field codes start with ``%``)."""
    argument = argument.replace("%", "%%")
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    if not any(char in reserved for char in argument):
        return argument
    escaped = "".join(f"\\{char}" if char in '"`$\\' else char for char in argument)
    # The Exec value is itself a string value, where a backslash is written twice.
    return escape_string('"' + escaped + '"')


def data_home(environ: dict[str, str] | None = None) -> Path:
    environ = dict(os.environ) if environ is None else environ
    configured = environ.get("XDG_DATA_HOME", "")
    # The specification: a relative value is invalid and is ignored.
    if configured and Path(configured).is_absolute():
        return Path(configured)
    return Path(environ.get("HOME") or Path.home()) / ".local" / "share"


@dataclass(frozen=True)
class MenuFiles:
    entry: Path
    icon: Path

    @classmethod
    def under(cls, home: Path) -> MenuFiles:
        return cls(
            entry=home / "applications" / ENTRY_NAME,
            icon=home
            / "icons"
            / "hicolor"
            / f"{ICON_SIZE}x{ICON_SIZE}"
            / "apps"
            / f"{ICON_NAME}.png",
        )


def started_command() -> list[str]:
    """The command that starts this SIJ Desk again, with full paths: the application
    folder's own executable, else the installed ``sijdesk`` script, else this Python
    with ``-m sijdesk``."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).resolve())]
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "sijdesk" and script.is_file():
        return [str(script.resolve())]
    # Not resolved: a virtual environment's python is a symlink whose target would
    # lose the environment's packages.
    return [str(Path(sys.executable).absolute()), "-m", "sijdesk"]


def _bundled_icon() -> Path | None:
    """The application folder's drawn icon (``share/sijdesk.png``), when frozen."""
    if not getattr(sys, "frozen", False):
        return None
    candidate = Path(sys.executable).resolve().parent / "share" / f"{ICON_NAME}.png"
    return candidate if candidate.is_file() else None


def draw_icon(path: Path, image_format: str = "PNG") -> None:
    """The window's own icon (drawn by ui/icons.py) in ``image_format`` (PNG, ICO, ICNS)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sijdesk.ui.icons import save_app_icon

    if not save_app_icon(str(path), ICON_SIZE, image_format):
        raise UserError(f"The icon could not be written to {path}.")


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def install(command: list[str] | None = None, *, home: Path | None = None) -> MenuFiles:
    """Write the menu entry and its icon; an earlier entry is replaced. Returns where."""
    if not sys.platform.startswith("linux"):
        raise UserError(
            "A menu entry is written this way on Linux only; on Windows and macOS the "
            "installer or the .app puts SIJ Desk in the menu."
        )
    command = command or started_command()
    files = MenuFiles.under(home or data_home())
    try:
        files.entry.parent.mkdir(parents=True, exist_ok=True)
        files.icon.parent.mkdir(parents=True, exist_ok=True)
        bundled = _bundled_icon()
        if bundled is not None:
            shutil.copyfile(bundled, files.icon)
        else:
            draw_icon(files.icon)
        _write_atomically(
            files.entry,
            desktop_entry(
                exec_line=" ".join(quote_exec_argument(part) for part in command),
                icon=str(files.icon),
                try_exec=command[0],
            ),
        )
    except OSError as exc:
        raise UserError(
            f"The menu entry could not be written: {exc.strerror} ({exc.filename})."
        ) from exc
    return files


def remove(*, home: Path | None = None) -> list[Path]:
    """Take the entry and its icon out of the menu; returns what was there."""
    files = MenuFiles.under(home or data_home())
    removed = []
    for path in (files.entry, files.icon):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise UserError(f"{path} could not be removed: {exc.strerror}.") from exc
        removed.append(path)
    return removed
