"""The handout library: texts in ``sijdesk.resources/handouts/*.toml``, printed as PDFs.

One TOML file per handout::

    name = "sij-belt"            # the file's stem; what the command line uses
    title = "Using a sacroiliac joint belt"
    version = "1.0"              # printed on every copy and recorded per print
    updated = "2026-11-29"
    summary = "..."

    [[sections]]
    heading = "Where it goes"
    text = \"\"\"
    A paragraph. Blank lines separate paragraphs.

    - a line starting with "- " is a bullet
    \"\"\"
    drawing = "belt"             # optional: a drawing from reports/drawings.py
    table_header = ["When", "Pain score 0-10"]   # optional: a table to fill in
    table_rows = [["Before", ""]]

A handout prints blank (lines to write the patient's details in) or with a
patient's name, date of birth, record number and the date it was given.

A rewritten handout is a new version: the file keeps its name with a higher
``version``, and the text it replaces moves to ``handouts/previous/NAME-VERSION.toml``,
so the version recorded for each print can still be read as it was given
(:func:`load_handout_version`).
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources

from reportlab.platypus import Flowable, KeepTogether, Spacer

from sijdesk.reports import drawings, fonts
from sijdesk.reports.blocks import TableData, bullets, p, rich, table
from sijdesk.reports.content import PatientInfo
from sijdesk.reports.styles import (
    DocumentMeta,
    Letterhead,
    PageIdentity,
    build_pdf,
    frame_width,
    stylesheet,
)

log = logging.getLogger(__name__)


class HandoutError(ValueError):
    """A handout file is missing or malformed."""


@dataclass(frozen=True)
class HandoutSection:
    heading: str
    text: str
    drawing: str | None = None
    table_header: tuple[str, ...] = ()
    table_rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Handout:
    name: str
    title: str
    version: str
    updated: str
    summary: str
    sections: tuple[HandoutSection, ...]

    @property
    def label(self) -> str:
        return f"{self.title} (version {self.version})"


def _folder():
    return resources.files("sijdesk.resources") / "handouts"


def _text(data: dict, key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise HandoutError(f"{where}: {key!r} must be non-empty text")
    return value.strip()


def parse_handout(name: str, raw: str) -> Handout:
    """Check one handout file's content and return it."""
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise HandoutError(f"handout {name}: {exc}") from exc
    where = f"handout {name}"
    if data.get("name") != name:
        raise HandoutError(f"{where}: 'name' must be {name!r} (the file name)")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise HandoutError(f"{where}: needs at least one [[sections]] entry")
    sections = []
    for index, sec in enumerate(raw_sections):
        at = f"{where} section {index + 1}"
        drawing = sec.get("drawing")
        if drawing is not None and drawing not in drawings.DRAWINGS:
            raise HandoutError(f"{at}: unknown drawing {drawing!r}")
        header = tuple(str(h) for h in sec.get("table_header") or ())
        rows = tuple(tuple(str(c) for c in row) for row in sec.get("table_rows") or ())
        if rows and any(len(r) != len(header) for r in rows):
            raise HandoutError(f"{at}: every table row needs {len(header)} cells")
        sections.append(
            HandoutSection(
                heading=_text(sec, "heading", at),
                text=_text(sec, "text", at),
                drawing=drawing,
                table_header=header,
                table_rows=rows,
            )
        )
    return Handout(
        name=name,
        title=_text(data, "title", where),
        version=_text(data, "version", where),
        updated=_text(data, "updated", where, required=False),
        summary=_text(data, "summary", where, required=False),
        sections=tuple(sections),
    )


@lru_cache(maxsize=1)
def _library() -> dict[str, Handout]:
    found = {}
    for entry in sorted(_folder().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            name = entry.name[: -len(".toml")]
            found[name] = parse_handout(name, entry.read_text(encoding="utf-8"))
    return found


def list_handouts() -> list[Handout]:
    """Every shipped handout, sorted by title."""
    return sorted(_library().values(), key=lambda h: h.title.casefold())


def load_handout(name: str) -> Handout:
    try:
        return _library()[name]
    except KeyError:
        raise HandoutError(
            f"there is no handout called {name!r}; choose one of: " + ", ".join(_library())
        ) from None


def load_handout_version(name: str, version: str) -> Handout:
    """The handout as it read at ``version``: the current one, or a kept earlier one."""
    current = load_handout(name)
    if current.version == version:
        return current
    entry = _folder() / "previous" / f"{name}-{version}.toml"
    if not entry.is_file():
        raise HandoutError(f"there is no version {version!r} of the handout {name!r}")
    earlier = parse_handout(name, entry.read_text(encoding="utf-8"))
    if earlier.version != version:
        raise HandoutError(f"{entry.name}: its 'version' must be {version!r}")
    return earlier


def earlier_versions(name: str) -> list[str]:
    """The versions of ``name`` kept from before the current one, oldest first."""
    folder = _folder() / "previous"
    if not folder.is_dir():
        return []
    prefix = f"{name}-"
    found = [
        entry.name[len(prefix) : -len(".toml")]
        for entry in folder.iterdir()
        if entry.name.startswith(prefix) and entry.name.endswith(".toml")
    ]
    return sorted(found, key=_version_key)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def _section_flowables(section: HandoutSection, st, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    blocks = [b.strip() for b in section.text.split("\n\n") if b.strip()]
    for block in blocks:
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        items = [line[2:] for line in lines if line.startswith("- ")]
        if items and len(items) == len(lines):
            out.extend(bullets(items, st))
        else:
            out.append(p(" ".join(lines), st.body))
    if section.table_header:
        out.append(
            table(
                TableData(
                    section.table_header,
                    section.table_rows,
                    (0.34, 0.22, 0.44)[: len(section.table_header)]
                    if len(section.table_header) == 3
                    else tuple(1 / len(section.table_header) for _ in section.table_header),
                ),
                st,
                width,
            )
        )
        out.append(Spacer(1, st.base_size * 0.5))
    heading = p(section.heading, st.h1)
    if section.drawing:
        label_size = 11 if st.large else 8
        scale = 0.78 if section.drawing in ("pelvis", "belt") else 1.0
        drawing = drawings.DRAWINGS[section.drawing](width * scale, label_size)
        drawing.hAlign = "CENTER"
        out.append(Spacer(1, st.base_size * 0.3))
        out.append(drawing)
        out.append(Spacer(1, st.base_size * 0.5))
    return [KeepTogether([heading, *out[:2]]), *out[2:]]


def build_handout_story(
    handout: Handout,
    *,
    patient: PatientInfo | None,
    given_on: date | None,
    large_print: bool,
    page_size: str,
) -> list[Flowable]:
    st = stylesheet(large_print)
    width = frame_width(page_size)
    story: list[Flowable] = [p(handout.title, st.title)]
    if patient is not None:
        when = given_on.isoformat() if given_on else ""
        story.append(
            rich(
                f"Prepared for <b>{fonts.markup(patient.full_name)}</b> on {when}.",
                st.body,
            )
        )
    else:
        story.append(p("Given to: ______________________________   on: ______________", st.body))
    if handout.summary:
        story.append(p(handout.summary, st.muted))
    for section in handout.sections:
        story.extend(_section_flowables(section, st, width))
    story.append(Spacer(1, st.base_size))
    story.append(
        p(
            "This leaflet gives general information. Your own clinician's advice comes first; "
            "ask us if anything here does not seem to fit you.",
            st.muted,
        )
    )
    return story


def render_handout(
    handout: Handout,
    *,
    letterhead: Letterhead,
    patient: PatientInfo | None = None,
    given_on: date | None = None,
    large_print: bool = False,
    page_size: str | None = None,
    created: datetime | None = None,
) -> bytes:
    """The handout as PDF bytes, blank or for ``patient``."""
    size = page_size or letterhead.page_size
    identity = patient.identity() if patient is not None else PageIdentity()
    subject = f"Patient handout {handout.name}, version {handout.version}"
    if patient is not None:
        subject += f", for {patient.display_name} (record {patient.record_number})"
    meta = DocumentMeta(
        title=handout.title,
        subject=subject,
        author=letterhead.clinic_name or "SIJ Desk",
        created=created or datetime.now(UTC),
        keywords=("SIJ Desk", "handout", handout.name, f"version {handout.version}"),
        footer_note=f"Handout {handout.name}, version {handout.version}",
        confidential=patient is not None,
    )
    story = build_handout_story(
        handout, patient=patient, given_on=given_on, large_print=large_print, page_size=size
    )
    return build_pdf(
        story,
        letterhead=letterhead,
        identity=identity,
        meta=meta,
        large_print=large_print,
        page_size=size,
    )
