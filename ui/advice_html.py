"""The step panel's advice as one rich-text document (Qt's HTML subset).

One document, laid out once, instead of a widget per line: some 75 word-wrapped
labels took 40-60 ms to build and lay out each time a patient was opened; the
same text as one document takes under 10 ms (measured with the 200-event
benchmark patient). Links do what buttons did: ``record:FACT`` opens the form
that records a missing fact, ``toggle:STEP`` shows or hides a step's details.
A ``title`` becomes the tooltip of its text (the criterion's source).

Plain functions of :class:`~sijdesk.services.pathway_service.EpisodeAdvice`,
no Qt: the panel shows what :func:`advice_sections` returns.
"""

from __future__ import annotations

from collections.abc import Iterable

from sijdesk.services.allergies import unasked_allergy_note
from sijdesk.ui.describe import word

MET_STYLE = {
    True: ("✓", "met", "#1b5e20"),
    False: ("✗", "not met", "#b71c1c"),
    None: ("?", "unknown", "#8a5a00"),
}

STEP_ROWS = (
    ("conservative", "1", "Conservative care"),
    ("injection", "2", "Injection"),
    ("surgery_evaluation", "3", "Surgical evaluation"),
    ("medications", "4", "Medications (in support)"),
)
STEP_GROUP = {"injection": "injection", "surgery_evaluation": "fusion"}

# Which missing fact keeps a criterion unknown: where its link leads.
CRITERION_FACT = {
    "triage.inflammatory": "symptom_weeks",
    "triage.below_belt": "pain_region",
    "injection.conservative_weeks": "conservative",
    "injection.response": "baseline",
    "injection.cluster": "provocation",
    "injection.repeat_relief": "injections",
    "injection.blocks_allow": "injections",
    "fusion.symptom_weeks": "symptom_weeks",
    "fusion.conservative_weeks": "conservative",
    "fusion.response": "baseline",
    "fusion.confirmed_blocks": "injections",
    "fusion.provocation_tests": "provocation",
    "fusion.nrs": "nrs",
    "fusion.odi": "odi",
}
FACT_ACTIONS = {
    "provocation": "Record assessment…",
    "pain_region": "Record assessment…",
    "nrs": "Record outcome…",
    "odi": "Record outcome…",
    "baseline": "Record outcome…",
    "conservative": "Record therapy session…",
    "injections": "Record injection result…",
    "age": "Edit patient details…",
    "symptom_weeks": "Set onset date…",
}
FACT_HINTS = {
    "baseline": "an NRS or ODI before therapy began and a later one to compare",
    "conservative": "weeks of conservative care (from the first therapy session)",
    "injections": "the result (relief %) of an injection",
    "symptom_weeks": "the onset date of the episode",
    "provocation": "the provocation tests not yet done",
}
TRIAGE_TEXT = {
    "urgent_referral": "URGENT REFERRAL",
    "rheumatology_referral": "Refer to rheumatology",
    "other_source": "Other pain source likely",
    "sij_pathway": "SIJ pathway",
}
ABBREVIATIONS = (
    "NRS: numeric rating scale of pain, 0-10. ODI: Oswestry Disability Index, 0-100 %. "
    "MET: muscle energy techniques. PSIS: posterior superior iliac spine."
)
WARNING_COLOUR = "#8a4b00"


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def mark_html(met: bool | None, *, on_dark: bool = False) -> str:
    symbol, text, colour = MET_STYLE[met]
    if on_dark:
        return f"<b>{symbol}&nbsp;{text}</b>"
    return f'<span style="color:{colour}"><b>{symbol}&nbsp;{text}</b></span>'


def box(
    inner: str,
    *,
    border: str | None = None,
    background: str | None = None,
    width: int = 1,
    colour: str | None = None,
) -> str:
    """A framed panel: a one-cell table (Qt's rich text has no boxes of its own)."""
    style = ["margin-bottom:6px", "border-collapse:collapse"]
    if border:
        style.append(f"border-color:{border}; border-style:solid")
    attributes = [
        'width="100%"',
        'cellspacing="0"',
        'cellpadding="5"',
        f'border="{width if border else 0}"',
        f'style="{"; ".join(style)}"',
    ]
    if background:
        attributes.append(f'bgcolor="{background}"')
    text_style = f' style="color:{colour}"' if colour else ""
    return f"<table {' '.join(attributes)}><tr><td{text_style}>{inner}</td></tr></table>"


def line(html: str, *, title: str = "", indent: int = 0) -> str:
    tip = f' title="{escape(title)}"' if title else ""
    margin = f"margin-left:{indent}px; " if indent else ""
    return f'<p style="{margin}margin-top:2px; margin-bottom:2px"><span{tip}>{html}</span></p>'


def fact_link(fact: str, text: str | None = None) -> str:
    return f'<a href="record:{fact}">{escape(text or FACT_ACTIONS[fact])}</a>'


def criterion_line(
    criterion, *, on_dark: bool = False, compact: bool = False, indent: int = 0
) -> str:
    symbol, text, _colour = MET_STYLE[criterion.met]
    mark = mark_html(criterion.met, on_dark=on_dark)
    detail_colour = "#ffffff" if on_dark else "#444444"
    if compact:
        html = f"{mark} {escape(criterion.label)}"
        title = f"{criterion.detail}\nSource: {criterion.source}"
    else:
        html = (
            f"{mark} {escape(criterion.label)}<br>"
            f'<span style="color:{detail_colour}">{escape(criterion.detail)}</span>'
        )
        title = f"Source: {criterion.source}"
    html = f'<a name="criterion:{criterion.id}"></a>{html}'
    fact = CRITERION_FACT.get(criterion.id)
    if criterion.met is None and fact in FACT_ACTIONS:
        html += f" &nbsp;{fact_link(fact)}"
    return line(html, title=title, indent=indent)


def closed_section(result) -> str:
    entry = result.closed_by
    return box(
        line(
            f"<b>Pathway closed for this episode</b><br>{escape(entry.summary)} on "
            f"{entry.event_date.isoformat()} (recorded by {escape(entry.created_by)})."
        )
        + line(
            "A fusion ends the treatment pathway for the episode: no step is advised. "
            "Keep recording NRS and ODI to follow the result."
        ),
        border="#607d8b",
        background="#eceff1",
    )


def triage_section(advice) -> str:
    triage = advice.triage
    urgent = triage == "urgent_referral"
    symbol = "⚠ " if triage != "sij_pathway" else ""
    heading = f"{symbol}Triage: {TRIAGE_TEXT.get(triage, word(triage))}"
    parts = [line(f'<span style="font-size:large"><b>{escape(heading)}</b></span>')]
    if urgent:
        flags = advice.criterion("triage.red_flag").detail
        parts.append(
            line(
                f"<b>{escape(flags)}.</b> The routine SIJ pathway is suspended: refer urgently "
                "today."
            )
        )
    for criterion in advice.criteria:
        if criterion.group == "triage":
            # on the routine pathway the triage checks are one line each (values on hover)
            compact = triage == "sij_pathway" and criterion.met is not None
            parts.append(criterion_line(criterion, on_dark=urgent, compact=compact))
    if urgent:
        return box("".join(parts), background="#b71c1c", colour="#ffffff")
    if triage == "sij_pathway":
        return box("".join(parts), border="#90a4c8", background="#e8f0fb")
    return box("".join(parts), border="#e0a040", background="#fff4e0")


def scores_section(advice) -> str:
    s = advice.scores
    parts = []
    if s.odi_percent is not None:
        parts.append(f"ODI {s.odi_percent:g} % ({word(s.odi_band).lower()})")
    else:
        parts.append("ODI not scored")
    parts.append(f"cluster {word(s.cluster).lower()} ({s.cluster_positives} of 6 +)")
    parts.append(f"response {word(s.response).lower()}")
    parts.append(f"{s.positive_blocks} positive block{'s' if s.positive_blocks != 1 else ''}")
    return line(
        f'<span style="color:#333333">{escape(" · ".join(parts))}</span>', title=ABBREVIATIONS
    )


def expanded_by_default(step: str, advice) -> bool:
    """Every step's details show, but medications only when some are considered."""
    return step != "medications" or bool(advice.medications)


def step_section(result, advice, step: str, number: str, name: str, *, expanded: bool) -> str:
    advised = advice.step == step
    now = result.current_step == step
    tags = []
    if advised:
        tags.append('<span style="color:#8a6d00"><b>★ advised</b></span>')
    if now:
        tags.append('<span style="color:#1f5fa8"><b>● now</b></span>')
    heading = f"{number} {name}"
    if advised and step == "injection" and advice.injection_purpose:
        heading += f" ({word(advice.injection_purpose).lower()})"
    toggle = (
        f'<a href="toggle:{step}" title="Hide the details of step {number}">hide</a>'
        if expanded
        else f'<a href="toggle:{step}" title="Show the details of step {number}">show</a>'
    )
    parts = [
        line(
            f"<b>{escape(heading)}</b> {' '.join(tags)} "
            f'<span style="font-size:small">&nbsp;{toggle}</span>'
        )
    ]
    if expanded:
        if step == "conservative":
            parts.extend(conservative_lines(advice))
        elif step == "medications":
            parts.extend(medication_lines(advice))
        else:
            group = STEP_GROUP[step]
            parts.extend(
                criterion_line(criterion, indent=14)
                for criterion in advice.criteria
                if criterion.group == group
            )
    if advised:
        return box("".join(parts), border="#c79a00", background="#fff8d6", width=2)
    return box("".join(parts), border="#cfd8dc")


def conservative_lines(advice) -> list[str]:
    if advice.components:
        lines = [line("Components that fit:", indent=14)]
        for component in advice.components:
            lines.append(
                line(
                    f"• <b>{escape(word(component.id))}</b> — {escape(component.reason)}",
                    title="MET: muscle energy techniques" if component.id == "met" else "",
                    indent=14,
                )
            )
        return lines
    if advice.step is None:
        return [line("Not now: the urgent referral comes first.", indent=14)]
    return [line("The first step for every SIJ complaint.", indent=14)]


def medication_lines(advice) -> list[str]:
    if not advice.medications:
        text = (
            "None indicated: no flare, spasm or nerve-related pain recorded."
            if advice.step is not None
            else "Not considered while an urgent referral is pending."
        )
        return [line(escape(text), indent=14)]
    lines = []
    for medication in advice.medications:
        if medication.advisable:
            mark = '<span style="color:#1b5e20"><b>✓ advisable</b></span>'
        else:
            mark = '<span style="color:#b71c1c"><b>✗ not advisable</b></span>'
        lines.append(
            line(
                f"{mark} <b>{escape(word(medication.category))}</b><br>"
                f'<span style="color:#333333">{escape(medication.reason)}</span>',
                indent=14,
            )
        )
        lines.extend(line(f"⚠ {escape(caution)}", indent=28) for caution in medication.cautions)
    return lines


def missing_section(advice) -> str:
    if not advice.missing:
        return ""
    parts = [line("<b>Missing to decide</b>")]
    for fact in advice.missing:
        hint = FACT_HINTS.get(fact)
        text = f"? <b>{escape(word(fact))}</b>" + (f" — {escape(hint)}" if hint else "")
        html = f'<span style="color:#8a5a00">{text}</span>'
        if fact in FACT_ACTIONS:
            html += f" &nbsp;{fact_link(fact)}"
        parts.append(line(html))
    return box("".join(parts), border="#e0a040", background="#fffaf0")


def list_section(title: str, lines: Iterable[str], colour: str | None) -> str:
    lines = list(lines)
    if not lines:
        return ""
    parts = [line(f"<b>{escape(title)}</b>")]
    for text in lines:
        html = escape(text)
        if colour:
            html = f'<span style="color:{colour}">{html}</span>'
        parts.append(line(html))
    return box("".join(parts), border=colour or "#cfd8dc", background="#fff8ec" if colour else None)


def advice_sections(
    result, allergy_state: str | None, *, toggled: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The panel's document as named sections, in reading order.

    ``toggled`` holds the steps whose details the user showed or hid (against
    :func:`expanded_by_default`)."""
    advice = result.advice
    if advice is None:
        return {"closed": closed_section(result)}
    sections = {"triage": triage_section(advice)}
    note = unasked_allergy_note(allergy_state or "", advice.step)
    if note:
        sections["allergies"] = list_section("Allergies", [f"⚠ {note}"], WARNING_COLOUR)
    sections["scores"] = scores_section(advice)
    for step, number, name in STEP_ROWS:
        expanded = expanded_by_default(step, advice) != (step in toggled)
        sections[f"step_{step}"] = step_section(
            result, advice, step, number, name, expanded=expanded
        )
    sections["missing"] = missing_section(advice)
    sections["warnings"] = list_section(
        "Warnings", [f"⚠ {w}" for w in advice.warnings], WARNING_COLOUR
    )
    sections["why"] = list_section("Why", advice.rationale, None)
    return {name: html for name, html in sections.items() if html}


def message_html(text: str) -> str:
    return line(escape(text))
