"""Every script a patient's name may be written in is drawn from a shipped font:
no empty boxes, whatever fonts the computer has (CI has only DejaVu)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextLayout

from sijdesk.ui.fonts import QT_FAMILIES, install_fonts
from tests.documents.test_pdf_fonts import SCRIPTS

NAMES = {**SCRIPTS, "Arabic": "فاطمة الزهراء", "Hebrew": "דוד כהן", "Polish": "Łukasiewicz"}

# Qt notes that it shapes Devanagari without OpenType features; the glyphs are there.
pytestmark = pytest.mark.qt_log_ignore(r"OpenType support missing")


def _glyph_runs(font, text):
    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return layout.glyphRuns()


def test_every_script_is_laid_out_without_a_missing_glyph(qapp):
    families = install_fonts(qapp)
    assert {"Droid Sans Fallback", "NanumGothic", "Noto Sans Devanagari"} <= set(families)
    for script, name in NAMES.items():
        runs = _glyph_runs(qapp.font(), name)
        assert runs, script
        missing = [g for run in runs for g in run.glyphIndexes() if g == 0]
        assert missing == [], script
        # From the shipped files, not from whatever the computer happens to have.
        used = {run.rawFont().familyName() for run in runs}
        assert used <= set(QT_FAMILIES), (script, used)


def test_the_patient_list_draws_every_script(qtbot, qapp, clinic, settings):
    from sijdesk.ui.main_window import MainWindow
    from tests.window_fixtures import register

    install_fonts(qapp)
    for number, name in enumerate(NAMES.values()):
        register(clinic, name, f"Family{number}", "1970-01-01")
    window = MainWindow(clinic, settings)
    qtbot.addWidget(window)
    font = window.list_pane.table.font()
    for script, name in NAMES.items():
        missing = [g for run in _glyph_runs(font, name) for g in run.glyphIndexes() if g == 0]
        assert missing == [], script
