"""Vocabularies of the pathway (CLINICAL.md section 2) and their readable labels.

Every tuple is in contract order. :data:`LABELS` gives a short label for every
vocabulary id and every criterion id; :func:`label` falls back to the id itself.
"""

from __future__ import annotations

PAIN_REGIONS: tuple[str, ...] = ("below_belt", "above_belt", "both")
PAIN_SITES: tuple[str, ...] = (
    "buttock",
    "posterior_thigh",
    "groin",
    "lower_back",
    "below_knee",
)
FUNCTIONAL: tuple[str, ...] = (
    "movement_restriction",
    "lost_hip_mobility",
    "locked_up",
    "weakness",
    "instability",
    "inhibition",
    "off_movement",
)
PROVOCATION_TESTS: tuple[str, ...] = (
    "distraction",
    "thigh_thrust",
    "compression",
    "sacral_thrust",
    "gaenslen_left",
    "gaenslen_right",
)
#: The four tests of the cluster other than Gaenslen (Laslett 2005).
NON_GAENSLEN_TESTS: tuple[str, ...] = PROVOCATION_TESTS[:4]
RED_FLAGS: tuple[str, ...] = (
    "cauda_equina",
    "progressive_neuro_deficit",
    "fever",
    "weight_loss",
    "cancer_history",
    "major_trauma",
    "osteoporotic_trauma",
    "iv_drug_use",
    "immunosuppression",
    "night_pain",
)
INFLAMMATORY: tuple[str, ...] = (
    "onset_before_40",
    "insidious_onset",
    "better_with_exercise",
    "no_better_with_rest",
    "night_pain_better_on_rising",
)
RESPONSES: tuple[str, ...] = ("good", "partial", "none")
#: Values of ``scores.response``: the recorded responses plus ``unknown``.
SCORE_RESPONSES: tuple[str, ...] = (*RESPONSES, "unknown")
INJECTION_KINDS: tuple[str, ...] = ("diagnostic", "therapeutic")
SYMPTOMS: tuple[str, ...] = ("flare", "spasm", "neuropathic")
NSAID_CAUTIONS: tuple[str, ...] = (
    "gi_bleed_history",
    "renal_disease",
    "cardiovascular_disease",
    "anticoagulant",
    "pregnancy",
)
DECLINES: tuple[str, ...] = ("injection", "surgery")

TRIAGES: tuple[str, ...] = (
    "urgent_referral",
    "rheumatology_referral",
    "other_source",
    "sij_pathway",
)
STEPS: tuple[str, ...] = ("conservative", "injection", "surgery_evaluation")
INJECTION_PURPOSES: tuple[str, ...] = ("diagnostic", "therapeutic")
COMPONENTS: tuple[str, ...] = ("met", "motor_retraining", "manual_therapy_support")
# The categories the pathway advises on ...
MEDICATION_CATEGORIES: tuple[str, ...] = ("nsaid", "muscle_relaxant", "neuropathic_agent")
# ... and every category a medication course may be recorded under (the one
# list the forms, the service and the documents read).
RECORDED_MEDICATION_CATEGORIES: tuple[str, ...] = (*MEDICATION_CATEGORIES, "analgesic", "other")
REFERRALS: tuple[str, ...] = (
    "urgent",
    "rheumatology",
    "physiotherapy",
    "injection_clinic",
    "spine_surgeon",
)
#: The referral ids are also the letter kinds; this is the order letters are offered in.
LETTER_KINDS: tuple[str, ...] = (
    "physiotherapy",
    "injection_clinic",
    "spine_surgeon",
    "rheumatology",
    "urgent",
)
CLUSTER_RESULTS: tuple[str, ...] = ("positive", "negative", "incomplete")
ODI_BANDS: tuple[str, ...] = ("minimal", "moderate", "severe", "crippled", "bed_bound")
#: Fact ids that may appear in ``missing``.
MISSING_FACTS: tuple[str, ...] = (
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
CRITERION_GROUPS: tuple[str, ...] = ("triage", "injection", "fusion")
TRIAGE_CRITERIA: tuple[str, ...] = (
    "triage.red_flag",
    "triage.inflammatory",
    "triage.below_belt",
)
INJECTION_CRITERIA: tuple[str, ...] = (
    "injection.conservative_weeks",
    "injection.response",
    "injection.cluster",
    "injection.not_declined",
    "injection.annual_limit",
    "injection.interval",
    "injection.repeat_relief",
    "injection.blocks_allow",
)
FUSION_CRITERIA: tuple[str, ...] = (
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
#: Every criterion id, in the order the advice lists them.
CRITERIA_IDS: tuple[str, ...] = TRIAGE_CRITERIA + INJECTION_CRITERIA + FUSION_CRITERIA

LABELS: dict[str, str] = {
    # pain regions
    "below_belt": "Below the belt line",
    "above_belt": "Above the belt line",
    "both": "Above and below the belt line",
    # pain sites
    "buttock": "Buttock",
    "posterior_thigh": "Back of the thigh",
    "groin": "Groin",
    "lower_back": "Lower back",
    "below_knee": "Below the knee",
    # functional complaints
    "movement_restriction": "Movement restriction",
    "lost_hip_mobility": "Lost hip mobility",
    "locked_up": "Feels locked up",
    "weakness": "Weakness",
    "instability": "Instability",
    "inhibition": "Muscle inhibition",
    "off_movement": "Movement feels off",
    # provocation tests
    "distraction": "Distraction",
    "thigh_thrust": "Thigh thrust",
    "compression": "Compression",
    "sacral_thrust": "Sacral thrust",
    "gaenslen_left": "Gaenslen, left",
    "gaenslen_right": "Gaenslen, right",
    "fortin_finger": "Fortin finger test",
    # red flags
    "cauda_equina": "Cauda equina signs",
    "progressive_neuro_deficit": "Progressive or severe neurological deficit",
    "fever": "Fever",
    "weight_loss": "Unexplained weight loss",
    "cancer_history": "History of cancer",
    "major_trauma": "Major trauma",
    "osteoporotic_trauma": "Minor trauma with osteoporosis",
    "iv_drug_use": "Intravenous drug use",
    "immunosuppression": "Immunosuppression",
    "night_pain": "Severe night pain not eased by rest or position",
    # inflammatory features
    "onset_before_40": "Onset before age 40",
    "insidious_onset": "Insidious onset",
    "better_with_exercise": "Better with exercise",
    "no_better_with_rest": "Not better with rest",
    "night_pain_better_on_rising": "Night pain that eases on getting up",
    # responses
    "good": "Good",
    "partial": "Partial",
    "none": "None",
    "unknown": "Unknown",
    # injection kinds (also the injection purposes)
    "diagnostic": "Diagnostic block",
    "therapeutic": "Therapeutic injection",
    # symptoms
    "flare": "Acute flare",
    "spasm": "Muscle spasm",
    "neuropathic": "Nerve-related pain",
    # NSAID cautions
    "gi_bleed_history": "History of gastrointestinal bleeding",
    "renal_disease": "Kidney disease",
    "cardiovascular_disease": "Cardiovascular disease",
    "anticoagulant": "Takes an anticoagulant",
    "pregnancy": "Pregnancy",
    # declines
    "injection": "Injection",
    "surgery": "Surgery",
    # triage
    "urgent_referral": "Urgent referral",
    "rheumatology_referral": "Rheumatology referral",
    "other_source": "Other pain source likely",
    "sij_pathway": "SIJ pathway",
    # steps
    "conservative": "Conservative care",
    "surgery_evaluation": "Surgical evaluation for SIJ fusion",
    # components
    "met": "Muscle energy techniques",
    "motor_retraining": "Guided movement and motor retraining",
    "manual_therapy_support": "Manual therapy with taping or SIJ belt",
    # medication categories
    "nsaid": "NSAID",
    "muscle_relaxant": "Muscle relaxant",
    "neuropathic_agent": "Neuropathic agent",
    "analgesic": "Analgesic",
    "other": "Other",
    # referrals
    "urgent": "Urgent referral",
    "rheumatology": "Rheumatology",
    "physiotherapy": "Physiotherapy",
    "injection_clinic": "Injection clinic",
    "spine_surgeon": "Spine surgeon",
    # cluster results
    "positive": "Positive",
    "negative": "Negative",
    "incomplete": "Incomplete",
    # ODI bands
    "minimal": "Minimal disability",
    "moderate": "Moderate disability",
    "severe": "Severe disability",
    "crippled": "Crippling disability",
    "bed_bound": "Bed-bound or exaggerated",
    # missing facts
    "age": "Age",
    "pain_region": "Pain region",
    "provocation": "Provocation tests",
    "nrs": "Pain score (NRS)",
    "odi": "ODI (Oswestry Disability Index)",
    "baseline": "Baseline pain or ODI",
    "symptom_weeks": "Duration of symptoms",
    "injections": "Injection results",
    # criterion groups
    "triage": "Triage",
    "fusion": "Fusion",
    # criteria
    "triage.red_flag": "Red flag present",
    "triage.inflammatory": "Inflammatory back pain pattern",
    "triage.below_belt": "Pain below the belt line",
    "injection.conservative_weeks": "Enough conservative care",
    "injection.response": "Conservative care has not helped enough",
    "injection.cluster": "Provocation cluster positive",
    "injection.not_declined": "Patient has not declined injection",
    "injection.annual_limit": "Within the yearly injection limit",
    "injection.interval": "Long enough since the last therapeutic injection",
    "injection.repeat_relief": "Last therapeutic injection helped enough",
    "injection.blocks_allow": "Diagnostic blocks do not rule the SIJ out",
    "fusion.symptom_weeks": "Symptoms for long enough",
    "fusion.conservative_weeks": "Long enough non-surgical care",
    "fusion.response": "Non-surgical care has not helped enough",
    "fusion.therapeutic_injection": "At least one therapeutic injection",
    "fusion.confirmed_blocks": "SIJ confirmed by diagnostic blocks",
    "fusion.provocation_tests": "Enough positive provocation tests",
    "fusion.nrs": "Pain severe enough",
    "fusion.odi": "Disability significant enough",
    "fusion.not_declined": "Patient has not declined surgery",
}


def label(ident: str) -> str:
    """A short clinician-readable label for a vocabulary or criterion id (the id if unknown)."""
    return LABELS.get(ident, ident)


def in_sentence(ident: str) -> str:
    """The label as it reads inside a sentence: "muscle relaxant", but "NSAID"."""
    text = label(ident)
    first = text.split(" ", 1)[0]
    return text if first.isupper() else text[:1].lower() + text[1:]
