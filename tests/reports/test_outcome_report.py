"""The outcome report on a small clinic whose every figure is worked out by hand."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from sijdesk.errors import PermissionDenied, ValidationError
from sijdesk.models.clinical import odi_tenths
from sijdesk.services.audit import AuditFilter
from tests.conftest import TODAY
from tests.signin import add_user, database_option, run_sijdesk
from tests.window_fixtures import register

START = date(2025, 12, 1)
# Episodes are opened now, by the real clock; a day more keeps them in range when
# the run crosses midnight after this line was read (it failed so at 00:08).
END = max(TODAY, date.today()) + timedelta(days=1)
IN_RANGE = TODAY - timedelta(weeks=20)

ODI_40 = [2] * 10  # 40.0 %
ODI_34 = [2, 2, 2, 2, 2, 2, 2, 1, 1, 1]  # 34.0 %
ODI_50 = [3, 3, 3, 3, 3, 2, 2, 2, 2, 2]  # 50.0 %: down 10 points to 40, exactly the threshold


def day(n: int) -> date:
    return IN_RANGE + timedelta(days=n)


class Builder:
    def __init__(self, clinic):
        self.clinic = clinic
        self.count = 0

    def episode(self, *, clinic=None):
        acting = clinic or self.clinic
        self.count += 1
        patient = register(acting, "Test", f"Outcome{self.count:02d}", "1970-01-01")
        return acting.episodes.create(
            patient.id, {"side": "right", "onset_date": IN_RANGE - timedelta(weeks=8)}
        )

    def measure(self, episode, when, nrs=None, odi=None, *, clinic=None):
        data = {"date": when, "nrs": nrs, "odi_items": odi}
        return (clinic or self.clinic).timeline.add(episode.id, "outcome", data)

    def therapy(self, episode, when, *, clinic=None):
        data = {"date": when, "components": ["met"], "minutes": 45}
        return (clinic or self.clinic).timeline.add(episode.id, "therapy", data)

    def injection(self, episode, when, purpose="diagnostic", relief=None, weeks=None):
        data = {"date": when, "purpose": purpose, "side": "right", "agent": "bupivacaine"}
        data |= {"relief_percent": relief, "relief_weeks": weeks}
        return self.clinic.timeline.add(episode.id, "injection", data)

    def consult(self, episode, when, specialty):
        data = {"date": when, "specialty": specialty}
        return self.clinic.timeline.add(episode.id, "consult", data)


@pytest.fixture
def crafted(clinic):
    """Conservative care: 11 episodes in the period (7 measured before and after, 4
    improved, 2 without a baseline, 2 without a follow-up), one before the period;
    two injected episodes (one first injected before the period); one rheumatology
    consult, one spine surgery consult; three letters."""
    clin = add_user(clinic, "clin", "Dr Report", "clinician")
    b = Builder(clin)
    e1 = b.episode()  # NRS 8 -> 5: improved (3 points); ODI 40 -> 40
    b.measure(e1, day(0), nrs=8, odi=ODI_40)
    b.therapy(e1, day(1))
    b.measure(e1, day(40), nrs=5, odi=ODI_40)
    e2 = b.episode()  # NRS 6 -> 5, ODI 40 -> 34: neither enough
    b.measure(e2, day(0), nrs=6, odi=ODI_40)
    b.therapy(e2, day(2))
    b.measure(e2, day(30), nrs=5, odi=ODI_34)
    e3 = b.episode()  # NRS 5 -> 5
    b.measure(e3, day(0), nrs=5)
    b.therapy(e3, day(3))
    b.measure(e3, day(50), nrs=5)
    e4 = b.episode()  # a baseline, no follow-up
    b.measure(e4, day(0), nrs=7)
    b.therapy(e4, day(3))
    e5 = b.episode()  # no measure at all
    b.therapy(e5, day(4))
    e6 = b.episode()  # measured only after the therapy began: no baseline
    b.therapy(e6, day(4))
    b.measure(e6, day(30), nrs=4)
    e7 = b.episode()  # NRS 10 -> 7: improved; the baseline is the last before therapy
    b.measure(e7, day(-10), nrs=3)
    b.measure(e7, day(0), nrs=10)
    b.therapy(e7, day(5))
    b.therapy(e7, day(12))
    b.measure(e7, day(20), nrs=9)
    b.measure(e7, day(60), nrs=7)
    e8 = b.episode()  # ODI 50 -> 40: exactly 10 points, improved
    b.measure(e8, day(0), odi=ODI_50)
    b.therapy(e8, day(1))
    b.measure(e8, day(30), odi=ODI_40)
    e11 = b.episode()  # follow-up 3 amended to 6: 6 -> 6, not improved
    b.measure(e11, day(0), nrs=6)
    b.therapy(e11, day(1))
    wrong = b.measure(e11, day(30), nrs=3)
    clin.timeline.amend(wrong.id, {"date": day(30), "nrs": 6}, "typed the wrong score")
    e12 = b.episode()  # its only follow-up was entered in error
    b.measure(e12, day(0), nrs=8)
    b.therapy(e12, day(1))
    mistaken = b.measure(e12, day(30), nrs=2)
    clin.timeline.remove(mistaken.id, "recorded in the wrong patient")
    e10 = b.episode()  # therapy began before the period: not counted
    b.measure(e10, date(2025, 6, 1), nrs=9)
    b.therapy(e10, date(2025, 6, 2))
    b.measure(e10, day(10), nrs=2)
    # Another clinician's episode: in the clinic's figures, not in Dr Report's.
    other = add_user(clinic, "clin2", "Dr Other", "clinician")
    e9 = b.episode(clinic=other)  # NRS 9 -> 4: improved
    b.measure(e9, day(0), nrs=9, clinic=other)
    b.therapy(e9, day(1), clinic=other)
    b.measure(e9, day(30), nrs=4, clinic=other)
    # Injections: one improved (twice injected, counted once), one never measured.
    # Diagnostic: 80 % relief, and one not yet recorded; therapeutic: 60 % for 10 weeks.
    e13 = b.episode()
    b.measure(e13, day(0), nrs=7)
    b.injection(e13, day(2), relief=80)
    b.injection(e13, day(60), "therapeutic", relief=60, weeks=10)
    b.measure(e13, day(70), nrs=3)
    e14 = b.episode()
    b.injection(e14, day(5))
    b.injection(e14, date(2025, 11, 1), relief=90)  # before the period
    # Letters (dated today): a rheumatology letter after the consult it might have
    # asked for (not yet followed), a spine surgeon letter seen the same day.
    e15 = b.episode()
    b.consult(e15, day(9), "rheumatology")
    b.consult(e15, day(10), "pain_medicine")
    clin.documents.create_letter(e15.id, "rheumatology")
    clin.episodes.close(e15.id, "discharged", closed_on=day(30))
    e16 = b.episode()
    clin.documents.create_letter(e16.id, "spine_surgeon")
    clin.documents.create_letter(e16.id, "spine_surgeon")  # sent again: one referral
    b.consult(e16, TODAY, "spine_surgery")
    # Decisions (dated today): one followed, six overridden, five for the same reason
    # written a little differently each time, one for a reason given once.
    for episode, reason in (
        (e1, None),
        (e2, "Patient prefers physiotherapy"),
        (e3, "patient prefers physiotherapy "),
        (e4, "PATIENT PREFERS PHYSIOTHERAPY"),
        (e5, "Patient prefers physiotherapy"),
        (e6, " Patient prefers physiotherapy"),
        (e7, "Travelling abroad for three months"),
    ):
        advice = clin.pathway.episode_advice(episode.id).advice
        clin.pathway.record_decision(
            episode.id, advice, accepted=reason is None, reason=reason or ""
        )
    return clinic


HEADERS = (
    "Step",
    "At the step",
    "Clinician",
    "Clinician and step",
    "After the decision",
    "Override reasons",
    "Injections by kind",
    "Referral letters",
)


def _step(report, step):
    return next(s for s in report.steps if s.step == step)


def test_every_figure_of_a_crafted_clinic(crafted):
    report = crafted.outcomes.report(START, END)
    assert report.episodes_opened == 16
    assert report.episodes_closed == 1
    conservative = _step(report, "conservative")
    assert conservative.reached == 11
    assert conservative.measured == 7
    assert conservative.improved == 4
    assert conservative.no_baseline == 2
    assert conservative.no_follow_up == 2
    # NRS changes -5, -3, -3, -1, 0, 0; ODI changes -10, -6, 0.
    assert (conservative.nrs_pairs, conservative.median_nrs_change) == (6, -2.0)
    assert (conservative.odi_pairs, conservative.median_odi_change) == (3, -6.0)
    # Before 5, 6, 6, 8, 9, 10 and after 4, 5, 5, 5, 6, 7; ODI before 40, 40, 50, after
    # 34, 40, 40.
    assert (conservative.median_nrs_before, conservative.median_nrs_after) == (7.0, 5.0)
    assert (conservative.median_odi_before, conservative.median_odi_after) == (40.0, 40.0)
    injection = _step(report, "injection")
    # The second injected episode's first injection was before the period.
    assert (injection.reached, injection.measured, injection.improved) == (1, 1, 1)
    assert (injection.no_baseline, injection.no_follow_up) == (0, 0)
    assert injection.median_nrs_change == -4.0
    rheumatology = _step(report, "rheumatology")
    assert (rheumatology.reached, rheumatology.no_baseline) == (1, 1)
    surgery = _step(report, "surgery_evaluation")
    assert (surgery.reached, surgery.measured, surgery.median_nrs_change) == (1, 0, None)
    diagnostic, therapeutic = report.injections
    assert (diagnostic.given, diagnostic.relief_recorded) == (2, 1)
    assert (diagnostic.relief_50, diagnostic.relief_75, diagnostic.median_weeks) == (1, 1, None)
    assert (therapeutic.given, therapeutic.relief_50, therapeutic.relief_75) == (1, 1, 0)
    assert therapeutic.median_weeks == 10.0
    assert report.decisions == {"accepted": 1, "overridden": 6}
    assert report.override_reasons == (
        ("patient prefers physiotherapy", 5),
        ("travelling abroad for three months", 1),
    )
    followed, overridden = report.decision_outcomes
    assert (followed.reached, followed.no_follow_up) == (1, 1)
    assert (overridden.reached, overridden.no_baseline, overridden.no_follow_up) == (6, 1, 5)
    referrals = {r.kind: r for r in report.referrals}
    assert (referrals["spine_surgeon"].letters, referrals["spine_surgeon"].followed) == (1, 1)
    assert referrals["spine_surgeon"].median_days == 0.0
    assert (referrals["rheumatology"].letters, referrals["rheumatology"].not_yet) == (1, 1)
    assert referrals["physiotherapy"].letters == 0


def test_one_clinicians_episodes(crafted):
    report = crafted.outcomes.report(START, END, clinician="clin")
    assert report.clinician_name == "Dr Report"
    assert report.episodes_opened == 15
    conservative = _step(report, "conservative")
    assert (conservative.reached, conservative.measured, conservative.improved) == (10, 6, 3)


def test_each_clinicians_part_of_the_whole_clinic(crafted):
    report = crafted.outcomes.report(START, END)
    other, mine = report.clinicians  # by name: Dr Other, Dr Report
    assert (other.name, other.episodes_opened, other.episodes_closed) == ("Dr Other", 1, 0)
    assert other.decisions == {"accepted": 0, "overridden": 0}
    (care,) = other.steps
    assert (care.step, care.reached, care.measured, care.improved) == ("conservative", 1, 1, 1)
    assert (mine.name, mine.episodes_opened, mine.episodes_closed) == ("Dr Report", 15, 1)
    assert mine.decisions == {"accepted": 1, "overridden": 6}
    assert [s.step for s in mine.steps] == [
        "conservative",
        "injection",
        "surgery_evaluation",
        "rheumatology",
    ]
    care = mine.steps[0]
    assert (care.reached, care.measured, care.improved) == (10, 6, 3)
    assert (care.no_baseline, care.no_follow_up) == (2, 2)
    assert care.median_nrs_change is None  # medians are the whole clinic's only
    # The clinic's figures are the sum of its clinicians'.
    for index, step in enumerate(report.steps):
        parts = [s for person in report.clinicians for s in person.steps if s.step == step.step]
        assert step.reached == sum(s.reached for s in parts), index
        assert step.improved == sum(s.improved for s in parts), index
    # A report of one clinician's episodes is that clinician's row already.
    assert crafted.outcomes.report(START, END, clinician="clin").clinicians == ()


def test_small_numbers_are_hidden_in_the_table(crafted):
    rows = crafted.outcomes.report(START, END).rows()
    header, table = None, {}
    for row in rows:  # each section's rows under its header
        if row[0] in HEADERS:
            header = row
        elif header is not None and len(row) == len(header):
            table[header[0], row[0]] = dict(zip(header, row, strict=True))
        else:
            header = None  # a line of its own ends the section
    care = table["Step", "Conservative care"]
    assert care["Reached"] == "11"
    assert care["Measured"] == "7"
    assert care["Improved"] == "fewer than 5"
    assert care["Share improved"] == "fewer than 5"
    assert care["No baseline"] == "fewer than 5"
    assert care["Median NRS change"] == "-2.0"
    assert care["Median ODI change"] == "fewer than 5"  # three pairs only
    before_after = table["At the step", "Conservative care"]
    assert (before_after["NRS pairs"], before_after["NRS before"]) == ("6", "7.0")
    assert before_after["NRS after"] == "5.0"
    assert before_after["ODI pairs"] == before_after["ODI before"] == "fewer than 5"
    assert table["Step", "Rheumatology"]["Reached"] == "fewer than 5"
    assert table["Step", "Surgical evaluation"]["Median NRS change"] == "none"
    assert table["Injections by kind", "Diagnostic block"]["Given"] == "fewer than 5"
    assert table["Injections by kind", "Therapeutic injection"]["Median weeks of relief"] == (
        "fewer than 5"
    )
    assert table["Referral letters", "Rheumatology"]["Not yet"] == "fewer than 5"
    assert table["Referral letters", "Physiotherapy"]["Letters"] == "0"
    assert table["After the decision", "Advice overridden"]["Episodes"] == "6"
    # A reason given five times is shown; one given once is only counted.
    assert table["Override reasons", "patient prefers physiotherapy"]["Times given"] == "5"
    assert table["Override reasons", "other reasons"]["Times given"] == "fewer than 5"
    assert not any("travelling" in cell.lower() for row in rows for cell in row)
    assert ("Episodes closed", "fewer than 5") in rows
    assert table["Clinician", "Dr Report"]["Advice overridden"] == "6"
    assert table["Clinician", "Dr Other"]["Episodes opened"] == "fewer than 5"
    mine = table["Clinician and step", "Dr Report: Conservative care"]
    assert (mine["Reached"], mine["Measured"], mine["Share improved"]) == (
        "10",
        "6",
        "fewer than 5",
    )
    assert table["Clinician and step", "Dr Other: Conservative care"]["Reached"] == "fewer than 5"
    assert ("Clinician and step", "Dr Other: Injection") not in table  # never reached


def test_the_charts_draw_only_what_the_tables_show(crafted):
    improved, pain, disability = crafted.outcomes.report(START, END).charts()
    assert improved.categories == (
        "Conservative care",
        "Injection",
        "Surgical evaluation",
        "Rheumatology",
    )
    # Four of seven improved: fewer than 5, so the share is not drawn.
    assert improved.series == (("Improved", (None, None, None, None)),)
    assert pain.series == (("Before", (7.0, None, None, None)), ("After", (5.0, None, None, None)))
    assert disability.series[0][1] == (None, None, None, None)  # three ODI pairs only
    assert "Injection" in pain.not_drawn and "Conservative care" not in pain.not_drawn
    assert "Conservative care" in improved.not_drawn
    assert (pain.maximum, disability.maximum) == (10, 100)


def test_a_share_of_five_or_more_is_drawn(crafted):
    report = crafted.outcomes.report(START, END)
    assert report.shown_share(5, 8) == 62.5
    assert report.shown_share(4, 8) is None and report.shown_share(0, 8) == 0
    assert report.shown_share(5, 4) is None


def test_an_administrator_sets_the_smallest_count_shown(crafted):
    assert crafted.outcomes.minimum_cell() == 5
    crafted.settings.update({"report_min_cell": 3})
    report = crafted.outcomes.report(START, END)
    care = next(row for row in report.tables()[0].rows if row[0] == "Conservative care")
    assert care[3] == "4"  # four improved: shown now
    assert care[4] == "57 %"  # 4 of 7
    (event,) = crafted.audit.events(AuditFilter(action="settings.update"))
    assert event.details == {"before": {"report_min_cell": 5}, "after": {"report_min_cell": 3}}
    for refused in (1, 21):
        with pytest.raises(ValidationError) as bad:
            crafted.settings.update({"report_min_cell": refused})
        assert "report_min_cell" in bad.value.errors
    clinician = add_user(crafted, "clin3", "Dr Third", "clinician")
    with pytest.raises(PermissionDenied):
        clinician.settings.update({"report_min_cell": 10})
    assert crafted.outcomes.minimum_cell() == 3


def test_a_period_before_any_care_counts_nothing(crafted):
    report = crafted.outcomes.report(date(2024, 1, 1), date(2024, 12, 31))
    assert report.episodes_opened == 0
    assert all(step.reached == 0 for step in report.steps)


def test_reception_is_refused_and_bad_input_is_named(crafted):
    reception = add_user(crafted, "desk", "Front Desk", "reception")
    with pytest.raises(PermissionDenied):
        reception.outcomes.report(START, END)
    with pytest.raises(ValidationError) as bad:
        crafted.outcomes.report(END, START)
    assert "start" in bad.value.errors
    with pytest.raises(ValidationError) as unknown:
        crafted.outcomes.report(START, END, clinician="nobody")
    assert "clinician" in unknown.value.errors


def test_making_the_report_is_audited_with_its_period_and_output(crafted):
    crafted.outcomes.report(START, END, clinician="clin", output="csv")
    (event,) = crafted.audit.events(AuditFilter(action="report"))
    assert (event.action, event.entity) == ("report", "outcomes")
    assert event.details["from"] == START.isoformat()
    assert event.details["output"] == "csv"
    assert event.details["clinician_id"] is not None


def test_odi_tenths_follow_the_pathway_rule():
    assert odi_tenths(ODI_40) == 400
    assert odi_tenths([3, 2, 2, 2, 2, 2, 2, 2, 2, None]) == 422  # 19/45 = 42.2 %
    assert odi_tenths([1, None, None, 1, 1, 1, 1, 1, 1, 1]) is None
    assert odi_tenths(None) is None


def test_the_command_writes_the_table_as_csv(crafted, tmp_path):
    target = tmp_path / "outcomes.csv"
    done = run_sijdesk(
        "report",
        "outcomes",
        "--from",
        START.isoformat(),
        "--to",
        END.isoformat(),
        "--csv",
        str(target),
        *database_option(crafted),
    )
    assert done.returncode == 0, done.stderr
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    care = next(r for r in rows if r and r[0] == "Conservative care")
    assert care[1:3] == ["11", "7"]
    assert "fewer than 5" in care


def test_a_name_that_looks_like_a_formula_is_escaped_in_the_csv(clinic):
    add_user(clinic, "odd", "=HYPERLINK(1)", "clinician")
    data = clinic.outcomes.report(START, END, clinician="odd").csv_bytes().decode("utf-8-sig")
    rows = list(csv.reader(data.splitlines()))
    assert ["Episodes of", "'=HYPERLINK(1)"] in rows
    assert ["Episodes opened", "0"] in rows


def test_the_pdf_gives_the_same_figures_and_names_no_patient(crafted, tmp_path):
    from tests.documents.pdfcheck import font_problems, pdf_text

    crafted.documents.update_letterhead({"clinic_name": "Riverside Spine Clinic"})
    report = crafted.outcomes.report(START, END, output="pdf")
    pdf = crafted.outcomes.pdf(report)
    (tmp_path / "outcomes.pdf").write_bytes(pdf)
    text = " ".join(pdf_text(pdf).split())
    assert "Outcome report" in text and "Riverside Spine Clinic" in text
    assert "episodes of the whole clinic" in text
    assert f"{START.isoformat()} to {END.isoformat()}" in text
    for row in report.rows():
        for cell in row:  # each cell's words, in order (a header may wrap in its column)
            words = cell.split()
            assert all(word in text for word in words), cell
    for line in report.summary():
        assert " ".join(line) in text
    for chart in report.charts():
        assert chart.title in text and chart.not_drawn in text
    assert "Outcome0" not in text  # the crafted patients are Test Outcome01, 02, ...
    assert "Confidential: personal health information" not in text
    assert font_problems(pdf) == []


def test_the_command_writes_the_pdf(crafted, tmp_path):
    from tests.documents.pdfcheck import pdf_text

    target = tmp_path / "outcomes.pdf"
    done = run_sijdesk("report", "outcomes", "-o", str(target), *database_option(crafted))
    assert done.returncode == 0, done.stderr
    assert "Outcome report" in pdf_text(target.read_bytes())


def test_the_clinicians_to_choose_from(crafted):
    add_user(crafted, "desk", "Front Desk", "reception")
    names = crafted.outcomes.clinicians()
    assert ("clin", "Dr Report") in names and ("clin2", "Dr Other") in names
    assert "desk" not in [username for username, _ in names]
