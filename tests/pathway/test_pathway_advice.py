"""The advice object: its JSON shape, criteria listing, texts, and the snapshot round trip."""

from __future__ import annotations

import json
from datetime import date

import pytest

from sijdesk.pathway import (
    CLUSTER_RESULTS,
    COMPONENTS,
    CRITERIA_IDS,
    DECLINES,
    FUNCTIONAL,
    INFLAMMATORY,
    INJECTION_KINDS,
    LABELS,
    MEDICATION_CATEGORIES,
    MISSING_FACTS,
    NSAID_CAUTIONS,
    ODI_BANDS,
    PAIN_REGIONS,
    PAIN_SITES,
    PATHWAY_VERSION,
    PROVOCATION_TESTS,
    RED_FLAGS,
    REFERRALS,
    SCORE_RESPONSES,
    STEPS,
    SYMPTOMS,
    THRESHOLD_NAMES,
    TRIAGES,
    Advice,
    Facts,
    advise,
    label,
)
from tests.pathway.pathway_support import (
    AS_OF,
    DROP,
    READY_FOR_FUSION,
    READY_FOR_INJECTION,
    advice_of,
    block,
    criterion,
    days_before,
    facts_of,
    merged,
    therapeutic,
)

OUTPUT_KEYS = [
    "pathway_version",
    "thresholds",
    "triage",
    "step",
    "injection_purpose",
    "components",
    "medications",
    "criteria",
    "scores",
    "missing",
    "referral",
    "warnings",
    "rationale",
]


def test_output_has_every_contract_key_in_order(defaults):
    advice = advice_of(READY_FOR_INJECTION)
    assert list(advice) == OUTPUT_KEYS
    assert advice["pathway_version"] == PATHWAY_VERSION
    assert advice["thresholds"] == defaults.to_dict()
    assert list(advice["thresholds"]) == list(THRESHOLD_NAMES)
    assert list(advice["scores"]) == [
        "odi_percent",
        "odi_band",
        "cluster",
        "cluster_positives",
        "response",
        "positive_blocks",
    ]


def test_every_criterion_is_listed_once_in_a_stable_order_with_label_and_source():
    for episode in (READY_FOR_INJECTION, READY_FOR_FUSION, {"as_of": "2024-06-01"}):
        advice = advice_of(episode)
        assert [c["id"] for c in advice["criteria"]] == list(CRITERIA_IDS)
        for item in advice["criteria"]:
            assert item["group"] == item["id"].split(".")[0]
            assert item["label"] == LABELS[item["id"]]
            assert item["detail"] and item["source"]
            assert list(item) == ["id", "group", "label", "met", "detail", "source"]


def test_criteria_ids_are_those_of_the_contract():
    assert CRITERIA_IDS == (
        "triage.red_flag",
        "triage.inflammatory",
        "triage.below_belt",
        "injection.conservative_weeks",
        "injection.response",
        "injection.cluster",
        "injection.not_declined",
        "injection.annual_limit",
        "injection.interval",
        "injection.repeat_relief",
        "injection.blocks_allow",
        "fusion.symptom_weeks",
        "fusion.conservative_weeks",
        "fusion.response",
        "fusion.therapeutic_injection",
        "fusion.confirmed_blocks",
        "fusion.provocation_tests",
        "fusion.nrs",
        "fusion.odi",
        "fusion.not_declined",
    )


@pytest.mark.parametrize(
    ("changes", "criterion_id", "detail"),
    [
        ({}, "injection.conservative_weeks", "8 weeks of conservative care (needs 6)"),
        ({"conservative": {"weeks": 8.5}}, "injection.conservative_weeks", "8.5 weeks"),
        ({"conservative": {}}, "injection.conservative_weeks", "not recorded (needs 6)"),
        ({}, "fusion.nrs", "Pain 6/10 (needs 5)"),
        ({}, "fusion.odi", "ODI 36.0% (needs 30%)"),
        ({}, "triage.below_belt", "below the belt line"),
        ({"red_flags": ["fever", "cancer_history"]}, "triage.red_flag", "Fever and History of"),
        ({}, "injection.annual_limit", "from 2023-06-03 to 2024-06-01"),
        ({"injections": [therapeutic(55)]}, "injection.interval", "55 days"),
        ({"injections": [therapeutic(60, 49, 8)]}, "injection.repeat_relief", "49% relief"),
        (
            {"injections": [block(10, None), block(5, None)]},
            "injection.blocks_allow",
            "injections of",
        ),
        (
            {"baseline": {"nrs": 8, "odi_percent": 50}, "conservative": {"weeks": 8}},
            "injection.response",
            "NRS 8 to 6; ODI 50% to 36%",
        ),
    ],
)
def test_criterion_detail_names_the_values_read(changes, criterion_id, detail):
    advice = advice_of(merged(READY_FOR_INJECTION, changes))
    assert detail in criterion(advice, criterion_id)["detail"]


def test_criterion_source_follows_a_clinic_threshold(tmp_path):
    from tests.pathway.pathway_support import thresholds_with

    advice = advice_of(READY_FOR_INJECTION, thresholds_with(block_threshold=50))
    assert "Clinic setting" in criterion(advice, "injection.blocks_allow")["source"]


@pytest.mark.choice("facts-need-as-of")
def test_advise_needs_as_of(defaults):
    with pytest.raises(ValueError, match="as_of"):
        advise(Facts(age=40), defaults)


def test_advise_accepts_directly_built_facts_and_counts_distinct_features(defaults):
    facts = Facts(
        as_of=AS_OF,
        pain_region="below_belt",
        symptom_weeks=30,
        inflammatory=["onset_before_40"] * 4,
    )
    advice = advise(facts, defaults)
    assert advice.criterion("triage.inflammatory").met is False
    assert advice.triage == "sij_pathway"


def test_advice_criterion_lookup(defaults):
    advice = advise(facts_of(READY_FOR_INJECTION), defaults)
    assert advice.criterion("fusion.nrs").met is True
    with pytest.raises(KeyError):
        advice.criterion("fusion.unknown")


def test_advice_round_trips_through_its_json_snapshot(defaults):
    for episode in (
        READY_FOR_INJECTION,
        READY_FOR_FUSION,
        merged(READY_FOR_INJECTION, {"symptoms": ["flare", "spasm", "neuropathic"]}),
        merged(READY_FOR_INJECTION, {"red_flags": ["fever"]}),
    ):
        advice = advise(facts_of(episode), defaults)
        snapshot = json.loads(json.dumps(advice.to_dict(), allow_nan=False))
        again = Advice.from_dict(snapshot)
        assert again == advice
        assert again.to_dict() == advice.to_dict()


@pytest.mark.choice("output-lists")
def test_advice_from_dict_ignores_keys_added_later(defaults):
    data = advise(facts_of(READY_FOR_INJECTION), defaults).to_dict()
    data["added_in_a_later_version"] = 1
    assert Advice.from_dict(data).to_dict()["step"] == "injection"


def test_advice_is_frozen(defaults):
    advice = advise(facts_of(READY_FOR_INJECTION), defaults)
    with pytest.raises(AttributeError):
        advice.step = "conservative"  # type: ignore[misc]
    with pytest.raises(TypeError):
        advice.thresholds["older_age"] = 70  # type: ignore[index]


# --- medications -------------------------------------------------------------------------


def _medication(advice, category):
    (found,) = [m for m in advice["medications"] if m["category"] == category]
    return found


@pytest.mark.choice("older-and-unknown-age")
def test_nsaid_cautions_name_each_caution_present_and_age():
    advice = advice_of(
        merged(
            READY_FOR_INJECTION,
            {"symptoms": ["flare"], "age": 70, "nsaid_cautions": list(NSAID_CAUTIONS)},
        )
    )
    nsaid = _medication(advice, "nsaid")
    assert nsaid["advisable"] is False
    text = " ".join(nsaid["cautions"])
    for word in ("gastrointestinal", "Kidney", "Cardiovascular", "anticoagulant", "Pregnancy"):
        assert word in text
    assert "Age 70 (65 or over)" in text
    assert "FDA 2015" in text and "FDA 2020" in text
    assert nsaid["cautions"][-1].startswith("If used: the lowest effective dose")
    assert len(nsaid["cautions"]) == 7


def test_nsaid_advisable_still_says_lowest_dose_shortest_time():
    nsaid = _medication(advice_of(merged(READY_FOR_INJECTION, {"symptoms": ["flare"]})), "nsaid")
    assert nsaid["advisable"] is True
    assert nsaid["cautions"] == [
        "If used: the lowest effective dose for the shortest possible time (NICE NG59)."
    ]


@pytest.mark.choice("older-and-unknown-age")
def test_unknown_age_makes_nsaid_and_muscle_relaxant_not_advisable():
    advice = advice_of(
        merged(
            READY_FOR_INJECTION,
            {"symptoms": ["flare", "spasm"], "age": None, "nsaid_cautions": ["pregnancy"]},
        )
    )
    nsaid = _medication(advice, "nsaid")
    relaxant = _medication(advice, "muscle_relaxant")
    assert (nsaid["advisable"], nsaid["reason"]) == (False, "age not recorded")
    assert (relaxant["advisable"], relaxant["reason"]) == (False, "age not recorded")
    assert any("Pregnancy" in c for c in nsaid["cautions"])
    assert advice["missing"] == ["age"]


def test_muscle_relaxant_short_course_and_beers():
    young = _medication(
        advice_of(merged(READY_FOR_INJECTION, {"symptoms": ["spasm"]})), "muscle_relaxant"
    )
    assert young["advisable"] is True
    assert any("2-3 weeks" in c for c in young["cautions"])
    old = _medication(
        advice_of(merged(READY_FOR_INJECTION, {"symptoms": ["spasm"], "age": 80})),
        "muscle_relaxant",
    )
    assert old["advisable"] is False
    assert "Beers" in old["reason"]
    assert any("Beers" in c for c in old["cautions"])


def test_neuropathic_agent_cites_nice_and_the_fda_breathing_warning():
    agent = _medication(
        advice_of(merged(READY_FOR_INJECTION, {"symptoms": ["neuropathic"]})), "neuropathic_agent"
    )
    assert agent["advisable"] is False
    assert "NICE NG59" in agent["reason"]
    (caution,) = agent["cautions"]
    assert "FDA 2019" in caution and "breathing" in caution and "opioids" in caution


# --- warnings and rationale -----------------------------------------------------------------


@pytest.mark.choice("warning-sentences")
def test_warnings_name_dates_and_values():
    advice = advice_of(
        merged(
            READY_FOR_INJECTION,
            {"injections": [block(60, 40), block(30, 30), block(20, None)]},
        )
    )
    joined = " ".join(advice["warnings"])
    assert f"{days_before(60)}: 40%" in joined
    assert f"{days_before(30)}: 30%" in joined
    assert f"diagnostic block of {days_before(20)}" in joined
    assert len(advice["warnings"]) == 3  # under 50%, none positive, pending


def test_rationale_for_surgery_names_what_supports_it_and_what_to_confirm():
    rationale = " ".join(advice_of(READY_FOR_FUSION)["rationale"])
    assert "spine surgeon" in rationale
    assert "40 weeks of symptoms (needs 26)" in rationale
    assert "other pain generators" in rationale
    assert "imaging" in rationale


def test_rationale_for_injection_names_the_purpose_and_the_fusion_gap():
    diagnostic = " ".join(advice_of(READY_FOR_INJECTION)["rationale"])
    assert "diagnostic block" in diagnostic
    assert "Fusion evaluation is not advised yet" in diagnostic
    therapeutic_ = " ".join(
        advice_of(merged(READY_FOR_INJECTION, {"injections": [block(60, 80), block(30, 90)]}))[
            "rationale"
        ]
    )
    assert "therapeutic injection" in therapeutic_


def test_rationale_for_conservative_names_what_is_unmet_unknown_and_missing():
    advice = advice_of(
        merged(READY_FOR_INJECTION, {"conservative": {"weeks": 3, "response": "none"}, "nrs": None})
    )
    rationale = " ".join(advice["rationale"])
    assert "not met: enough conservative care" in rationale
    assert "not known: pain severe enough" in rationale
    assert "Missing to decide: pain score (NRS)." in rationale


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"red_flags": ["cauda_equina"]}, "cauda equina signs"),
        (
            {"inflammatory": list(INFLAMMATORY), "symptom_weeks": 20},
            "refer to rheumatology",
        ),
        (
            {"inflammatory": list(INFLAMMATORY), "symptom_weeks": 20, "rheumatology_cleared": True},
            "rheumatology has cleared",
        ),
        ({"inflammatory": list(INFLAMMATORY), "symptom_weeks": None}, "cannot be judged"),
        ({"pain_region": "above_belt"}, "facet joints or discs"),
        ({"pain_region": None}, "pain region is not recorded"),
    ],
)
@pytest.mark.choice("inflammatory-unknown")
def test_rationale_explains_the_triage(changes, fragment):
    assert fragment in " ".join(advice_of(merged(READY_FOR_INJECTION, changes))["rationale"])


def test_rationale_off_the_sij_pathway_says_injection_is_not_considered():
    advice = advice_of(merged(READY_FOR_FUSION, {"pain_region": "above_belt"}))
    assert "only on the SIJ pathway" in " ".join(advice["rationale"])


# --- vocabularies and labels ------------------------------------------------------------------


def test_every_vocabulary_and_criterion_id_has_a_label():
    vocabularies = (
        PAIN_REGIONS,
        PAIN_SITES,
        FUNCTIONAL,
        PROVOCATION_TESTS,
        RED_FLAGS,
        INFLAMMATORY,
        SCORE_RESPONSES,
        INJECTION_KINDS,
        SYMPTOMS,
        NSAID_CAUTIONS,
        DECLINES,
        TRIAGES,
        STEPS,
        COMPONENTS,
        MEDICATION_CATEGORIES,
        REFERRALS,
        CLUSTER_RESULTS,
        ODI_BANDS,
        MISSING_FACTS,
        CRITERIA_IDS,
    )
    for vocabulary in vocabularies:
        for ident in vocabulary:
            assert LABELS[ident].strip(), ident
            assert label(ident) == LABELS[ident]
    assert label("thigh_thrust") == "Thigh thrust"
    assert label("no-such-id") == "no-such-id"


def test_labels_read_inside_a_sentence_keep_abbreviations():
    from sijdesk.pathway.vocab import RECORDED_MEDICATION_CATEGORIES, in_sentence

    assert in_sentence("nsaid") == "NSAID"
    assert in_sentence("muscle_relaxant") == "muscle relaxant"
    assert RECORDED_MEDICATION_CATEGORIES[:3] == MEDICATION_CATEGORIES
    assert all(LABELS[c].strip() for c in RECORDED_MEDICATION_CATEGORIES)


def test_vocabularies_are_in_contract_order():
    assert PROVOCATION_TESTS == (
        "distraction",
        "thigh_thrust",
        "compression",
        "sacral_thrust",
        "gaenslen_left",
        "gaenslen_right",
    )
    assert COMPONENTS == ("met", "motor_retraining", "manual_therapy_support")
    assert MEDICATION_CATEGORIES == ("nsaid", "muscle_relaxant", "neuropathic_agent")
    assert TRIAGES == ("urgent_referral", "rheumatology_referral", "other_source", "sij_pathway")
    assert STEPS == ("conservative", "injection", "surgery_evaluation")
    assert MISSING_FACTS == (
        "age",
        "pain_region",
        "provocation",
        "nrs",
        "odi",
        "baseline",
        "conservative",
        "symptom_weeks",
        "injections",
    )


def test_same_facts_give_the_same_advice_on_another_day_only_through_as_of(defaults):
    early = advise(
        facts_of(merged(READY_FOR_INJECTION, {"injections": [therapeutic(30)]})), defaults
    )
    later_facts = facts_of(
        merged(READY_FOR_INJECTION, {"injections": [therapeutic(30)], "as_of": "2024-07-01"})
    )
    later = advise(later_facts, defaults)
    assert early.criterion("injection.interval").met is False
    assert later.criterion("injection.interval").met is True
    assert later_facts.as_of == date(2024, 7, 1)


@pytest.mark.choice("provocation-absent")
def test_without_a_provocation_object_every_test_counts_as_not_done():
    advice = advice_of(merged(READY_FOR_INJECTION, {"provocation": DROP}))
    assert advice["scores"]["cluster"] == "incomplete"
    assert advice["scores"]["cluster_positives"] == 0
    assert "provocation" in advice["missing"]
    assert advice["step"] == "conservative"
