"""The handout library: every handout parses, prints blank or for a patient, carries a version."""

from __future__ import annotations

import pytest

from sijdesk.reports import handouts
from sijdesk.reports.content import PatientInfo
from sijdesk.reports.styles import Letterhead
from tests.documents.conftest import TODAY
from tests.documents.pdfcheck import font_problems, pdf_pages, placeholders_in

REQUIRED = {
    "understanding-sij-pain",
    "sij-belt",
    "home-movement",
    "sij-injection",
    "sij-fusion",
    "medication-safety",
}
LETTERHEAD = Letterhead("Riverside Pelvis & Spine Clinic", "14 Mill Lane", "+44 1632 960 418")
WANG = PatientInfo(3, "000003", "芳", "王", TODAY.replace(year=1968, month=11, day=20))


def test_the_library_holds_every_required_handout_with_a_version():
    library = {h.name: h for h in handouts.list_handouts()}
    assert REQUIRED <= set(library)
    for handout in library.values():
        assert handout.version
        assert handout.title
        assert len(handout.sections) >= 3


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_each_handout_prints_for_a_patient(name):
    handout = handouts.load_handout(name)
    pdf = handouts.render_handout(handout, letterhead=LETTERHEAD, patient=WANG, given_on=TODAY)
    pages = pdf_pages(pdf)
    for page in pages:
        assert "王, 芳" in page
        assert "000003" in page
        assert "1968-11-20" in page
        assert f"version {handout.version}" in page
        assert "Confidential" in page
    text = " ".join(pages)
    assert f"Prepared for 王芳 on {TODAY.isoformat()}" in text
    assert handout.title in text
    assert placeholders_in(text) == []
    assert font_problems(pdf) == []


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_each_handout_prints_blank_with_lines_to_fill_in(name):
    handout = handouts.load_handout(name)
    pages = pdf_pages(handouts.render_handout(handout, letterhead=LETTERHEAD))
    for page in pages:
        assert "Name:" in page
        assert "Date of birth:" in page
        assert f"version {handout.version}" in page
        assert "Confidential" not in page  # nothing personal on a blank handout
    assert placeholders_in(" ".join(pages)) == []


def test_a_rewritten_handout_keeps_its_earlier_versions_readable():
    for handout in handouts.list_handouts():
        for version in handouts.earlier_versions(handout.name):
            earlier = handouts.load_handout_version(handout.name, version)
            assert earlier.version == version and earlier.name == handout.name
            assert handouts._version_key(version) < handouts._version_key(handout.version)
            assert earlier.sections != handout.sections  # a new version says something new
    # The plain-language rewrite (issue 18): version 2.0, the 1.0 text kept.
    assert handouts.earlier_versions("sij-fusion") == ["1.0"]
    assert handouts.load_handout("sij-fusion").version == "2.0"
    first = handouts.load_handout_version("sij-fusion", "1.0")
    assert first.title == "What sacroiliac joint fusion involves"
    with pytest.raises(handouts.HandoutError):
        handouts.load_handout_version("sij-fusion", "0.9")
    # Kept versions are not offered for printing.
    assert [h.name for h in handouts.list_handouts()].count("sij-fusion") == 1


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_handout_prints_in_large_print(name):
    handout = handouts.load_handout(name)
    normal = pdf_pages(handouts.render_handout(handout, letterhead=LETTERHEAD))
    large = pdf_pages(handouts.render_handout(handout, letterhead=LETTERHEAD, large_print=True))
    assert len(large) > len(normal)
    assert f"version {handout.version}" in large[-1]


def test_a_malformed_handout_file_is_reported_clearly():
    with pytest.raises(handouts.HandoutError, match="name"):
        handouts.parse_handout("x", 'name = "y"\ntitle = "T"\nversion = "1"\n')
    with pytest.raises(handouts.HandoutError, match="drawing"):
        handouts.parse_handout(
            "x",
            'name = "x"\ntitle = "T"\nversion = "1"\n[[sections]]\nheading = "H"\n'
            'text = "t"\ndrawing = "nope"\n',
        )
    with pytest.raises(handouts.HandoutError, match="no handout"):
        handouts.load_handout("does-not-exist")
