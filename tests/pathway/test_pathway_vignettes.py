"""A table of clinical vignettes: every rule and every threshold at and around its boundary.

Each row is an episode (a base episode with a few facts changed), optional clinic
thresholds, and what the advice must say. Keys of the expectations:

- a top-level output key (``triage``, ``step``, ``injection_purpose``, ``referral``,
  ``missing``), ``scores.X``, or ``c:<criterion id>`` for that criterion's ``met``;
- ``components``: the list of component ids; ``medications``: (category, advisable) pairs;
- ``warnings``: substrings, each of which some warning must contain, and exactly that many
  warnings; ``missing+``: ids that must be in ``missing``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.pathway.pathway_support import (
    DROP,
    READY_FOR_FUSION,
    READY_FOR_INJECTION,
    advice_of,
    block,
    days_before,
    merged,
    met,
    therapeutic,
    thresholds_with,
)

INJ = READY_FOR_INJECTION
FUS = READY_FOR_FUSION
FOUR_FEATURES = [
    "onset_before_40",
    "insidious_onset",
    "better_with_exercise",
    "no_better_with_rest",
]
ALL_TESTS_FALSE = dict.fromkeys(
    (
        "distraction",
        "thigh_thrust",
        "compression",
        "sacral_thrust",
        "gaenslen_left",
        "gaenslen_right",
    ),
    False,
)


def conservative(weeks: Any, response: Any = "partial") -> dict[str, Any]:
    return {"weeks": weeks, "response": response}


def provocation(**results: bool | None) -> dict[str, Any]:
    return dict(ALL_TESTS_FALSE, **results)


# The pathway choices (sijdesk/pathway/CHOICES.md) that vignettes pin, by vignette id.
PINNED_CHOICES: dict[str, tuple[str, ...]] = {
    "exact-decimals": ("conservative-5.9-weeks", "fusion-odi-29.95-rounds-to-30"),
    "odi-items-alone": ("fusion-odi-from-items", "fusion-odi-items-two-unanswered"),
    "latest-therapeutic": (
        "interval-counts-latest-therapeutic-only",
        "entry-on-as-of-counts",
        "repeat-relief-same-day-one-fails",
        "repeat-relief-reads-latest-only",
    ),
    "annual-window": ("annual-limit-3-in-window", "annual-limit-4-in-window-edge-364-days"),
    "blocks-pending-unknown": ("block-pending",),
    "repeat-relief-missing": ("repeat-relief-pending-result", "repeat-relief-weeks-not-recorded"),
    "fusion-blocks-pending": ("fusion-second-block-pending", "therapeutic-relief-is-never-a-block"),
    "disagreeing-blocks-therapeutic": (
        "blocks-disagree-therapeutic",
        "blocks-disagree-and-one-under-50",
    ),
    "inflammatory-unknown": (
        "inflammatory-3-features-weeks-unknown",
        "inflammatory-5-features-weeks-unknown",
    ),
    "both-regions": ("both-regions-sij-pathway",),
    "criteria-every-triage": ("red-flag-on-fusion-candidate",),
    "default-motor-retraining": (
        "component-default-for-conservative",
        "component-no-default-for-injection",
    ),
    "older-and-unknown-age": ("nsaid-age-65-not-advisable", "nsaid-age-unknown"),
    "physiotherapy-offered": ("conservative-absent", "conservative-0-weeks-physiotherapy"),
    "warning-sentences": (
        "block-49-warns",
        "block-50-does-not-warn",
        "two-blocks-74-none-positive",
        "fusion-nicotine-and-negative-fortin-warn",
        "nicotine-and-fortin-silent-without-surgery",
    ),
}

# (id, base, changes, clinic thresholds or None, expectations)
VIGNETTES: list[tuple[str, dict, dict, dict | None, dict]] = [
    # --- the two base episodes -------------------------------------------------------------
    (
        "base-ready-for-injection",
        INJ,
        {},
        None,
        {
            "triage": "sij_pathway",
            "step": "injection",
            "injection_purpose": "diagnostic",
            "referral": "injection_clinic",
            "missing": [],
            "warnings": [],
            "components": [],
            "medications": [],
            "scores.cluster": "positive",
            "scores.response": "partial",
            "scores.odi_percent": 36.0,
            "scores.odi_band": "moderate",
            "c:fusion.symptom_weeks": False,
            "c:fusion.provocation_tests": False,
        },
    ),
    (
        "base-ready-for-fusion",
        FUS,
        {},
        None,
        {
            "triage": "sij_pathway",
            "step": "surgery_evaluation",
            "injection_purpose": None,
            "referral": "spine_surgeon",
            "missing": [],
            "warnings": [],
            "components": [],
            "scores.positive_blocks": 2,
            "scores.cluster_positives": 3,
        },
    ),
    # --- triage -------------------------------------------------------------------------------
    (
        "red-flag-urgent",
        INJ,
        {"red_flags": ["fever"], "symptoms": ["flare"], "functional": ["weakness"]},
        None,
        {
            "triage": "urgent_referral",
            "step": None,
            "injection_purpose": None,
            "referral": "urgent",
            "components": [],
            "medications": [],
            "c:triage.red_flag": True,
            "c:injection.cluster": True,
        },
    ),
    (
        "red-flag-wins-over-inflammatory",
        INJ,
        {"red_flags": ["cauda_equina"], "inflammatory": FOUR_FEATURES},
        None,
        {"triage": "urgent_referral", "step": None, "c:triage.inflammatory": True},
    ),
    (
        "red-flag-on-fusion-candidate",
        FUS,
        {"red_flags": ["night_pain"]},
        None,
        {"triage": "urgent_referral", "step": None, "referral": "urgent", "warnings": []},
    ),
    (
        "inflammatory-4-features-13-weeks",
        INJ,
        {"inflammatory": FOUR_FEATURES, "symptom_weeks": 13},
        None,
        {
            "triage": "rheumatology_referral",
            "step": "conservative",
            "injection_purpose": None,
            "referral": "rheumatology",
            "components": ["motor_retraining"],
            "c:triage.inflammatory": True,
            "c:injection.conservative_weeks": True,
        },
    ),
    (
        "inflammatory-4-features-12-weeks",
        INJ,
        {"inflammatory": FOUR_FEATURES, "symptom_weeks": 12},
        None,
        {"triage": "sij_pathway", "step": "injection", "c:triage.inflammatory": False},
    ),
    (
        "inflammatory-3-features-13-weeks",
        INJ,
        {"inflammatory": FOUR_FEATURES[:3], "symptom_weeks": 13},
        None,
        {"triage": "sij_pathway", "step": "injection", "c:triage.inflammatory": False},
    ),
    (
        "inflammatory-3-features-weeks-unknown",
        INJ,
        {"inflammatory": FOUR_FEATURES[:3], "symptom_weeks": DROP},
        None,
        {"c:triage.inflammatory": False, "missing": ["symptom_weeks"]},
    ),
    (
        "inflammatory-5-features-weeks-unknown",
        INJ,
        {"inflammatory": [*FOUR_FEATURES, "night_pain_better_on_rising"], "symptom_weeks": None},
        None,
        {
            "triage": "sij_pathway",
            "step": "injection",
            "c:triage.inflammatory": None,
            "missing": ["symptom_weeks"],
        },
    ),
    (
        "inflammatory-cleared-by-rheumatology",
        INJ,
        {"inflammatory": FOUR_FEATURES, "symptom_weeks": 13, "rheumatology_cleared": True},
        None,
        {"triage": "sij_pathway", "step": "injection", "c:triage.inflammatory": True},
    ),
    (
        "inflammatory-not-cleared",
        INJ,
        {"inflammatory": FOUR_FEATURES, "symptom_weeks": 30, "rheumatology_cleared": False},
        None,
        {"triage": "rheumatology_referral", "referral": "rheumatology"},
    ),
    (
        "inflammatory-wins-over-above-belt",
        INJ,
        {"inflammatory": FOUR_FEATURES, "symptom_weeks": 13, "pain_region": "above_belt"},
        None,
        {"triage": "rheumatology_referral", "c:triage.below_belt": False},
    ),
    (
        "above-belt-other-source",
        INJ,
        {"pain_region": "above_belt"},
        None,
        {
            "triage": "other_source",
            "step": "conservative",
            "referral": None,
            "components": ["motor_retraining"],
            "c:triage.below_belt": False,
            "c:injection.cluster": True,
        },
    ),
    (
        "above-belt-no-therapy-yet",
        INJ,
        {"pain_region": "above_belt", "conservative": conservative(0)},
        None,
        {"triage": "other_source", "referral": "physiotherapy"},
    ),
    (
        "above-belt-never-surgery",
        FUS,
        {"pain_region": "above_belt"},
        None,
        {"triage": "other_source", "step": "conservative", "warnings": []},
    ),
    (
        "both-regions-sij-pathway",
        INJ,
        {"pain_region": "both"},
        None,
        {"triage": "sij_pathway", "step": "injection", "c:triage.below_belt": True},
    ),
    (
        "region-unknown-sij-pathway",
        INJ,
        {"pain_region": DROP},
        None,
        {
            "triage": "sij_pathway",
            "step": "injection",
            "c:triage.below_belt": None,
            "missing": ["pain_region"],
        },
    ),
    # --- injection criteria -------------------------------------------------------------------
    (
        "conservative-5-weeks",
        INJ,
        {"conservative": conservative(5)},
        None,
        {"step": "conservative", "referral": None, "c:injection.conservative_weeks": False},
    ),
    (
        "conservative-6-weeks",
        INJ,
        {"conservative": conservative(6)},
        None,
        {"step": "injection", "c:injection.conservative_weeks": True},
    ),
    (
        "conservative-7-weeks",
        INJ,
        {"conservative": conservative(7)},
        None,
        {"step": "injection", "c:injection.conservative_weeks": True},
    ),
    (
        "conservative-5.9-weeks",
        INJ,
        {"conservative": conservative(5.9)},
        None,
        {"step": "conservative", "c:injection.conservative_weeks": False},
    ),
    (
        "conservative-weeks-unknown",
        INJ,
        {"conservative": {"response": "none"}},
        None,
        {
            "step": "conservative",
            "referral": "physiotherapy",
            "c:injection.conservative_weeks": None,
            "c:fusion.conservative_weeks": None,
            "missing": ["conservative"],
        },
    ),
    (
        "conservative-absent",
        INJ,
        {"conservative": DROP, "baseline": {"nrs": 8}},
        None,
        {
            "step": "conservative",
            "referral": "physiotherapy",
            "scores.response": "good",
            "c:injection.response": False,
            "missing": ["conservative"],
        },
    ),
    (
        "conservative-0-weeks-physiotherapy",
        INJ,
        {"conservative": conservative(0)},
        None,
        {"step": "conservative", "referral": "physiotherapy", "components": ["motor_retraining"]},
    ),
    (
        "response-good-recorded",
        INJ,
        {"conservative": conservative(8, "good")},
        None,
        {"step": "conservative", "c:injection.response": False, "scores.response": "good"},
    ),
    (
        "response-none-recorded",
        INJ,
        {"conservative": conservative(8, "none")},
        None,
        {"step": "injection", "c:injection.response": True},
    ),
    (
        "response-unknown-without-baseline",
        INJ,
        {"conservative": conservative(8, None)},
        None,
        {
            "step": "conservative",
            "scores.response": "unknown",
            "c:injection.response": None,
            "c:fusion.response": None,
            "missing": ["baseline"],
        },
    ),
    (
        "response-derived-nrs-fell-2-good",
        INJ,
        {"conservative": conservative(8, None), "baseline": {"nrs": 8}, "nrs": 6},
        None,
        {"scores.response": "good", "step": "conservative"},
    ),
    (
        "response-derived-nrs-fell-1-partial",
        INJ,
        {"conservative": conservative(8, None), "baseline": {"nrs": 7}, "nrs": 6},
        None,
        {"scores.response": "partial", "step": "injection"},
    ),
    (
        "response-derived-nrs-fell-30-percent-good",
        INJ,
        {"conservative": conservative(8, None), "baseline": {"nrs": 3}, "nrs": 2},
        None,
        {"scores.response": "good"},
    ),
    (
        "response-derived-nrs-rose-none",
        INJ,
        {"conservative": conservative(8, None), "baseline": {"nrs": 5}, "nrs": 6},
        None,
        {"scores.response": "none", "step": "injection"},
    ),
    (
        "response-derived-odi-fell-10-good",
        INJ,
        {"conservative": conservative(8, None), "baseline": {"odi_percent": 46}},
        None,
        {"scores.response": "good", "c:injection.response": False},
    ),
    (
        "response-derived-odi-fell-9.9-partial",
        INJ,
        {"conservative": conservative(8, None), "baseline": {"odi_percent": 45.9}},
        None,
        {"scores.response": "partial", "c:injection.response": True},
    ),
    (
        "response-baseline-empty-unknown",
        INJ,
        {"conservative": conservative(8, None), "baseline": {}},
        None,
        {"scores.response": "unknown", "missing": ["baseline"]},
    ),
    (
        "cluster-negative",
        INJ,
        {"provocation": provocation(distraction=True)},
        None,
        {
            "step": "conservative",
            "scores.cluster": "negative",
            "c:injection.cluster": False,
            "warnings": ["cluster is negative"],
        },
    ),
    (
        "cluster-incomplete",
        INJ,
        {"provocation": {"distraction": True}},
        None,
        {
            "step": "conservative",
            "scores.cluster": "incomplete",
            "c:injection.cluster": None,
            "c:fusion.provocation_tests": None,
            "missing": ["provocation"],
        },
    ),
    (
        "cluster-3-of-6-with-gaenslen",
        INJ,
        {"provocation": provocation(compression=True, gaenslen_left=True, gaenslen_right=True)},
        None,
        {"step": "injection", "scores.cluster_positives": 3, "c:fusion.provocation_tests": True},
    ),
    (
        "injection-declined",
        INJ,
        {"declines": ["injection"]},
        None,
        {"step": "conservative", "c:injection.not_declined": False},
    ),
    (
        "annual-limit-3-in-window",
        INJ,
        {"injections": [therapeutic(365), therapeutic(250), therapeutic(150), therapeutic(60)]},
        None,
        {"step": "injection", "c:injection.annual_limit": True},
    ),
    (
        "annual-limit-4-in-window-edge-364-days",
        INJ,
        {"injections": [therapeutic(364), therapeutic(250), therapeutic(150), therapeutic(60)]},
        None,
        {"step": "conservative", "c:injection.annual_limit": False},
    ),
    (
        "annual-limit-override-5",
        INJ,
        {"injections": [therapeutic(364), therapeutic(250), therapeutic(150), therapeutic(60)]},
        {"max_injections_per_year": 5},
        {"step": "injection", "c:injection.annual_limit": True},
    ),
    (
        "interval-55-days",
        INJ,
        {"injections": [therapeutic(55)]},
        None,
        {"step": "conservative", "c:injection.interval": False},
    ),
    (
        "interval-56-days",
        INJ,
        {"injections": [therapeutic(56)]},
        None,
        {"step": "injection", "injection_purpose": "diagnostic", "c:injection.interval": True},
    ),
    (
        "interval-57-days",
        INJ,
        {"injections": [therapeutic(57)]},
        None,
        {"step": "injection", "c:injection.interval": True},
    ),
    (
        "interval-counts-latest-therapeutic-only",
        INJ,
        {"injections": [therapeutic(20), therapeutic(200), block(10, 80)]},
        None,
        {"c:injection.interval": False},
    ),
    (
        "interval-override-12-weeks",
        INJ,
        {"injections": [therapeutic(83)]},
        {"min_weeks_between_therapeutic": 12},
        {"c:injection.interval": False},
    ),
    (
        "repeat-relief-49-percent",
        INJ,
        {"injections": [therapeutic(60, 49, 8)]},
        None,
        {"step": "conservative", "c:injection.repeat_relief": False},
    ),
    (
        "repeat-relief-50-percent",
        INJ,
        {"injections": [therapeutic(60, 50, 8)]},
        None,
        {"step": "injection", "c:injection.repeat_relief": True},
    ),
    (
        "repeat-relief-5-weeks",
        INJ,
        {"injections": [therapeutic(60, 80, 5)]},
        None,
        {"step": "conservative", "c:injection.repeat_relief": False},
    ),
    (
        "repeat-relief-6-weeks",
        INJ,
        {"injections": [therapeutic(60, 80, 6)]},
        None,
        {"step": "injection", "c:injection.repeat_relief": True},
    ),
    (
        "repeat-relief-override-12-weeks",
        INJ,
        {"injections": [therapeutic(100, 80, 8)]},
        {"repeat_min_weeks": 12},
        {"c:injection.repeat_relief": False},
    ),
    (
        "repeat-relief-pending-result",
        INJ,
        {"injections": [therapeutic(60, None, 8)]},
        None,
        {
            "step": "conservative",
            "c:injection.repeat_relief": None,
            "c:injection.blocks_allow": None,
            "c:fusion.therapeutic_injection": True,
            "missing": ["injections"],
            "warnings": ["therapeutic injection of 2024-04-02"],
        },
    ),
    (
        "repeat-relief-weeks-not-recorded",
        INJ,
        {"injections": [therapeutic(60, 70, None)]},
        None,
        {
            "c:injection.repeat_relief": None,
            "c:injection.blocks_allow": True,
            "missing": ["injections"],
            "warnings": [],
        },
    ),
    (
        "repeat-relief-recorded-percent-already-fails",
        INJ,
        {"injections": [therapeutic(60, 40, None)]},
        None,
        {"c:injection.repeat_relief": False, "missing": []},
    ),
    (
        "repeat-relief-recorded-weeks-already-fail",
        INJ,
        {"injections": [therapeutic(60, None, 2)]},
        None,
        {"c:injection.repeat_relief": False, "missing": ["injections"]},
    ),
    (
        "repeat-relief-same-day-one-fails",
        INJ,
        {"injections": [therapeutic(60, 80, 8), therapeutic(60, 30, 8)]},
        None,
        {"c:injection.repeat_relief": False},
    ),
    (
        "repeat-relief-same-day-one-unknown",
        INJ,
        {"injections": [therapeutic(60, 80, 8), therapeutic(60, 80, None)]},
        None,
        {"c:injection.repeat_relief": None},
    ),
    (
        "repeat-relief-reads-latest-only",
        INJ,
        {"injections": [therapeutic(60, 80, 8), therapeutic(200, 10, 1)]},
        None,
        {"c:injection.repeat_relief": True, "step": "injection"},
    ),
    (
        "entries-after-as-of-ignored",
        INJ,
        {
            "injections": [
                {"date": "2024-06-02", "kind": "therapeutic", "relief_percent": 10},
                {"date": "2024-07-01", "kind": "diagnostic"},
                {"date": "2025-01-01", "kind": "diagnostic", "relief_percent": 10},
                {"date": "2025-02-01", "kind": "diagnostic", "relief_percent": 20},
            ]
        },
        None,
        {
            "step": "injection",
            "injection_purpose": "diagnostic",
            "missing": [],
            "warnings": [],
            "c:fusion.therapeutic_injection": False,
            "c:injection.blocks_allow": True,
        },
    ),
    (
        "entry-on-as-of-counts",
        INJ,
        {"injections": [therapeutic(0)]},
        None,
        {"c:injection.interval": False, "c:fusion.therapeutic_injection": True},
    ),
    # --- diagnostic blocks ---------------------------------------------------------------------
    (
        "one-block-74",
        INJ,
        {"injections": [block(30, 74)]},
        None,
        {
            "step": "injection",
            "injection_purpose": "diagnostic",
            "scores.positive_blocks": 0,
            "warnings": [],
        },
    ),
    (
        "one-block-75",
        INJ,
        {"injections": [block(30, 75)]},
        None,
        {"step": "injection", "injection_purpose": "diagnostic", "scores.positive_blocks": 1},
    ),
    (
        "two-blocks-74-none-positive",
        INJ,
        {"injections": [block(60, 74), block(30, 74)]},
        None,
        {
            "step": "conservative",
            "scores.positive_blocks": 0,
            "c:injection.blocks_allow": False,
            "warnings": [f"{days_before(60)}: 74%; {days_before(30)}: 74%"],
        },
    ),
    (
        "two-blocks-75-therapeutic",
        INJ,
        {"injections": [block(60, 75), block(30, 75)]},
        None,
        {
            "step": "injection",
            "injection_purpose": "therapeutic",
            "scores.positive_blocks": 2,
            "c:fusion.confirmed_blocks": True,
            "warnings": [],
        },
    ),
    (
        "two-blocks-76-therapeutic",
        INJ,
        {"injections": [block(60, 76), block(30, 76)]},
        None,
        {"injection_purpose": "therapeutic", "scores.positive_blocks": 2},
    ),
    (
        "two-negative-blocks",
        INJ,
        {"injections": [block(60, 40), block(30, 30)]},
        None,
        {
            "step": "conservative",
            "c:injection.blocks_allow": False,
            "c:fusion.confirmed_blocks": False,
            "warnings": ["under 50%", "none reached 75%"],
        },
    ),
    (
        "blocks-disagree-therapeutic",
        INJ,
        {"injections": [block(60, 80), block(30, 60)]},
        None,
        {
            "step": "injection",
            "injection_purpose": "therapeutic",
            "scores.positive_blocks": 1,
            "c:fusion.confirmed_blocks": False,
            "warnings": ["disagree"],
        },
    ),
    (
        "blocks-disagree-and-one-under-50",
        INJ,
        {"injections": [block(60, 90), block(30, 40)]},
        None,
        {"injection_purpose": "therapeutic", "warnings": ["under 50%", "disagree"]},
    ),
    (
        "block-49-warns",
        INJ,
        {"injections": [block(30, 49)]},
        None,
        {"step": "injection", "warnings": [f"({days_before(30)}: 49%)"]},
    ),
    (
        "block-50-does-not-warn",
        INJ,
        {"injections": [block(30, 50)]},
        None,
        {"step": "injection", "warnings": []},
    ),
    (
        "block-pending",
        INJ,
        {"injections": [block(60, 80), block(10, None)]},
        None,
        {
            "step": "conservative",
            "c:injection.blocks_allow": None,
            "c:fusion.confirmed_blocks": None,
            "missing": ["injections"],
            "warnings": [f"diagnostic block of {days_before(10)}"],
        },
    ),
    (
        "block-pending-cannot-make-two",
        INJ,
        {"injections": [block(10, None)]},
        {"confirm_blocks": 3},
        {"c:fusion.confirmed_blocks": False, "c:injection.blocks_allow": None},
    ),
    (
        "block-threshold-override-50",
        INJ,
        {"injections": [block(60, 60), block(30, 60)]},
        {"block_threshold": 50},
        {"step": "injection", "injection_purpose": "therapeutic", "scores.positive_blocks": 2},
    ),
    (
        "block-threshold-default-60-is-negative",
        INJ,
        {"injections": [block(60, 60), block(30, 60)]},
        None,
        {"step": "conservative", "scores.positive_blocks": 0, "c:injection.blocks_allow": False},
    ),
    (
        "therapeutic-relief-is-never-a-block",
        INJ,
        {"injections": [therapeutic(200, 90, 10), therapeutic(100, 90, 10)]},
        None,
        {"scores.positive_blocks": 0, "injection_purpose": "diagnostic"},
    ),
    # --- fusion criteria ------------------------------------------------------------------------
    (
        "fusion-symptoms-25-weeks",
        FUS,
        {"symptom_weeks": 25},
        None,
        {
            "step": "injection",
            "injection_purpose": "therapeutic",
            "referral": "injection_clinic",
            "c:fusion.symptom_weeks": False,
        },
    ),
    (
        "fusion-symptoms-26-weeks",
        FUS,
        {"symptom_weeks": 26},
        None,
        {"step": "surgery_evaluation", "c:fusion.symptom_weeks": True},
    ),
    (
        "fusion-symptoms-27-weeks",
        FUS,
        {"symptom_weeks": 27},
        None,
        {"step": "surgery_evaluation", "c:fusion.symptom_weeks": True},
    ),
    (
        "fusion-symptoms-unknown",
        FUS,
        {"symptom_weeks": None},
        None,
        {"step": "injection", "c:fusion.symptom_weeks": None, "missing": ["symptom_weeks"]},
    ),
    (
        "fusion-care-25-weeks",
        FUS,
        {"conservative": conservative(25, "none")},
        None,
        {"step": "injection", "c:fusion.conservative_weeks": False},
    ),
    (
        "fusion-care-26-weeks",
        FUS,
        {"conservative": conservative(26, "none")},
        None,
        {"step": "surgery_evaluation", "c:fusion.conservative_weeks": True},
    ),
    (
        "fusion-care-27-weeks",
        FUS,
        {"conservative": conservative(27, "none")},
        None,
        {"step": "surgery_evaluation"},
    ),
    (
        "fusion-weeks-override-52",
        FUS,
        {},
        {"fusion_min_weeks": 52},
        {"step": "injection", "c:fusion.symptom_weeks": False},
    ),
    (
        "fusion-response-good",
        FUS,
        {"conservative": conservative(30, "good")},
        None,
        {"step": "conservative", "c:fusion.response": False, "referral": None},
    ),
    (
        "fusion-no-therapeutic-injection",
        FUS,
        {"injections": FUS["injections"][:2]},
        None,
        {
            "step": "injection",
            "injection_purpose": "therapeutic",
            "c:fusion.therapeutic_injection": False,
        },
    ),
    (
        "fusion-one-positive-one-negative-block",
        FUS,
        {"injections": [block(200, 80), block(180, 60), therapeutic(100)]},
        None,
        {
            "step": "injection",
            "injection_purpose": "therapeutic",
            "c:fusion.confirmed_blocks": False,
        },
    ),
    (
        "fusion-second-block-pending",
        FUS,
        {"injections": [block(200, 80), block(180, None), therapeutic(100)]},
        None,
        {"step": "conservative", "c:fusion.confirmed_blocks": None, "missing": ["injections"]},
    ),
    (
        "fusion-2-positive-tests",
        FUS,
        {"provocation": provocation(distraction=True, thigh_thrust=True)},
        None,
        {"step": "injection", "c:fusion.provocation_tests": False},
    ),
    (
        "fusion-2-positive-tests-1-not-done",
        FUS,
        {"provocation": provocation(distraction=True, thigh_thrust=True, gaenslen_left=None)},
        None,
        {
            "step": "injection",
            "c:fusion.provocation_tests": None,
            "scores.cluster": "positive",
            "missing": ["provocation"],
        },
    ),
    (
        "fusion-nrs-4",
        FUS,
        {"nrs": 4},
        None,
        {"step": "injection", "c:fusion.nrs": False},
    ),
    (
        "fusion-nrs-5",
        FUS,
        {"nrs": 5},
        None,
        {"step": "surgery_evaluation", "c:fusion.nrs": True},
    ),
    (
        "fusion-nrs-unknown",
        FUS,
        {"nrs": None},
        None,
        {"step": "injection", "c:fusion.nrs": None, "missing": ["nrs"]},
    ),
    (
        "fusion-odi-29.9",
        FUS,
        {"odi_percent": 29.9},
        None,
        {"step": "injection", "c:fusion.odi": False, "scores.odi_band": "moderate"},
    ),
    (
        "fusion-odi-30",
        FUS,
        {"odi_percent": 30},
        None,
        {"step": "surgery_evaluation", "c:fusion.odi": True},
    ),
    (
        "fusion-odi-29.95-rounds-to-30",
        FUS,
        {"odi_percent": 29.95},
        None,
        {"step": "surgery_evaluation", "scores.odi_percent": 30.0},
    ),
    (
        "fusion-odi-from-items",
        FUS,
        {"odi_items": [2, 2, 1, 1, 2, 1, 2, 1, 2, 1], "odi_percent": 80},
        None,
        {"step": "surgery_evaluation", "scores.odi_percent": 30.0},
    ),
    (
        "fusion-odi-items-two-unanswered",
        FUS,
        {"odi_items": [5, 5, 5, 5, 5, 5, 5, 5, None, None], "odi_percent": 80},
        None,
        {
            "step": "injection",
            "scores.odi_percent": None,
            "scores.odi_band": None,
            "c:fusion.odi": None,
            "missing": ["odi"],
        },
    ),
    (
        "fusion-odi-unknown",
        FUS,
        {"odi_percent": DROP},
        None,
        {"c:fusion.odi": None, "missing": ["odi"]},
    ),
    (
        "fusion-surgery-declined",
        FUS,
        {"declines": ["surgery"]},
        None,
        {"step": "injection", "c:fusion.not_declined": False},
    ),
    (
        "fusion-nicotine-and-negative-fortin-warn",
        FUS,
        {"nicotine": True, "fortin_finger": False},
        None,
        {"step": "surgery_evaluation", "warnings": ["nicotine", "Fortin"]},
    ),
    (
        "fusion-no-nicotine-positive-fortin",
        FUS,
        {"nicotine": False, "fortin_finger": True},
        None,
        {"step": "surgery_evaluation", "warnings": []},
    ),
    (
        "nicotine-and-fortin-silent-without-surgery",
        INJ,
        {"nicotine": True, "fortin_finger": False},
        None,
        {"step": "injection", "warnings": []},
    ),
    # --- components -----------------------------------------------------------------------------
    (
        "component-met",
        INJ,
        {"functional": ["movement_restriction"]},
        None,
        {"components": ["met"]},
    ),
    *[
        (
            f"component-motor-retraining-{complaint}",
            INJ,
            {"functional": [complaint]},
            None,
            {"components": ["motor_retraining"]},
        )
        for complaint in (
            "lost_hip_mobility",
            "locked_up",
            "weakness",
            "inhibition",
            "off_movement",
        )
    ],
    (
        "component-support-instability",
        INJ,
        {"functional": ["instability"]},
        None,
        {"components": ["manual_therapy_support"]},
    ),
    (
        "component-support-flare",
        INJ,
        {"symptoms": ["flare"]},
        None,
        {"components": ["manual_therapy_support"]},
    ),
    (
        "components-all-in-order",
        FUS,
        {"functional": ["instability", "weakness", "movement_restriction"]},
        None,
        {"components": ["met", "motor_retraining", "manual_therapy_support"]},
    ),
    (
        "component-default-for-conservative",
        INJ,
        {"conservative": conservative(3), "functional": []},
        None,
        {"step": "conservative", "components": ["motor_retraining"]},
    ),
    (
        "component-no-default-for-injection",
        INJ,
        {"pain_sites": ["buttock", "groin"]},
        None,
        {"step": "injection", "components": []},
    ),
    # --- medications ----------------------------------------------------------------------------
    (
        "nsaid-age-64-advisable",
        INJ,
        {"symptoms": ["flare"], "age": 64},
        None,
        {"medications": [("nsaid", True)], "missing": []},
    ),
    (
        "nsaid-age-65-not-advisable",
        INJ,
        {"symptoms": ["flare"], "age": 65},
        None,
        {"medications": [("nsaid", False)]},
    ),
    (
        "nsaid-caution-not-advisable",
        INJ,
        {"symptoms": ["flare"], "nsaid_cautions": ["renal_disease"]},
        None,
        {"medications": [("nsaid", False)]},
    ),
    (
        "nsaid-age-unknown",
        INJ,
        {"symptoms": ["flare"], "age": None},
        None,
        {"medications": [("nsaid", False)], "missing": ["age"]},
    ),
    (
        "muscle-relaxant-age-64",
        INJ,
        {"symptoms": ["spasm"], "age": 64},
        None,
        {"medications": [("muscle_relaxant", True)]},
    ),
    (
        "muscle-relaxant-age-65",
        INJ,
        {"symptoms": ["spasm"], "age": 65},
        None,
        {"medications": [("muscle_relaxant", False)]},
    ),
    (
        "muscle-relaxant-age-unknown",
        INJ,
        {"symptoms": ["spasm"], "age": DROP},
        None,
        {"medications": [("muscle_relaxant", False)], "missing": ["age"]},
    ),
    (
        "older-age-override-70",
        INJ,
        {"symptoms": ["spasm", "flare"], "age": 68},
        {"older_age": 70},
        {"medications": [("nsaid", True), ("muscle_relaxant", True)]},
    ),
    (
        "neuropathic-default-not-advisable",
        INJ,
        {"symptoms": ["neuropathic"], "age": None},
        None,
        {"medications": [("neuropathic_agent", False)], "missing": []},
    ),
    (
        "neuropathic-setting-true",
        INJ,
        {"symptoms": ["neuropathic"]},
        {"neuropathic_agent_advisable": True},
        {"medications": [("neuropathic_agent", True)]},
    ),
    (
        "medications-in-order",
        INJ,
        {"symptoms": ["neuropathic", "spasm", "flare"]},
        None,
        {
            "medications": [
                ("nsaid", True),
                ("muscle_relaxant", True),
                ("neuropathic_agent", False),
            ]
        },
    ),
    (
        "medications-on-conservative-step",
        INJ,
        {"symptoms": ["flare"], "conservative": conservative(2)},
        None,
        {"step": "conservative", "medications": [("nsaid", True)]},
    ),
    # --- missing --------------------------------------------------------------------------------
    (
        "nothing-recorded",
        {"as_of": "2024-06-01"},
        {},
        None,
        {
            "triage": "sij_pathway",
            "step": "conservative",
            "referral": "physiotherapy",
            "components": ["motor_retraining"],
            "scores.cluster": "incomplete",
            "scores.response": "unknown",
            "scores.odi_percent": None,
            "missing": [
                "baseline",
                "conservative",
                "nrs",
                "odi",
                "pain_region",
                "provocation",
                "symptom_weeks",
            ],
        },
    ),
    (
        "nothing-recorded-with-flare",
        {"as_of": "2024-06-01", "symptoms": ["flare"]},
        {},
        None,
        {"missing+": ["age", "baseline"], "medications": [("nsaid", False)]},
    ),
]


def _check(advice: dict[str, Any], expected: dict[str, Any]) -> None:
    for key, want in expected.items():
        if key.startswith("c:"):
            assert met(advice, key[2:]) is want, (key, advice["criteria"])
        elif key.startswith("scores."):
            assert advice["scores"][key[7:]] == want, key
        elif key == "components":
            assert [c["id"] for c in advice["components"]] == want
        elif key == "medications":
            got = [(m["category"], m["advisable"]) for m in advice["medications"]]
            assert got == want
        elif key == "warnings":
            assert len(advice["warnings"]) == len(want), advice["warnings"]
            for fragment in want:
                assert any(fragment in w for w in advice["warnings"]), (
                    fragment,
                    advice["warnings"],
                )
        elif key == "missing+":
            assert set(want) <= set(advice["missing"]), advice["missing"]
        else:
            assert advice[key] == want, (key, advice[key])


@pytest.mark.parametrize(
    ("base", "changes", "clinic", "expected"),
    [pytest.param(b, c, t, e, id=name) for name, b, c, t, e in VIGNETTES],
)
def test_vignette_advice_matches_the_rules(base, changes, clinic, expected):
    thresholds = thresholds_with(**clinic) if clinic else None
    advice = advice_of(merged(base, changes), thresholds)
    _check(advice, expected)


def test_vignette_ids_are_unique():
    names = [v[0] for v in VIGNETTES]
    assert len(names) == len(set(names))


def test_every_triage_step_purpose_and_referral_is_exercised_by_the_table():
    seen: dict[str, set] = {
        "triage": set(),
        "step": set(),
        "injection_purpose": set(),
        "referral": set(),
    }
    for _name, base, changes, clinic, _expected in VIGNETTES:
        advice = advice_of(merged(base, changes), thresholds_with(**clinic) if clinic else None)
        for key, values in seen.items():
            values.add(advice[key])
    assert seen["triage"] == {
        "urgent_referral",
        "rheumatology_referral",
        "other_source",
        "sij_pathway",
    }
    assert seen["step"] == {None, "conservative", "injection", "surgery_evaluation"}
    assert seen["injection_purpose"] == {None, "diagnostic", "therapeutic"}
    assert seen["referral"] == {
        None,
        "urgent",
        "rheumatology",
        "physiotherapy",
        "injection_clinic",
        "spine_surgeon",
    }
