"""The follow-up list printed for reception: whom to call, with room to write.

Handed text only (the service chose the rows and the wording: reception's copy
carries no clinical reason). It names patients, so it is marked confidential.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from reportlab.platypus import Flowable, Spacer

from sijdesk.reports.blocks import TableData, p, table
from sijdesk.reports.styles import (
    DocumentMeta,
    Letterhead,
    PageIdentity,
    build_pdf,
    frame_width,
    stylesheet,
)

COLUMNS = ("Due since", "Record", "Name", "Phone", "Reason", "Outcome of the call")
WIDTHS = (0.11, 0.09, 0.22, 0.16, 0.2, 0.22)


def render_call_list(
    rows: Sequence[tuple[str, str, str, str, str]],
    *,
    printed_on: date,
    total: int,
    letterhead: Letterhead,
    created: datetime | None = None,
) -> bytes:
    """``rows``: (due since, record number, name, phone, reason), longest due first."""
    st = stylesheet()
    width = frame_width(letterhead.page_size)
    story: list[Flowable] = [p("Follow-up call list", st.title), Spacer(1, 2)]
    shown = len(rows)
    story.append(
        p(
            f"{total} patients are due for follow-up"
            + (f"; the {shown} due longest are listed." if total > shown else ".")
            if total
            else "Nobody is due for follow-up.",
            st.body,
        )
    )
    if rows:
        cells = tuple((*row, "") for row in rows)
        story.append(table(TableData(COLUMNS, cells, WIDTHS), st, width, compact=True))
    meta = DocumentMeta(
        title="Follow-up call list",
        subject=f"Follow-up call list printed {printed_on.isoformat()}",
        author=letterhead.clinic_name or "SIJ Desk",
        created=created or datetime.now(UTC),
        keywords=("SIJ Desk", "follow-up"),
        footer_note=f"Follow-up call list, {printed_on.isoformat()}",
    )
    return build_pdf(
        story,
        letterhead=letterhead,
        identity=PageIdentity(about="Follow-up call list", detail=printed_on.isoformat()),
        meta=meta,
    )
