"""A generated letter, care plan or handout (made by the document service)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sijdesk.kinds.declare import Field, Kind, Style
from sijdesk.models.clinical import GeneratedDocument
from sijdesk.validation import Checker


def summarize(d: Mapping[str, Any]) -> str:
    return f"{d.get('title', '')} (PDF)"


def _built_by_the_service(c: Checker) -> None:
    """The document service builds these; no form records one."""


KIND = Kind(
    name="document",
    label="Document",
    model=GeneratedDocument,
    order=210,
    style=Style("#263238", "page", "■"),
    fields=(
        Field("document_kind", "Document kind", "text"),
        Field("title", "Title", "text"),
        Field("sha256", "Content fingerprint (SHA-256)", "text"),
        Field("parameters", "Parameters", "text"),
    ),
    unlisted_columns=("pdf",),  # fetched on its own when the document is opened
    validate=_built_by_the_service,
    summarize=summarize,
)
