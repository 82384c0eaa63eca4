"""What this copy of SIJ Desk is, for a clinic to tell its support: the version,
the database schema it writes, the pathway, Python and Qt, where it runs from and
where its data lives. Printed by ``sijdesk --version --verbose`` and shown in
Help > About."""

from __future__ import annotations

import platform
import sys

from sijdesk import __version__


def build_info(*, qt_version: str | None = None) -> list[tuple[str, str]]:
    """(label, value) rows, in the order they are shown; the window passes the Qt
    version it runs on (``qVersion()``)."""
    from sijdesk.db.migrate import HEAD_REVISION
    from sijdesk.paths import data_folder
    from sijdesk.pathway import PATHWAY_VERSION

    return [
        ("SIJ Desk", __version__),
        ("Database schema", HEAD_REVISION),
        ("Clinical pathway", PATHWAY_VERSION),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("Qt", _qt_versions() if qt_version is None else qt_version),
        ("System", platform.platform()),
        ("Running from", _running_from()),
        ("Data folder", str(data_folder())),
    ]


def _qt_versions() -> str:
    """The Qt of the installed PySide6 (its wheels carry the same Qt version), read
    from the package's metadata so that the command line never loads Qt."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        pyside = version("PySide6_Essentials")
    except PackageNotFoundError:
        try:
            pyside = version("PySide6")
        except PackageNotFoundError:  # a command-line-only install could lack it
            return "not installed"
    return f"{pyside} (PySide6 {pyside})"


def _running_from() -> str:
    if getattr(sys, "frozen", False):  # a self-contained application folder
        return f"{sys.executable} (application folder)"
    return sys.prefix


def build_text(*, qt_version: str | None = None) -> str:
    rows = build_info(qt_version=qt_version)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label + ':':{width + 1}} {value}" for label, value in rows)
