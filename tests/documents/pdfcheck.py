"""Reading generated PDFs back in tests: text, fonts, placeholders."""

from __future__ import annotations

import io
import re

PLACEHOLDERS = ("TODO", "lorem", "Lorem", "{", "}", "None", "XXX", "nan", "N/A")


def pdf_pages(pdf: bytes) -> list[str]:
    """Text of each page, whitespace runs collapsed to one space."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages]


def pdf_text(pdf: bytes) -> str:
    return " ".join(pdf_pages(pdf))


def font_problems(pdf: bytes) -> list[str]:
    """Fonts used by any page that are not embedded TrueType (FontFile2)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    problems = []
    for number, page in enumerate(reader.pages, 1):
        fonts = page.get("/Resources", {}).get("/Font", {})
        for key, ref in fonts.items():
            font = ref.get_object()
            descriptors = []
            if "/FontDescriptor" in font:
                descriptors.append(font["/FontDescriptor"].get_object())
            for child_ref in font.get("/DescendantFonts", []):
                child = child_ref.get_object()
                if "/FontDescriptor" in child:
                    descriptors.append(child["/FontDescriptor"].get_object())
            if not descriptors or not all("/FontFile2" in d for d in descriptors):
                problems.append(f"page {number} {key} {font.get('/BaseFont')}")
    return problems


def placeholders_in(text: str) -> list[str]:
    found = []
    for word in PLACEHOLDERS:
        if word in ("None", "nan", "N/A"):
            if re.search(rf"(?<![\w/]){re.escape(word)}(?![\w/])", text):
                found.append(word)
        elif word in text:
            found.append(word)
    return found
