"""Building blocks shared by letters, the care plan and handouts.

Documents are first described as :class:`Section` values (headings,
paragraphs, bullets and simple tables of plain text), so that the letter
dialog can show the same draft text the PDF prints; :func:`section_flowables`
lays a section out with the shared style sheet. Every string that comes from
the record passes through :func:`sijdesk.reports.fonts.markup`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from sijdesk.reports import fonts
from sijdesk.reports.content import AllergyNote
from sijdesk.reports.styles import ACCENT, RULE, SHADE, Styles, image_reader


@dataclass(frozen=True)
class TableData:
    """A table of plain text; ``widths`` are fractions of the frame width."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    table: TableData | None = None
    after: tuple[str, ...] = ()
    small_after: tuple[str, ...] = field(default=())


def _no_keep(style):
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "Split", parent=style, keepWithNext=0)


def _style(commands: list) -> TableStyle:
    """A table style whose cells start in the shipped font (Table's default is Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.SANS), *commands])


def section_text(section: Section) -> str:
    """The section as plain text (for the letter dialog's draft view)."""
    lines = [section.heading.upper()]
    lines.extend(section.paragraphs)
    lines.extend(f"• {b}" for b in section.bullets)
    if section.table is not None:
        lines.append(" | ".join(section.table.header))
        lines.extend(" | ".join(row) for row in section.table.rows)
    lines.extend(section.after)
    lines.extend(section.small_after)
    return "\n".join(lines)


def p(text: str, style) -> Paragraph:
    """A paragraph of plain text (escaped, CJK runs in the CJK font)."""
    return Paragraph(fonts.markup(text), style)


def rich(markup_text: str, style) -> Paragraph:
    """A paragraph whose caller built the markup (values already through ``markup``)."""
    return Paragraph(markup_text, style)


def allergy_paragraph(note: AllergyNote, style) -> Paragraph:
    """The allergy line every letter and care plan carries; bold when it asks for action."""
    text = fonts.markup(note.line)
    return Paragraph(f"<b>{text}</b>" if note.stands_out else text, style)


def bullets(items: Sequence[str], st: Styles) -> list[Flowable]:
    return [Paragraph(fonts.markup(item), st.bullet, bulletText="•") for item in items]


def _compact(style):
    """``style`` at 8 pt: a table of many figures keeps whole words in narrow columns."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "Compact", parent=style, fontSize=8, leading=10)


def table(data: TableData, st: Styles, width: float, *, compact: bool = False) -> Table:
    cell = _compact(st.cell) if compact else st.cell
    cell_bold = _compact(st.cell_bold) if compact else st.cell_bold
    header = [Paragraph(fonts.markup(h), cell_bold) for h in data.header]
    rows = [[Paragraph(fonts.markup(c), cell) for c in row] for row in data.rows]
    widths = [width * w for w in data.widths]
    result = Table([header, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT")
    pad = 2 if compact else 3 if not st.large else 4
    result.setStyle(
        _style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
                ("LEFTPADDING", (0, 0), (-1, -1), pad + 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad + 1),
            ]
        )
    )
    return result


def section_flowables(section: Section, st: Styles, width: float) -> list[Flowable]:
    if section.table is not None and not (section.paragraphs or section.bullets):
        # A heading straight above a long table: keeping the two together would push
        # the whole table to the next page. Start a new page only when little is left,
        # and let the table split (its header row repeats).
        out: list[Flowable] = [
            CondPageBreak(st.base_size * 9),
            Paragraph(fonts.markup(section.heading), _no_keep(st.h1)),
        ]
    else:
        out = [p(section.heading, st.h1)]
    out.extend(p(text, st.body) for text in section.paragraphs)
    out.extend(bullets(section.bullets, st))
    if section.table is not None and section.table.rows:
        out.append(table(section.table, st, width))
        out.append(Spacer(1, st.base_size * 0.5))
    out.extend(p(text, st.body) for text in section.after)
    out.extend(p(text, st.muted) for text in section.small_after)
    return out


def boxed(flowables: list[Flowable], width: float, *, colour=ACCENT, background=SHADE) -> Table:
    """Flowables in a shaded box with a coloured left edge (the question, warnings)."""
    box = Table([[flowables]], colWidths=[width], hAlign="LEFT")
    box.setStyle(
        _style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("LINEBEFORE", (0, 0), (0, -1), 3, colour),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def signature_image(png: bytes | None, max_w: float = 55 * mm, max_h: float = 18 * mm):
    reader = image_reader(png)
    if reader is None or png is None:
        return None
    iw, ih = reader.getSize()
    scale = min(max_w / iw, max_h / ih)
    import io

    image = Image(io.BytesIO(png), width=iw * scale, height=ih * scale)
    image.hAlign = "LEFT"
    return image


def signature_block(
    st: Styles,
    *,
    closing: str,
    name: str,
    credentials: str,
    clinic: str,
    signature_png: bytes | None,
) -> list[Flowable]:
    """Closing words, signature image (or room to sign), name, credentials, clinic.

    A plain list: the caller keeps it together with what precedes it (nested
    KeepTogether blocks can leave an empty page behind).
    """
    parts: list[Flowable] = [p(closing, st.body)]
    image = signature_image(signature_png)
    if image is not None:
        parts.append(image)
    else:
        parts.append(Spacer(1, st.base_size * 2.2))
    parts.append(rich(f"<b>{fonts.markup(name)}</b>", st.body))
    if credentials:
        parts.append(p(credentials, st.small))
    if clinic:
        parts.append(p(clinic, st.small))
    return parts


def rule(width: float, colour=RULE) -> Table:
    line = Table([[""]], colWidths=[width], rowHeights=[2])
    line.setStyle(_style([("LINEABOVE", (0, 0), (-1, -1), 0.6, colour)]))
    return line


SPACER_SMALL = 2 * mm
WHITE = colors.white
