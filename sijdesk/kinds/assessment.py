"""Assessment: where the pain is, the provocation tests, red flags and risk factors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sijdesk.kinds.declare import Kind, Style, declared, listing
from sijdesk.models.clinical import Assessment
from sijdesk.pathway import vocab
from sijdesk.validation import Checker

LASLETT_TESTS = (
    "distraction",
    "thigh_thrust",
    "compression",
    "sacral_thrust",
    "gaenslen_left",
    "gaenslen_right",
)
PAIN_REGIONS = vocab.PAIN_REGIONS
_REGION_WORDS = {
    "below_belt": "below belt",
    "above_belt": "above belt",
    "both": "above and below belt",
}


def _validate(c: Checker) -> None:
    c.choice("pain_region", PAIN_REGIONS)
    c.choice_list("pain_sites", vocab.PAIN_SITES)
    c.choice_list("functional", vocab.FUNCTIONAL)
    for test in LASLETT_TESTS:
        c.tri_state(test)
    c.tri_state("fortin_finger")
    c.choice_list("red_flags", vocab.RED_FLAGS)
    c.choice_list("inflammatory", vocab.INFLAMMATORY)
    c.choice_list("symptoms", vocab.SYMPTOMS)
    c.choice_list("nsaid_cautions", vocab.NSAID_CAUTIONS)
    c.tri_state("nicotine")
    c.text("findings", max_length=20_000)


def summarize(d: Mapping[str, Any]) -> str:
    parts: list[str] = []
    if d.get("pain_region"):
        parts.append(_REGION_WORDS[d["pain_region"]])
    results = [d.get(t) for t in LASLETT_TESTS]
    done = [r for r in results if r is not None]
    if done:
        positives = sum(1 for r in done if r)
        parts.append(f"provocation {positives}/{len(done)} positive")
    if d.get("fortin_finger") is not None:
        parts.append("Fortin +" if d["fortin_finger"] else "Fortin −")
    if d.get("red_flags"):
        parts.append("RED FLAG: " + listing(d["red_flags"]))
    # A count, not a verdict: whether they are enough is the pathway's threshold
    # (inflammatory_min_features), which the step panel shows.
    features = len(d.get("inflammatory") or [])
    if features:
        parts.append(f"{features} inflammatory feature" + ("s" if features > 1 else ""))
    if d.get("symptoms"):
        parts.append(listing(d["symptoms"]))
    return " · ".join(parts) or "no findings recorded"


@dataclass(frozen=True)
class AssessmentRecord:
    pain_region: str | None = declared("Pain region (belt-line rule)", "choice", PAIN_REGIONS)
    pain_sites: list[str] = declared("Pain sites", "choices", vocab.PAIN_SITES)
    functional: list[str] = declared("Functional complaints", "choices", vocab.FUNCTIONAL)
    # Laslett cluster: True reproduces the familiar pain, False does not, None not done.
    distraction: bool | None = declared(vocab.LABELS["distraction"], "yes_no")
    thigh_thrust: bool | None = declared(vocab.LABELS["thigh_thrust"], "yes_no")
    compression: bool | None = declared(vocab.LABELS["compression"], "yes_no")
    sacral_thrust: bool | None = declared(vocab.LABELS["sacral_thrust"], "yes_no")
    gaenslen_left: bool | None = declared(vocab.LABELS["gaenslen_left"], "yes_no")
    gaenslen_right: bool | None = declared(vocab.LABELS["gaenslen_right"], "yes_no")
    fortin_finger: bool | None = declared("Fortin finger test", "yes_no")
    red_flags: list[str] = declared("Red flags", "choices", vocab.RED_FLAGS)
    inflammatory: list[str] = declared("Inflammatory features", "choices", vocab.INFLAMMATORY)
    symptoms: list[str] = declared("Symptoms", "choices", vocab.SYMPTOMS)
    nsaid_cautions: list[str] = declared("NSAID cautions", "choices", vocab.NSAID_CAUTIONS)
    nicotine: bool | None = declared("Uses nicotine", "yes_no")
    findings: str = declared("Findings", "notes", max_length=20_000)


KIND = Kind(
    name="assessment",
    label="Assessment",
    model=Assessment,
    order=10,
    menu_text="&Assessment…",
    date_label="Date of the assessment",
    style=Style("#1f5fa8", "diamond", "◆"),
    record=AssessmentRecord,
    validate=_validate,
    summarize=summarize,
    example={
        "pain_region": "below_belt",
        "pain_sites": ["buttock"],
        "functional": ["instability"],
        "distraction": True,
        "thigh_thrust": True,
        "fortin_finger": True,
        "red_flags": [],
        "symptoms": ["flare"],
        "nicotine": False,
    },
)
