"""Referral letters, one kind per destination, filled from the record and the advice.

Kinds (the pathway's ``referral`` ids): ``physiotherapy``, ``injection_clinic``,
``spine_surgeon`` (fusion evaluation), ``rheumatology`` and ``urgent``
(red flags). Any kind may be written for any episode; the advised one is only
the default choice. The clinician may edit the recipient, the reason and the
question; everything else comes from the record and the pathway advice, and
the letter names the pathway version whose advice it carries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer

from sijdesk.pathway import Advice
from sijdesk.pathway.vocab import FUSION_CRITERIA, INJECTION_CRITERIA, LETTER_KINDS
from sijdesk.reports import fonts
from sijdesk.reports import wording as w
from sijdesk.reports.blocks import (
    Section,
    TableData,
    allergy_paragraph,
    boxed,
    p,
    rich,
    section_flowables,
    section_text,
    signature_block,
)
from sijdesk.reports.content import EpisodeContent, OutcomePoint
from sijdesk.reports.styles import URGENT, DocumentMeta, build_pdf, frame_width, stylesheet
from sijdesk.reports.wording import KIND_NAMES

DEFAULT_RECIPIENTS = {
    "physiotherapy": "The Physiotherapy Team",
    "injection_clinic": "The SIJ Injection Clinic",
    "spine_surgeon": "Consultant Spine Surgeon",
    "rheumatology": "Consultant Rheumatologist",
    "urgent": "Duty Specialist Team (urgent referral)",
}
# The criteria each letter prints as its support, in the advice's order.
KIND_CRITERIA = {
    "physiotherapy": (
        "triage.red_flag",
        "triage.inflammatory",
        "triage.below_belt",
        "injection.conservative_weeks",
        "injection.response",
    ),
    "injection_clinic": INJECTION_CRITERIA,
    "spine_surgeon": FUSION_CRITERIA,
    "rheumatology": ("triage.inflammatory", "triage.red_flag", "triage.below_belt"),
    "urgent": ("triage.red_flag", "triage.inflammatory", "triage.below_belt"),
}


# How soon the recipient should act, as the clinician sets it.
URGENCIES = ("routine", "soon", "urgent")
URGENCY_WORDS = {
    "routine": "routine",
    "soon": "SOON — please see before the next routine appointment",
    "urgent": "URGENT — please see as soon as possible",
}


class UnknownLetterKind(ValueError):
    pass


def check_kind(kind: str) -> str:
    if kind not in LETTER_KINDS:
        raise UnknownLetterKind(
            f"unknown letter kind {kind!r}; choose one of: " + ", ".join(LETTER_KINDS)
        )
    return kind


# -- wording --------------------------------------------------------------------------------------


def _injection_words(c: EpisodeContent) -> str:
    purpose = c.advice.injection_purpose if c.advice else None
    if purpose == "therapeutic":
        return "a therapeutic image-guided steroid injection"
    if purpose == "diagnostic":
        return "an image-guided diagnostic block"
    return "an image-guided injection (diagnostic block or therapeutic steroid injection)"


def title_for(kind: str, c: EpisodeContent) -> str:
    check_kind(kind)
    if kind == "physiotherapy":
        return "Referral to physiotherapy"
    if kind == "injection_clinic":
        purpose = c.advice.injection_purpose if c.advice else None
        what = {
            "diagnostic": "diagnostic SIJ block",
            "therapeutic": "therapeutic SIJ injection",
        }.get(purpose or "", "SIJ injection")
        return f"Referral for an image-guided {what}"
    if kind == "spine_surgeon":
        return "Referral for surgical evaluation: sacroiliac joint fusion"
    if kind == "rheumatology":
        return "Referral to rheumatology: possible inflammatory back pain"
    return "URGENT referral: red-flag features"


RESPONSE_WORDS = {
    "good": "a good response",
    "partial": "only a partial response",
    "none": "no improvement",
}


def _care_so_far(c: EpisodeContent) -> str:
    """Conservative care so far, as a noun phrase."""
    t = c.therapy
    if t.sessions == 0:
        return "no physiotherapy yet for this problem"
    text = f"{w.weeks(t.weeks_to(c.as_of))} of conservative care ({w.plural(t.sessions, 'session')}"
    if t.latest_response:
        text += f", latest recorded response: {RESPONSE_WORDS[t.latest_response]}"
    return text + ")"


def _latest(c: EpisodeContent, attr: str):
    values = [getattr(o, attr) for o in c.outcomes if getattr(o, attr) is not None]
    return values[-1] if values else None


def default_reason(kind: str, c: EpisodeContent) -> str:
    """The editable reason for referral, stated from the record."""
    check_kind(kind)
    name = c.patient.full_name
    onset = (
        f"for {w.weeks(c.symptom_weeks)} (since {c.episode.onset_date.isoformat()})"
        if c.episode.onset_date
        else "(onset date not recorded)"
    )
    opening = f"{name}, aged {c.age}, has had pain from {c.episode.side_words} {onset}"
    if kind == "physiotherapy":
        return (
            f"{opening}. Care so far: {_care_so_far(c)}. I would be grateful if you would assess "
            "and treat with a programme of conservative care aimed at restoring movement "
            "and function."
        )
    if kind == "injection_clinic":
        cluster = ""
        if c.advice is not None:
            s = c.advice.scores
            cluster = (
                f" The provocation cluster is {w.lower_label(s.cluster)} "
                f"({s.cluster_positives} of 6 tests positive)."
            )
        return (
            f"{opening}. Care so far: {_care_so_far(c)}.{cluster} I am referring for "
            f"{_injection_words(c)} of {c.episode.injection_target}."
        )
    if kind == "spine_surgeon":
        therapeutic = sum(1 for i in c.injections if i.purpose == "therapeutic")
        positive = c.advice.scores.positive_blocks if c.advice else 0
        nrs = _latest(c, "nrs")
        odi = _latest(c, "odi_percent")
        return (
            f"{opening}. Non-surgical care has not brought enough relief: {_care_so_far(c)}, "
            f"{w.plural(therapeutic, 'therapeutic injection')} and "
            f"{w.plural(positive, 'positive diagnostic block')}. Current pain is "
            f"{w.num(nrs)}/10 and the Oswestry Disability Index is {w.num(odi, '%')}. "
            "I would value your opinion on whether sacroiliac joint fusion is appropriate."
        )
    if kind == "rheumatology":
        features = w.labels(c.exam.inflammatory) if c.exam and c.exam.inflammatory else ""
        found = (
            f" The history includes features of inflammatory back pain: {features}."
            if features
            else " I would like inflammatory back pain to be considered."
        )
        return f"{opening}.{found}"
    flags = w.labels(c.exam.red_flags) if c.exam and c.exam.red_flags else ""
    found = (
        f" The record shows these red-flag features: {flags}."
        if flags
        else " I am concerned about possible serious pathology."
    )
    return f"{opening}.{found} Routine SIJ treatment has been paused until you have assessed them."


def default_question(kind: str, c: EpisodeContent) -> str:
    """The editable question for the recipient, one sensible default per kind."""
    check_kind(kind)
    name = c.patient.full_name
    target = c.episode.injection_target
    if kind == "physiotherapy":
        return (
            f"Could you assess {name} and provide a programme of conservative care "
            "(muscle energy techniques where movement is restricted, guided movement and "
            "motor retraining, and taping or an SIJ belt where the joint feels unstable), "
            "then tell us the response after about six weeks, with repeat pain (NRS) and "
            "Oswestry scores?"
        )
    if kind == "injection_clinic":
        if c.advice and c.advice.injection_purpose == "therapeutic":
            return (
                "Would you consider a therapeutic image-guided steroid injection of "
                f"{target}, and record the percentage of relief and how many weeks it lasted?"
            )
        return (
            f"Would you consider an image-guided diagnostic block of {target}, and record the "
            "percentage of pain relief and how long it lasted, so that we can judge whether "
            "the joint is the main source of the pain?"
        )
    if kind == "spine_surgeon":
        return (
            f"Is {name} a candidate for sacroiliac joint fusion? Please also confirm whether "
            "other pain generators (lumbar spine, hip) have been excluded, with any imaging "
            "you consider necessary."
        )
    if kind == "rheumatology":
        return (
            f"Could you assess {name} for axial spondyloarthritis or another inflammatory "
            "cause, and let us know whether inflammatory disease has been excluded so that "
            "SIJ care can continue?"
        )
    return (
        f"Please assess {name} urgently for serious pathology behind these red-flag "
        "features, and advise on further investigation and management."
    )


# -- the record as sections -----------------------------------------------------------------------


def _presenting(c: EpisodeContent) -> Section:
    paras = []
    onset = (
        f"since {c.episode.onset_date.isoformat()} ({w.weeks(c.symptom_weeks)})"
        if c.episode.onset_date
        else "(onset date not recorded)"
    )
    paras.append(f"Pain from {c.episode.side_words} {onset}.")
    if c.episode.title:
        paras.append(f"Episode of care: {c.episode.title}.")
    e = c.exam
    if e is not None:
        if e.pain_region:
            where = f"Pain region: {w.lower_label(e.pain_region)}"
            if e.pain_sites:
                where += f", felt in the {w.labels(e.pain_sites)}"
            paras.append(where + ".")
        if e.functional:
            paras.append(f"Functional complaints: {w.labels(e.functional)}.")
        if e.symptoms:
            paras.append(f"Also recorded: {w.labels(e.symptoms)}.")
    return Section("Presenting problem", paragraphs=tuple(paras))


def _examination(c: EpisodeContent) -> Section:
    e = c.exam
    if e is None:
        return Section(
            "Examination", paragraphs=("No assessment has been recorded in this episode.",)
        )
    rows = []
    if e.provocation:
        for test in w.vocab.PROVOCATION_TESTS:
            rows.append((w.label(test), w.TEST_MARKS[e.provocation.get(test)]))
    fortin = {True: "positive", False: "negative", None: "not recorded"}[e.fortin_finger]
    rows.append(("Fortin finger test", fortin))
    after = []
    if e.provocation:
        cluster = ""
        if c.advice is not None:
            cluster = f" The cluster is {w.lower_label(c.advice.scores.cluster)}"
            n6 = c.threshold("cluster_min_of_six", 3)
            n4 = c.threshold("cluster_min_of_four", 2)
            cluster += f" (positive with {n6} of 6, or {n4} of the 4 tests other than Gaenslen)."
        after.append(
            f"Laslett provocation cluster ({w.iso(e.provocation_date)}): "
            f"{e.tests_positive} of {e.tests_done} tests done reproduced the familiar pain."
            + cluster
        )
    else:
        after.append("No provocation tests have been recorded.")
    after.append("Red flags: " + (w.labels(e.red_flags) if e.red_flags else "none recorded") + ".")
    if e.inflammatory:
        after.append(f"Inflammatory features: {w.labels(e.inflammatory)}.")
    if e.nicotine is not None:
        after.append("Nicotine use: " + ("yes." if e.nicotine else "no."))
    if e.findings:
        after.append(f"Findings noted: {e.findings}")
    recorded = bool(e.provocation) or e.fortin_finger is not None
    return Section(
        f"Examination (latest assessment {e.day.isoformat()})",
        table=TableData(("Test", "Result"), tuple(rows), (0.45, 0.35)) if recorded else None,
        after=tuple(after),
    )


def trend_sentences(c: EpisodeContent) -> list[str]:
    """Pain and ODI from the first to the latest measurement, in words."""
    out = []
    for attr, name, unit, mic_name, mic_default in (
        ("nrs", "Pain (NRS)", "/10", "mic_nrs_points", 2),
        ("odi_percent", "Oswestry Disability Index", "%", "mic_odi_points", 10),
    ):
        points = [o for o in c.outcomes if getattr(o, attr) is not None]
        if not points:
            out.append(f"{name}: not recorded.")
            continue
        first, last = points[0], points[-1]
        a, b = getattr(first, attr), getattr(last, attr)
        if first is last:
            out.append(f"{name}: {w.num(b, unit)} on {last.day.isoformat()} (one measurement).")
            continue
        change = b - a
        mic = c.threshold(mic_name, mic_default)
        mic_pct = c.threshold("mic_percent", 30)
        if change < 0:
            meaningful = -change >= mic or (a > 0 and -change / a * 100 >= mic_pct)
            how = f"improved by {w.num(abs(round(change, 1)))} points" + (
                " (a meaningful change)" if meaningful else " (less than a meaningful change)"
            )
        elif change > 0:
            how = f"worse by {w.num(round(change, 1))} points"
        else:
            how = "no change"
        out.append(
            f"{name}: {w.num(a, unit)} on {first.day.isoformat()}, "
            f"{w.num(b, unit)} on {last.day.isoformat()}: {how}."
        )
    return out


def _odi_with_band(point: OutcomePoint) -> str:
    band = point.odi_band
    if point.odi_percent is None or band is None:
        return ""
    return f"{w.num(point.odi_percent, '%')} ({w.lower_label(band)})"


def _outcomes(c: EpisodeContent) -> Section:
    rows = tuple(
        (
            o.day.isoformat(),
            w.num(o.nrs, "/10") if o.nrs is not None else "",
            _odi_with_band(o),
        )
        for o in c.outcomes
    )
    mic_nrs = c.threshold("mic_nrs_points", 2)
    mic_odi = c.threshold("mic_odi_points", 10)
    mic_pct = c.threshold("mic_percent", 30)
    return Section(
        "Outcome scores and trend",
        paragraphs=() if rows else ("No pain or disability scores have been recorded.",),
        table=TableData(("Date", "Pain (NRS)", "ODI"), rows, (0.3, 0.25, 0.45)) if rows else None,
        after=tuple(trend_sentences(c)) if rows else (),
        small_after=(
            f"A meaningful change is {w.num(mic_nrs)} points of pain, {w.num(mic_odi)} ODI "
            f"points or {w.num(mic_pct)}% of the starting value (Ostelo 2008).",
        )
        if rows
        else (),
    )


def _relief(i) -> str:
    if i.relief_percent is None:
        return "result not yet recorded"
    text = f"{w.num(i.relief_percent, '%')}"
    if i.relief_weeks is not None:
        text += f" for {w.weeks(i.relief_weeks)}"
    return text


def _treatments(c: EpisodeContent) -> list[Section]:
    t = c.therapy
    if t.sessions:
        therapy = (
            f"Conservative care: {w.plural(t.sessions, 'session')} from {w.iso(t.first)} "
            f"to {w.iso(t.last)} ({w.weeks(t.weeks_to(c.as_of))} since the first)"
        )
        if t.components:
            therapy += f", using {w.labels(t.components)}"
        therapy += "."
        if t.latest_response:
            therapy += (
                f" Latest recorded response ({w.iso(t.latest_response_date)}): "
                f"{w.lower_label(t.latest_response)}."
            )
    else:
        therapy = "No therapy sessions have been recorded in this episode."
    rows = tuple(
        (
            i.day.isoformat(),
            w.label(i.purpose),
            i.side,
            w.GUIDANCE.get(i.image_guidance, i.image_guidance) or "not recorded",
            i.agent or "not recorded",
            f"{i.pain_before} → {i.pain_after}"
            if i.pain_before is not None and i.pain_after is not None
            else "",
            _relief(i),
        )
        for i in c.injections
    )
    others = []
    for con in c.consults:
        text = f"{con.day.isoformat()} {w.SPECIALTIES.get(con.specialty, con.specialty)} consult"
        if con.clinician:
            text += f" ({con.clinician})"
        if con.outcome:
            text += f": {con.outcome}"
        if con.inflammatory_disease_excluded is True:
            text += " Inflammatory disease excluded."
        elif con.inflammatory_disease_excluded is False:
            text += " Inflammatory disease not excluded."
        others.append(text)
    for proc in c.procedures:
        text = (
            f"{proc.day.isoformat()} {w.PROCEDURES.get(proc.procedure, proc.procedure)}, "
            f"{proc.side}"
        )
        if proc.surgeon:
            text += f" ({proc.surgeon})"
        others.append(text)
    for dec in c.declines:
        text = f"{dec.day.isoformat()} the patient declined {w.lower_label(dec.treatment)}"
        if dec.reason:
            text += f": {dec.reason}"
        others.append(text)
    sections = [
        Section(
            "Treatment so far",
            paragraphs=(therapy,),
            table=TableData(
                ("Date", "Injection", "Side", "Guidance", "Agent", "Pain", "Relief"),
                rows,
                (0.13, 0.14, 0.11, 0.13, 0.2, 0.08, 0.21),
            )
            if rows
            else None,
            after=() if rows else ("No SIJ injections have been recorded.",),
            bullets=(),
        )
    ]
    if others:
        sections.append(Section("Consultations, procedures and decisions", bullets=tuple(others)))
    sections.extend(Section(s.heading, bullets=s.lines) for s in c.declared)
    return sections


def _medications(c: EpisodeContent) -> Section:
    current = c.current_medications()
    items = []
    for m in current:
        text = f"{m.name} ({w.MEDICATION_CATEGORIES.get(m.category, m.category)}), since "
        text += m.start.isoformat()
        if m.stop:
            text += f", planned until {m.stop.isoformat()}"
        if m.reason:
            text += f"; for {m.reason}"
        if m.cautions:
            text += f"; cautions: {m.cautions}"
        items.append(text)
    earlier = [m for m in c.medications if m not in current]
    after: tuple[str, ...] = ()
    if earlier:
        after = (
            "Earlier courses: "
            + "; ".join(f"{m.name} {m.start.isoformat()} to {w.iso(m.stop)}" for m in earlier[-6:])
            + ".",
        )
    return Section(
        "Current medications",
        paragraphs=() if items else ("No current medication is recorded.",),
        bullets=tuple(items),
        after=after,
    )


def criteria_rows(advice: Advice, ids: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    rows = []
    for ident in ids:
        crit = next((cr for cr in advice.criteria if cr.id == ident), None)
        if crit is None:
            continue
        rows.append((crit.label, w.MARKS[crit.met], crit.detail, crit.source))
    return tuple(rows)


def _pathway(kind: str, c: EpisodeContent) -> list[Section]:
    a = c.advice
    if a is None:
        closed = c.closed_by or "a recorded procedure"
        return [
            Section(
                "Pathway assessment",
                paragraphs=(
                    f"The SIJ pathway is closed for this episode ({closed}); no pathway advice "
                    f"applies (SIJ Desk pathway {c.pathway_version}).",
                ),
            )
        ]
    step = w.lower_label(a.step) if a.step else "none while the urgent referral is pending"
    if a.step == "injection" and a.injection_purpose:
        step += f" ({w.lower_label(a.injection_purpose)})"
    summary = (
        f"Pathway advice on {c.as_of.isoformat()} (SIJ Desk pathway {a.pathway_version}): "
        f"triage: {w.lower_label(a.triage)}; next step: {step}."
    )
    advised = a.referral
    if advised == kind:
        summary += " This letter is the referral the pathway suggests."
    elif advised:
        summary += (
            f" The pathway suggests a referral to {w.lower_label(advised)}; "
            "this letter was chosen by the clinician."
        )
    else:
        summary += " The pathway suggests no referral at this point; the clinician chose to refer."
    notes = [f"Warning: {x}" for x in a.warnings]
    return [
        Section(
            "Pathway criteria for this referral",
            paragraphs=(summary,),
            table=TableData(
                ("Criterion", "Result", "Values", "Source"),
                criteria_rows(a, KIND_CRITERIA[kind]),
                (0.27, 0.13, 0.34, 0.26),
            ),
            small_after=(
                "The pathway is decision support; the referral is the clinician's decision.",
            ),
        ),
        Section("How the pathway reached its advice", bullets=(*a.rationale, *notes)),
    ]


def letter_sections(kind: str, c: EpisodeContent) -> list[Section]:
    """The record part of a letter, as sections, in print order."""
    check_kind(kind)
    sections = [_presenting(c), _examination(c), _outcomes(c), *_treatments(c), _medications(c)]
    if kind == "urgent":
        # The red flags are the point of the letter: examination first.
        sections = [sections[1], sections[0], *sections[2:]]
    sections.extend(_pathway(kind, c))
    return sections


# -- the letter -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterOptions:
    """What the clinician chose; together with the content it fixes the PDF."""

    kind: str
    recipient: str
    reason: str
    question: str
    page_size: str | None = None
    # The recipient's practice and postal address, one line each (from the address book).
    recipient_address: tuple[str, ...] = ()
    # "Dr Harriet Mensah, Riverside Medical Centre": the patient's GP, copied in.
    copy_to: str = ""
    urgency: str = "routine"
    salutation: str = "Dear colleague,"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "recipient": self.recipient,
            "recipient_address": list(self.recipient_address),
            "copy_to": self.copy_to,
            "urgency": self.urgency,
            "salutation": self.salutation,
            "reason": self.reason,
            "question": self.question,
            "page_size": self.page_size,
        }


def default_options(kind: str, c: EpisodeContent) -> LetterOptions:
    return LetterOptions(
        kind=check_kind(kind),
        recipient=DEFAULT_RECIPIENTS[kind],
        reason=default_reason(kind, c),
        question=default_question(kind, c),
        urgency="urgent" if kind == "urgent" else "routine",
    )


def complete_options(
    c: EpisodeContent,
    kind: str,
    *,
    recipient: str | None = None,
    reason: str | None = None,
    question: str | None = None,
    page_size: str | None = None,
    recipient_address: tuple[str, ...] = (),
    copy_to: str = "",
    urgency: str | None = None,
    salutation: str | None = None,
) -> LetterOptions:
    """Options with every blank field filled by its default."""
    base = default_options(kind, c)
    if urgency is not None and urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of: {', '.join(URGENCIES)}")
    return replace(
        base,
        recipient=(recipient or "").strip() or base.recipient,
        reason=(reason or "").strip() or base.reason,
        question=(question or "").strip() or base.question,
        page_size=page_size,
        recipient_address=recipient_address,
        copy_to=copy_to,
        urgency=urgency or base.urgency,
        salutation=salutation or base.salutation,
    )


def draft_text(c: EpisodeContent, options: LetterOptions) -> str:
    """The whole letter as plain text, for the draft view of the letter dialog."""
    parts = [
        title_for(options.kind, c),
        "To: " + ", ".join((options.recipient, *options.recipient_address)),
        f"Urgency: {URGENCY_WORDS[options.urgency]}",
        *([f"Copy to: {options.copy_to}"] if options.copy_to else []),
        f"Patient: {c.patient.display_name}, born {c.patient.date_of_birth.isoformat()}, "
        f"record {c.patient.record_number}",
        c.allergies.line,
        "",
        "REASON FOR REFERRAL",
        options.reason,
        "",
        "QUESTION",
        options.question,
    ]
    for section in letter_sections(options.kind, c):
        parts.extend(["", section_text(section)])
    return "\n".join(parts)


def _addresses(c: EpisodeContent, options: LetterOptions, st) -> list[Flowable]:
    right = ParagraphStyle("DateRight", parent=st.body, alignment=TA_RIGHT)
    pt = c.patient
    re_lines = [
        f"<b>{fonts.markup(pt.display_name)}</b>",
        f"Born {pt.date_of_birth.isoformat()} (aged {c.age}) · "
        f"Record {fonts.markup(pt.record_number)}",
    ]
    if pt.address.strip():
        re_lines.append(fonts.markup(", ".join(x.strip() for x in pt.address.splitlines() if x)))
    if pt.phone.strip():
        re_lines.append(f"Tel. {fonts.markup(pt.phone)}")
    out: list[Flowable] = [
        p(c.as_of.strftime("%d %B %Y").lstrip("0"), right),
        rich(
            "<b>To:</b> "
            + "<br/>".join(
                fonts.markup(line) for line in (options.recipient, *options.recipient_address)
            ),
            st.body,
        ),
        rich(
            f"<b>Urgency:</b> {fonts.markup(URGENCY_WORDS[options.urgency])}"
            if options.urgency == "routine"
            else f"<b>Urgency: {fonts.markup(URGENCY_WORDS[options.urgency])}</b>",
            st.body,
        ),
        rich("<b>Re:</b> " + "<br/>".join(re_lines), st.body),
        allergy_paragraph(c.allergies, st.body),
    ]
    return out


def build_letter_story(c: EpisodeContent, options: LetterOptions) -> list[Flowable]:
    st = stylesheet(False)
    width = frame_width(options.page_size or c.letterhead.page_size)
    kind = options.kind
    story: list[Flowable] = []
    if kind == "urgent":
        story.append(
            boxed(
                [p("URGENT: red-flag features. Please see this patient urgently.", st.urgent)],
                width,
                colour=URGENT,
            )
        )
        story.append(Spacer(1, 6))
    story.extend(_addresses(c, options, st))
    story.append(p(title_for(kind, c), st.title))
    story.append(p(options.salutation, st.body))
    story.append(p("Reason for referral", st.h1))
    story.extend(p(par, st.body) for par in options.reason.split("\n\n") if par.strip())
    story.append(
        KeepTogether(
            [
                p("My question for you", st.h1),
                boxed([p(options.question, st.box)], width),
            ]
        )
    )
    for section in letter_sections(kind, c):
        story.extend(section_flowables(section, st, width))
    story.append(Spacer(1, st.base_size))
    ending: list[Flowable] = [
        p(
            "Thank you for seeing this patient. Please send your findings and "
            "recommendations to the address above.",
            st.body,
        )
    ]
    if options.copy_to:
        ending.append(p(f"Copy to: {options.copy_to} (the patient's family doctor)", st.small))
    ending.append(Spacer(1, st.base_size * 0.6))
    ending.extend(
        signature_block(
            st,
            closing="Yours sincerely,",
            name=c.signer.name,
            credentials=c.signer.credentials,
            clinic=c.letterhead.clinic_name,
            signature_png=c.signer.signature_png,
        )
    )
    story.append(KeepTogether(ending))
    return story


def render_letter(
    c: EpisodeContent,
    options: LetterOptions,
    *,
    created: datetime | None = None,
    builder: Callable[..., bytes] = build_pdf,
) -> bytes:
    """The letter as PDF bytes."""
    check_kind(options.kind)
    title = title_for(options.kind, c)
    meta = DocumentMeta(
        title=title,
        subject=f"Referral letter ({KIND_NAMES[options.kind]}) for "
        f"{c.patient.display_name}, record {c.patient.record_number}",
        author=c.signer.name,
        created=created or datetime.now(UTC),
        keywords=("SIJ Desk", "referral", options.kind, f"pathway {c.pathway_version}"),
        footer_note=f"SIJ Desk pathway {c.pathway_version}",
    )
    return builder(
        build_letter_story(c, options),
        letterhead=c.letterhead,
        identity=c.patient.identity(),
        meta=meta,
        page_size=options.page_size,
    )
