"""One letterhead, one style sheet and one page layout for every document.

Every page of every document carries:

- the clinic letterhead (in full on the first page, the clinic's name on later
  pages),
- the patient's name, date of birth and record number in a box at the top
  (wrong-patient errors are among the commonest record errors); a handout
  printed blank carries lines to write them in instead,
- a "Confidential" footer with the document's title and "Page n of N".

PDFs are built in ReportLab's invariant mode with the document's own
creation time, so the same content always gives the same bytes (and the same
SHA-256): a stored document can be checked against a regeneration.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageTemplate

from sijdesk.reports import fonts

log = logging.getLogger(__name__)

PAGE_SIZES = {"A4": A4, "Letter": letter}
INK = colors.HexColor("#1b1b1b")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#8a8a8a")
ACCENT = colors.HexColor("#1f4e79")
SHADE = colors.HexColor("#eef2f6")
URGENT = colors.HexColor("#9b1c1c")

MARGIN = 18 * mm
FOOTER_HEIGHT = 14 * mm


@dataclass(frozen=True)
class Letterhead:
    """The clinic's letterhead, from its settings."""

    clinic_name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    logo_png: bytes | None = None
    page_size: str = "A4"

    def contact_lines(self) -> list[str]:
        lines = [line.strip() for line in self.address.splitlines() if line.strip()]
        if len(lines) > 4:
            lines = [", ".join(lines)]
        if self.phone.strip():
            lines.append(f"Tel. {self.phone.strip()}")
        if self.email.strip():
            lines.append(self.email.strip())
        return lines


@dataclass(frozen=True)
class PageIdentity:
    """Who the document is about, printed on every page.

    ``None`` for all three means a blank form (a handout printed without a
    patient): the strip then has lines to write the details in.
    """

    name: str | None = None
    date_of_birth: date | None = None
    record_number: str | None = None
    # A document about no patient (a clinic report): what it is about instead,
    # and a detail for the strip's right end.
    about: str | None = None
    detail: str = ""

    @property
    def blank(self) -> bool:
        return self.name is None and self.about is None


@dataclass(frozen=True)
class DocumentMeta:
    """PDF metadata and the footer text."""

    title: str
    subject: str
    author: str
    created: datetime
    keywords: Sequence[str] = field(default_factory=tuple)
    footer_note: str = ""
    # A handout printed blank holds no personal information.
    confidential: bool = True


# -- styles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one document; ``large`` for large print."""

    large: bool
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    title: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    bullet: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    box: ParagraphStyle
    urgent: ParagraphStyle

    @property
    def base_size(self) -> float:
        return self.body.fontSize


@lru_cache(maxsize=2)
def stylesheet(large_print: bool = False) -> Styles:
    """The shared style sheet: 10.5 pt body text, or 15 pt for large print."""
    fonts.register_fonts()
    size = 15.0 if large_print else 10.5
    lead = size * 1.38

    def style(name: str, **kw) -> ParagraphStyle:
        base = {
            "fontName": fonts.SANS,
            "bulletFontName": fonts.SANS,
            "fontSize": size,
            "leading": lead,
            "textColor": INK,
            "alignment": TA_LEFT,
            "spaceAfter": size * 0.5,
        }
        base.update(kw)
        return ParagraphStyle(name, **base)

    small_size = size * (0.86 if large_print else 0.84)
    cell_size = size * (0.92 if large_print else 0.88)
    return Styles(
        large=large_print,
        body=style("Body"),
        small=style("Small", fontSize=small_size, leading=small_size * 1.3),
        muted=style("Muted", fontSize=small_size, leading=small_size * 1.3, textColor=MUTED),
        title=style(
            "Title",
            fontName=fonts.SANS_BOLD,
            fontSize=size * 1.55,
            leading=size * 1.95,
            textColor=ACCENT,
            spaceAfter=size * 0.6,
        ),
        h1=style(
            "Heading1",
            fontName=fonts.SANS_BOLD,
            fontSize=size * 1.18,
            leading=size * 1.5,
            textColor=ACCENT,
            spaceBefore=size * 0.9,
            spaceAfter=size * 0.35,
            keepWithNext=1,
        ),
        h2=style(
            "Heading2",
            fontName=fonts.SANS_BOLD,
            fontSize=size * 1.02,
            leading=size * 1.35,
            spaceBefore=size * 0.5,
            spaceAfter=size * 0.2,
            keepWithNext=1,
        ),
        bullet=style(
            "Bullet",
            leftIndent=size * 1.5,
            bulletIndent=size * 0.4,
            spaceAfter=size * 0.25,
        ),
        cell=style("Cell", fontSize=cell_size, leading=cell_size * 1.28, spaceAfter=0),
        cell_bold=style(
            "CellBold",
            fontName=fonts.SANS_BOLD,
            fontSize=cell_size,
            leading=cell_size * 1.28,
            spaceAfter=0,
        ),
        box=style("Box", spaceAfter=0),
        urgent=style(
            "Urgent",
            fontName=fonts.SANS_BOLD,
            fontSize=size * 1.25,
            leading=size * 1.6,
            textColor=URGENT,
        ),
    )


# -- page decoration ------------------------------------------------------------------------------


def image_reader(png: bytes | None) -> ImageReader | None:
    """An ImageReader for stored image bytes, or None when absent or unreadable."""
    if not png:
        return None
    try:
        reader = ImageReader(io.BytesIO(png))
        reader.getSize()
        return reader
    except Exception:  # noqa: BLE001 - a broken image must not stop a letter
        log.warning("ignoring an image that cannot be read")
        return None


def _fit_size(text: str, font: str, size: float, width: float, minimum: float = 6.5) -> float:
    while size > minimum and fonts.text_width(text, font, size) > width:
        size -= 0.25
    return size


class _Decorator:
    """Draws the letterhead, the patient strip and the footer on each page."""

    def __init__(
        self,
        letterhead: Letterhead,
        identity: PageIdentity,
        meta: DocumentMeta,
        *,
        large: bool,
        page_size: tuple[float, float],
    ):
        self.letterhead = letterhead
        self.identity = identity
        self.meta = meta
        self.large = large
        self.width, self.height = page_size
        self.logo = image_reader(letterhead.logo_png)
        self.strip_size = 11.5 if large else 9.0
        # A name too long for one line at a readable size gets a line of its own:
        # identifiers are never shrunk into illegibility or cut short.
        self.two_line_strip = self._name_needs_own_line()
        self.strip_height = self.strip_size * (3.5 if self.two_line_strip else 2.1)
        self.first_header = self._letterhead_height() + self.strip_height + 6 * mm
        self.later_header = 9 * mm + self.strip_height + 4 * mm

    # Heights -------------------------------------------------------------------------

    def _strip_parts(self) -> tuple[str, str, str]:
        ident = self.identity
        if ident.about is not None:
            return "Report  ", ident.about, ident.detail
        dob = ident.date_of_birth.isoformat() if ident.date_of_birth else "not recorded"
        tail = f"Born {dob}   Record {ident.record_number or 'not recorded'}"
        return "Patient  ", ident.name or "", tail

    def _name_needs_own_line(self) -> bool:
        if self.identity.blank:
            return False
        label, name, tail = self._strip_parts()
        size = self.strip_size
        avail = self.width - 2 * MARGIN - 5 * mm
        room = (
            avail
            - fonts.text_width("   " + tail, fonts.SANS_BOLD, size)
            - fonts.text_width(label, fonts.SANS, size)
        )
        return fonts.text_width(name, fonts.SANS_BOLD, size * 0.85) > room

    def _letterhead_height(self) -> float:
        lines = max(len(self.letterhead.contact_lines()), 2)
        text = max(lines * 10.5, 24)
        return max(text, 20 * mm if self.logo else 0) + 3 * mm

    # Drawing -------------------------------------------------------------------------

    def first_page(self, canvas: Canvas, doc) -> None:
        canvas.saveState()
        top = self.height - MARGIN
        head = self._letterhead_height()
        x = MARGIN
        if self.logo is not None:
            iw, ih = self.logo.getSize()
            box_w, box_h = 45 * mm, 20 * mm
            scale = min(box_w / iw, box_h / ih)
            w, h = iw * scale, ih * scale
            canvas.drawImage(self.logo, x, top - h, w, h, mask="auto")
            x += w + 5 * mm
        contact = self.letterhead.contact_lines()
        right = self.width - MARGIN
        contact_width = max([fonts.text_width(line, fonts.SANS, 8.5) for line in contact] or [0.0])
        name_width = right - x - min(contact_width, 75 * mm) - 6 * mm
        name = self.letterhead.clinic_name.strip()
        if name:
            canvas.setFillColor(ACCENT)
            size = _fit_size(name, fonts.SANS_BOLD, 15, name_width, minimum=9)
            fonts.draw_text(
                canvas,
                x,
                top - size,
                fonts.fit_text(name, fonts.SANS_BOLD, size, name_width),
                fonts.SANS_BOLD,
                size,
            )
        canvas.setFillColor(MUTED)
        y = top - 8.5
        for line in contact:
            fonts.draw_text(
                canvas,
                right,
                y,
                fonts.fit_text(line, fonts.SANS, 8.5, 75 * mm),
                fonts.SANS,
                8.5,
                align="right",
            )
            y -= 10.5
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1.2)
        rule_y = top - head
        canvas.line(MARGIN, rule_y, self.width - MARGIN, rule_y)
        canvas.restoreState()
        self._strip(canvas, rule_y - 2.5 * mm)
        self._footer(canvas)

    def later_page(self, canvas: Canvas, doc) -> None:
        canvas.saveState()
        top = self.height - MARGIN
        name = self.letterhead.clinic_name.strip()
        if name:
            canvas.setFillColor(ACCENT)
            fonts.draw_text(
                canvas,
                MARGIN,
                top - 9,
                fonts.fit_text(name, fonts.SANS_BOLD, 9, self.width - 2 * MARGIN - 60 * mm),
                fonts.SANS_BOLD,
                9,
            )
        canvas.setFillColor(MUTED)
        fonts.draw_text(
            canvas,
            self.width - MARGIN,
            top - 9,
            fonts.fit_text(self.meta.title, fonts.SANS, 8, 80 * mm),
            fonts.SANS,
            8,
            align="right",
        )
        canvas.restoreState()
        self._strip(canvas, top - 5 * mm)

    def _strip(self, canvas: Canvas, top: float) -> None:
        """The patient identifiers box whose top edge is at ``top``."""
        canvas.saveState()
        width = self.width - 2 * MARGIN
        height = self.strip_height
        canvas.setFillColor(SHADE)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.rect(MARGIN, top - height, width, height, fill=1, stroke=1)
        size = self.strip_size
        baseline = top - height / 2 - size * 0.35
        pad = 2.5 * mm
        canvas.setFillColor(INK)
        ident = self.identity
        if ident.blank:
            parts = [("Name", 0.46), ("Date of birth", 0.27), ("Record no.", 0.27)]
            x = MARGIN + pad
            for label_text, share in parts:
                span = (width - 2 * pad) * share
                used = fonts.draw_text(canvas, x, baseline, f"{label_text}:", fonts.SANS_BOLD, size)
                canvas.setStrokeColor(MUTED)
                canvas.line(x + used + 2, baseline - 1.5, x + span - 4 * mm, baseline - 1.5)
                x += span
        else:
            label, name, tail = self._strip_parts()
            avail = width - 2 * pad
            label_w = fonts.text_width(label, fonts.SANS, size)
            tail_w = fonts.text_width("   " + tail, fonts.SANS_BOLD, size)
            if self.two_line_strip:
                first = top - size * 1.35
                baseline = top - height + size * 0.75
                room = avail - label_w
            else:
                first = baseline
                room = avail - label_w - tail_w
            name_size = _fit_size(name, fonts.SANS_BOLD, size, room, minimum=size * 0.7)
            name = fonts.fit_text(name, fonts.SANS_BOLD, name_size, room)
            x = MARGIN + pad
            canvas.setFillColor(MUTED)
            x += fonts.draw_text(canvas, x, first, label, fonts.SANS, size)
            canvas.setFillColor(INK)
            fonts.draw_text(canvas, x, first, name, fonts.SANS_BOLD, name_size)
            fonts.draw_text(
                canvas,
                MARGIN + width - pad,
                baseline,
                tail,
                fonts.SANS_BOLD,
                size,
                align="right",
            )
        canvas.restoreState()

    def _footer(self, canvas: Canvas) -> None:
        """Everything of the footer except the page count (drawn when it is known)."""
        canvas.saveState()
        y = MARGIN - 2 * mm
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, y + 9, self.width - MARGIN, y + 9)
        canvas.setFillColor(MUTED)
        parts = ["Confidential: personal health information"] if self.meta.confidential else []
        if self.meta.footer_note:
            parts.append(self.meta.footer_note)
        text = " · ".join(parts)
        text = fonts.fit_text(text, fonts.SANS, 7.5, self.width - 2 * MARGIN - 30 * mm)
        fonts.draw_text(canvas, MARGIN, y, text, fonts.SANS, 7.5)
        canvas.restoreState()

    def page_count(self, canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        canvas.setFillColor(MUTED)
        fonts.draw_text(
            canvas,
            self.width - MARGIN,
            MARGIN - 2 * mm,
            f"Page {number} of {total}",
            fonts.SANS_BOLD,
            7.5,
            align="right",
        )
        canvas.restoreState()


def _canvas_class(on_count: Callable[[Canvas, int, int], None], created: datetime) -> type:
    """A canvas that holds its pages until the end, to print "Page n of N"."""
    stamp = created.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'")

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []
            self.setDateFormatter(lambda *_: stamp)

        def showPage(self):  # noqa: N802 - ReportLab's name
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                on_count(self, self._pageNumber, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def page_size_for(name: str | None) -> tuple[float, float]:
    return PAGE_SIZES.get(name or "A4", A4)


def frame_width(page_size: str | None) -> float:
    return page_size_for(page_size)[0] - 2 * MARGIN


def build_pdf(
    story: list[Flowable],
    *,
    letterhead: Letterhead,
    identity: PageIdentity,
    meta: DocumentMeta,
    large_print: bool = False,
    page_size: str | None = None,
) -> bytes:
    """Lay out ``story`` on the clinic's pages and return the PDF bytes."""
    fonts.register_fonts()
    size = page_size_for(page_size or letterhead.page_size)
    deco = _Decorator(letterhead, identity, meta, large=large_print, page_size=size)
    width, height = size
    body_w = width - 2 * MARGIN
    bottom = MARGIN + FOOTER_HEIGHT - 6 * mm
    first = Frame(
        MARGIN,
        bottom,
        body_w,
        height - MARGIN - deco.first_header - bottom,
        id="first",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    later = Frame(
        MARGIN,
        bottom,
        body_w,
        height - MARGIN - deco.later_header - bottom,
        id="later",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )

    def later_page(canvas, doc):
        deco.later_page(canvas, doc)
        deco._footer(canvas)

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        creator="SIJ Desk",
        keywords=list(meta.keywords),
        invariant=1,
        lang="en",
        # Without this every page references an unembedded Helvetica.
        initialFontName=fonts.SANS,
        initialFontSize=10,
        initialLeading=12,
        pageTemplates=[
            PageTemplate("First", [first], onPage=deco.first_page, pagesize=size),
            PageTemplate("Later", [later], onPage=later_page, pagesize=size),
        ],
    )
    doc.build(
        [NextPageTemplate("Later"), *story],
        canvasmaker=_canvas_class(deco.page_count, meta.created),
    )
    return buffer.getvalue()
