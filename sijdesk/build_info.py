"""What this copy of SIJ Desk is, for a clinic to tell its support: the version,
the database schema it writes, the pathway, Python and Qt, where it runs from and
where its data lives. Printed by ``sijdesk --version --verbose`` and shown in
Help > About."""

from __future__ import annotations

import platform
import sys

from sijdesk import __version__


def build_info() -> list[tuple[str, str]]:
    """(label, value) rows, in the order they are shown."""
    from sijdesk.db.migrate import HEAD_REVISION
    from sijdesk.paths import data_folder
    from sijdesk.pathway import PATHWAY_VERSION

    return [
        ("SIJ Desk", __version__),
        ("Database schema", HEAD_REVISION),
        ("Clinical pathway", PATHWAY_VERSION),
        ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
        ("Qt", _qt_versions()),
        ("System", platform.platform()),
        ("Running from", _running_from()),
        ("Data folder", str(data_folder())),
    ]


def _qt_versions() -> str:
    try:
        import PySide6
        from PySide6.QtCore import qVersion
    except ImportError:  # a command-line-only install could lack it
        return "not installed"
    return f"{qVersion()} (PySide6 {PySide6.__version__})"


def _running_from() -> str:
    if getattr(sys, "frozen", False):  # a self-contained application folder
        return f"{sys.executable} (application folder)"
    return sys.prefix


def build_text() -> str:
    rows = build_info()
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label + ':':{width + 1}} {value}" for label, value in rows)
