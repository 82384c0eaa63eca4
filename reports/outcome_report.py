"""The clinic's outcome report as a PDF: a summary, its charts, then one table per
question.

It is handed text and figures only (the service has already counted and hidden small
numbers), so this module knows nothing of the database. The page strip names
the report and its period instead of a patient; no patient is named anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from reportlab.platypus import Flowable, KeepTogether, Spacer

from sijdesk.reports.blocks import TableData, p, table
from sijdesk.reports.charts import BarChartData, bar_chart
from sijdesk.reports.styles import (
    DocumentMeta,
    Letterhead,
    PageIdentity,
    build_pdf,
    frame_width,
    stylesheet,
)


class Chart(BarChartData, Protocol):
    """One chart of the report (the service's ReportChart)."""

    @property
    def not_drawn(self) -> str: ...


class Table(Protocol):
    """One table of the report (the service's ReportTable)."""

    @property
    def heading(self) -> str: ...

    @property
    def header(self) -> tuple[str, ...]: ...

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]: ...


def _widths(columns: int) -> tuple[float, ...]:
    """The first column (what the row is) wider; the figures share the rest. With nine
    columns each figure's column still holds its header's longest word at 8 pt."""
    if columns == 1:
        return (1.0,)
    first = 0.18 if columns > 3 else 0.5
    rest = (1.0 - first) / (columns - 1)
    return (first, *([rest] * (columns - 1)))


def build_story(
    title: str,
    summary: Sequence[tuple[str, str]],
    tables: Sequence[Table],
    notes: Sequence[str],
    width: float,
    charts: Sequence[Chart] = (),
) -> list[Flowable]:
    st = stylesheet()
    story: list[Flowable] = [p(title, st.title), Spacer(1, 4)]
    story.append(table(TableData(("", ""), tuple(summary), (0.35, 0.65)), st, width * 0.7))
    for chart in charts:
        parts: list[Flowable] = [p(chart.title, st.h2), bar_chart(chart, width=width)]
        if chart.not_drawn:
            parts.append(p(chart.not_drawn, st.small))
        story.append(KeepTogether(parts))
    for part in tables:
        rows = part.rows or (("none", *([""] * (len(part.header) - 1))),)
        story.append(
            KeepTogether(
                [
                    p(part.heading, st.h2),
                    table(
                        TableData(part.header, rows, _widths(len(part.header))),
                        st,
                        width,
                        compact=len(part.header) > 4,
                    ),
                ]
            )
        )
    if notes:
        story.append(p("How to read this report", st.h2))
        story.extend(p(note, st.small) for note in notes)
    return story


def render_outcome_report(
    *,
    title: str,
    about: str,
    detail: str,
    summary: Sequence[tuple[str, str]],
    tables: Sequence[Table],
    notes: Sequence[str],
    letterhead: Letterhead,
    charts: Sequence[Chart] = (),
    created: datetime | None = None,
) -> bytes:
    """The report as PDF bytes on the clinic's letterhead."""
    meta = DocumentMeta(
        title=title,
        subject=f"{title}: {about}, {detail}",
        author=letterhead.clinic_name or "SIJ Desk",
        created=created or datetime.now(UTC),
        keywords=("SIJ Desk", "outcome report"),
        footer_note="Clinic outcome report: no patient is named in it",
        confidential=False,
    )
    story = build_story(
        title, summary, tables, notes, frame_width(letterhead.page_size), charts=charts
    )
    return build_pdf(
        story,
        letterhead=letterhead,
        identity=PageIdentity(about=about, detail=detail),
        meta=meta,
    )
