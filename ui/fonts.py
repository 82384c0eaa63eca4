"""The fonts the window draws patient names with, shipped in ``sijdesk.resources/fonts``.

A clinic's computer may have no font for Chinese, Korean or Devanagari, and
then Qt draws a name in those scripts as empty boxes. The same files the
documents embed (see ``sijdesk/reports/fonts.py``) are registered with Qt
at start-up, and the application font lists them as fallbacks in order, so
every script a patient's name may be written in is drawn from a shipped font.
"""

from __future__ import annotations

import logging
from importlib import resources

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

log = logging.getLogger(__name__)

# The family names Qt reads from the shipped files (the ones sijdesk/reports/fonts.py
# embeds in documents), in fallback order. Not imported from there: that module loads
# ReportLab, which the window's start does not wait for.
QT_FAMILIES = ("DejaVu Sans", "Droid Sans Fallback", "NanumGothic", "Noto Sans Devanagari")

_families: list[str] = []
_installed = False


def install_fonts(app: QGuiApplication) -> list[str]:
    """Register every shipped font and make them the application font's fallbacks.

    Returns the families Qt registered. Safe to call more than once.
    """
    global _installed
    folder = resources.files("sijdesk.resources") / "fonts"
    if not _installed:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith((".ttf", ".otf")):
                continue
            with resources.as_file(entry) as path:
                font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                log.warning("Qt could not load the shipped font %s", entry.name)
                continue
            _families.extend(QFontDatabase.applicationFontFamilies(font_id))
        _installed = True
    font = QFont(app.font())
    font.setFamilies([*QT_FAMILIES])
    app.setFont(font)
    return list(_families)
