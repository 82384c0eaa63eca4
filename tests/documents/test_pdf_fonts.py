"""Shipped fonts, licences, and the CJK run splitting that prevents boxes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources

from reportlab.platypus import Paragraph

from sijdesk.reports import fonts, styles
from tests.documents.pdfcheck import font_problems, pdf_pages

NAMES = "Zoë Łukasiewicz, François Nguyễn and 王芳"


def test_every_shipped_font_has_a_licence_and_the_set_stays_small():
    folder = resources.files("sijdesk.resources") / "fonts"
    files = {entry.name: entry for entry in folder.iterdir()}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallbackFull.ttf"} <= set(files)
    assert "LICENSE-DejaVu.txt" in files
    assert "Bitstream" in files["LICENSE-DejaVu.txt"].read_text()
    assert "Apache License" in files["LICENSE-DroidSansFallback.txt"].read_text()
    total = sum(len(e.read_bytes()) for n, e in files.items() if n.endswith(".ttf"))
    # The Korean font (Hangul) is most of it; every script a name is written in costs.
    assert total < 12 * 1024 * 1024
    for licence in ("LICENSE-Nanum.txt", "LICENSE-Noto.txt"):
        assert "SIL Open Font License" in files[licence].read_text()
    for name, entry in files.items():
        if name.endswith(".ttf"):
            data = entry.read_bytes()
            assert data[:4] == b"\x00\x01\x00\x00", f"{name} is not TrueType outlines"
            assert b"glyf" in data[:1024], f"{name} has no glyf table"


def test_latin_names_stay_in_the_main_font_and_chinese_goes_to_the_cjk_font():
    result = fonts.runs(NAMES)
    assert [r.font for r in result] == [fonts.SANS, fonts.CJK]
    assert result[0].text == "Zoë Łukasiewicz, François Nguyễn and "
    assert result[1].text == "王芳"
    assert "".join(r.text for r in result) == NAMES


def test_every_character_of_the_names_has_a_glyph_in_its_run_font():
    for run in fonts.runs(NAMES + " Ελένη Ольга Nguyễn Thị Ánh ✓ ✗ – …"):
        for char in run.text:
            if not char.isspace():
                assert fonts.has_glyph(run.font, char), (char, run.font)


def test_markup_escapes_text_and_wraps_cjk_runs():
    text = fonts.markup("A & B <i> 王芳")
    assert text == 'A &amp; B &lt;i&gt; <font name="SijCJK">王芳</font>'
    assert fonts.markup(None) == ""
    assert fonts.markup("line one\nline two") == "line one<br/>line two"


def test_fit_text_shortens_with_an_ellipsis():
    long = "Wojciechowska-Łukasiewicz " * 10
    short = fonts.fit_text(long, fonts.SANS, 9, 100)
    assert short.endswith("…")
    assert fonts.text_width(short, fonts.SANS, 9) <= 100


def test_non_latin_names_survive_a_pdf_round_trip_with_embedded_fonts():
    st = styles.stylesheet()
    pdf = styles.build_pdf(
        [Paragraph(fonts.markup(NAMES), st.body)],
        letterhead=styles.Letterhead("Clinic 王"),
        identity=styles.PageIdentity("王, 芳", date(1968, 11, 20), "000003"),
        meta=styles.DocumentMeta("Test", "subject", "author", datetime(2026, 11, 29, tzinfo=UTC)),
    )
    (page,) = pdf_pages(pdf)
    assert NAMES in page
    assert "王, 芳" in page
    assert font_problems(pdf) == []


def test_same_content_gives_the_same_bytes():
    st = styles.stylesheet()

    def build():
        return styles.build_pdf(
            [Paragraph("same", st.body)],
            letterhead=styles.Letterhead("Clinic"),
            identity=styles.PageIdentity(),
            meta=styles.DocumentMeta("T", "S", "A", datetime(2026, 11, 29, 9, 30, tzinfo=UTC)),
        )

    assert build() == build()


SCRIPTS = {
    "Korean": "김민준",
    "Devanagari": "अनन्या शर्मा",
    "Chinese": "王芳",
    "Japanese": "山田 はなこ",
    "Greek": "Αλέξανδρος",
    "Cyrillic": "Наталья",
    "Vietnamese": "NGUYỄN Thị Ánh",
}


def test_every_script_is_set_in_a_font_that_has_its_glyphs():
    for script, name in SCRIPTS.items():
        for run in fonts.runs(name):
            for char in run.text:
                if not char.isspace():
                    assert fonts.has_glyph(run.font, char), (script, char, run.font)
    assert {r.font for r in fonts.runs(SCRIPTS["Korean"])} == {fonts.KOREAN}
    assert {r.font for r in fonts.runs(SCRIPTS["Devanagari"])} == {fonts.DEVANAGARI}


def test_names_in_every_script_come_back_out_of_a_pdf():
    st = styles.stylesheet()

    pdf = styles.build_pdf(
        [Paragraph(fonts.markup(name), st.body) for name in SCRIPTS.values()],
        letterhead=styles.Letterhead("Clinic"),
        identity=styles.PageIdentity(SCRIPTS["Korean"], date(1968, 11, 20), "000003"),
        meta=styles.DocumentMeta("Test", "subject", "author", datetime(2026, 11, 29, tzinfo=UTC)),
    )
    (page,) = pdf_pages(pdf)
    for script, name in SCRIPTS.items():
        assert name in page, (script, name)
    assert font_problems(pdf) == []
