"""A generated letter, care plan or handout (made by the document service)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared
from sijdesk.models.clinical import GeneratedDocument
from sijdesk.validation import Checker


def summarize(d: Mapping[str, Any]) -> str:
    return f"{d.get('title', '')} (PDF)"


def _built_by_the_service(c: Checker) -> None:
    """The document service builds these; no form records one."""


@dataclass(frozen=True)
class DocumentRecord:
    document_kind: str = declared("Document kind", "text")
    title: str = declared("Title", "text")
    sha256: str = declared("Content fingerprint (SHA-256)", "text")
    # Everything needed to regenerate the same document.
    parameters: dict[str, Any] = declared("Parameters", "text")


KIND = Kind(
    name="document",
    label="Document",
    model=GeneratedDocument,
    order=210,
    style=Style("#263238", "page", "■"),
    record=DocumentRecord,
    unlisted_columns=("pdf",),  # fetched on its own when the document is opened
    validate=_built_by_the_service,
    summarize=summarize,
)
