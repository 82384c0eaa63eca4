"""The fonts every document uses, shipped in ``sijdesk.resources/fonts``, and CJK runs.

ReportLab has no per-glyph font fallback: a character the current font lacks
prints as an empty box. Patient names come from many languages, so every
piece of text that reaches a PDF goes through :func:`markup` (for Platypus
paragraphs) or :func:`draw_text` (for text drawn straight on the canvas),
which split it into runs and give each run a font that has its glyphs:

- DejaVu Sans (Latin incl. Polish and Vietnamese, Greek, Cyrillic, symbols
  such as ✓ ✗) for everything it covers;
- Droid Sans Fallback (a TrueType CJK font) for Chinese and Japanese;
- NanumGothic for Korean (Hangul);
- Noto Sans Devanagari for Hindi, Marathi, Nepali (Devanagari).

Arabic and Hebrew are in DejaVu Sans. All are TrueType (glyf) fonts, so
ReportLab embeds subsets of them (FontFile2) and nothing depends on fonts
installed on the computer.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from importlib import resources
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

SANS = "SijSans"
SANS_BOLD = "SijSans-Bold"
CJK = "SijCJK"
KOREAN = "SijKorean"
DEVANAGARI = "SijDevanagari"
# Tried in this order for a character the main font lacks.
FALLBACKS = (CJK, KOREAN, DEVANAGARI)

_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    CJK: "DroidSansFallbackFull.ttf",
    KOREAN: "NanumGothic.ttf",
    DEVANAGARI: "NotoSansDevanagari-Regular.ttf",
}

_lock = threading.Lock()
_registered = False
_coverage: dict[str, frozenset[int]] = {}


def font_path(name: str) -> str:
    """File system path of a shipped font (``SANS``, ``SANS_BOLD`` or a fallback)."""
    return str(resources.files("sijdesk.resources") / "fonts" / _FILES[name])


def register_fonts() -> None:
    """Register the shipped fonts with ReportLab once per process (thread-safe)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name in (SANS, SANS_BOLD, *FALLBACKS):
            font = TTFont(name, font_path(name))
            pdfmetrics.registerFont(font)
            _coverage[name] = frozenset(font.face.charToGlyph)
        # <b> and <i> inside a paragraph map through these families. There is
        # no italic face shipped (size), so italic falls back to upright.
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(SANS, bold, italic, SANS_BOLD if bold else SANS)
                for fallback in FALLBACKS:
                    addMapping(fallback, bold, italic, fallback)
        _registered = True
        log.debug("registered document fonts")


def has_glyph(font: str, char: str) -> bool:
    register_fonts()
    return ord(char) in _coverage[font]


@dataclass(frozen=True)
class Run:
    """A stretch of text that one font can print."""

    font: str
    text: str


def _font_for(char: str) -> str | None:
    """The font a character needs, or None when any font will do (spaces)."""
    if char.isspace():
        return None
    code = ord(char)
    if code in _coverage[SANS]:
        return SANS
    for fallback in FALLBACKS:
        if code in _coverage[fallback]:
            return fallback
    return SANS


def runs(text: str) -> list[Run]:
    """Split ``text`` into runs for the main font and the fallback fonts.

    Characters DejaVu Sans has stay in the main font; others go to the first
    fallback that has them; spaces join the run they are in. A character no
    font has stays in the main font (and would print as a box).
    """
    register_fonts()
    result: list[Run] = []
    current: str | None = None
    buffer: list[str] = []
    for char in text:
        font = _font_for(char)
        if font is None or font == current or current is None:
            if current is None and font is not None:
                current = font
            buffer.append(char)
            continue
        result.append(Run(current, "".join(buffer)))
        current, buffer = font, [char]
    if buffer:
        result.append(Run(current or SANS, "".join(buffer)))
    return result


def needs_cjk(text: str) -> bool:
    """Whether any of ``text`` is set in a fallback font (CJK, Korean, Devanagari)."""
    return any(run.font in FALLBACKS for run in runs(text))


def markup(text: object) -> str:
    """Escape ``text`` for a Platypus paragraph and wrap its fallback runs in ``<font>``.

    Use it on every value that comes from the record or the user; literal
    markup (``<b>``) is added around the result by the caller.
    """
    value = "" if text is None else str(text)
    parts = []
    for run in runs(value):
        chunk = escape(run.text).replace("\n", "<br/>")
        parts.append(f'<font name="{run.font}">{chunk}</font>' if run.font in FALLBACKS else chunk)
    return "".join(parts)


def text_width(text: str, font: str, size: float) -> float:
    """Width of ``text`` drawn with :func:`draw_text` (fallback runs in their own font)."""
    register_fonts()
    return sum(
        pdfmetrics.stringWidth(run.text, run.font if run.font in FALLBACKS else font, size)
        for run in runs(text)
    )


def draw_text(canvas, x: float, y: float, text: str, font: str, size: float, *, align="left"):
    """Draw one line on a canvas, switching to the CJK font for CJK runs.

    ``font`` is the main font to use (``SANS`` or ``SANS_BOLD``). Returns the
    width drawn.
    """
    width = text_width(text, font, size)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    # One text object for the whole line, so text extraction reads it as one line.
    line = canvas.beginText(x, y)
    for run in runs(text):
        line.setFont(run.font if run.font in FALLBACKS else font, size)
        line.textOut(run.text)
    canvas.drawText(line)
    return width


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with an ellipsis so that it fits ``width`` points."""
    if text_width(text, font, size) <= width:
        return text
    ellipsis = "…"
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle].rstrip() + ellipsis, font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ellipsis


def drawing(width: float, height: float):
    """A ReportLab Drawing whose default font is the shipped sans (never Helvetica).

    A Drawing otherwise starts in Helvetica, which is not embedded.
    """
    from reportlab.graphics.shapes import Drawing

    register_fonts()
    return Drawing(width, height, initialFontName=SANS, initialFontSize=8)
