"""The SIJ Desk clinical pathway: episode facts in, advice out (CLINICAL.md sections 2-3).

Pure: standard library only; no database, no clock, no Qt, no file I/O in the
engine (``as_of`` is a fact; only :func:`parse_facts` fills an absent ``as_of``
from its ``today`` argument). The UI panel, the letters and ``sijdesk advise``
all call :func:`advise`, so they cannot disagree.

Typical use::

    facts = parse_facts(json_object, today=date.today())   # or Facts(...) directly
    advice = advise(facts, load_default_thresholds())
    advice.to_dict()                                        # the JSON output shape

Public names
------------
- ``PATHWAY_VERSION``; ``advise(facts, thresholds) -> Advice``.
- ``Facts`` (with ``Provocation``, ``Baseline``, ``Conservative``, ``Injection``),
  ``parse_facts(obj, *, today)``, ``facts_from_json(text, *, today)``,
  ``facts_to_dict(facts)``, ``FactsError`` (``.path``, ``.message``), ``FACT_KEYS``.
- ``Thresholds`` (``.to_dict()``, ``.source(name)``, ``.sources``), ``ThresholdsError``
  (``.name``), ``parse_thresholds(obj, base=None)``, ``load_default_thresholds()``,
  ``load_thresholds_file(path)``, ``THRESHOLD_NAMES``.
- ``Advice`` (``.to_dict()``, ``Advice.from_dict(d)``, ``.criterion(id)``),
  ``Criterion``, ``Component``, ``Medication``, ``Scores``.
- Scores: ``odi_percent(items)``, ``odi_band(percent)``, ``current_odi(items, percent)``,
  ``cluster(provocation, thresholds) -> ClusterResult``,
  ``response(conservative, baseline, nrs, odi, thresholds)``,
  ``measure_change(baseline, current, mic_points, mic_percent)``, ``round_half_away(x)``.
- Vocabularies (tuples in contract order) and ``LABELS`` / ``label(id)``.

Choices where the contract is silent
------------------------------------
Thirty-one of them (input, scores, injections, triage, components, warnings,
thresholds, output, command line), each with a short identifier, live in
``CHOICES.md`` beside this file; the tests that pin a choice name its
identifier (``tests/pathway/test_choices.py`` keeps the two in step).
"""

from __future__ import annotations

from sijdesk.pathway.engine import (
    AGE_NOT_RECORDED,
    ANNUAL_WINDOW_DAYS,
    PATHWAY_VERSION,
    Advice,
    Component,
    Criterion,
    Medication,
    Scores,
    advise,
)
from sijdesk.pathway.facts import (
    FACT_KEYS,
    ODI_SECTIONS,
    Baseline,
    Conservative,
    Facts,
    FactsError,
    Injection,
    Provocation,
    facts_from_json,
    facts_to_dict,
    parse_facts,
)
from sijdesk.pathway.scores import (
    ClusterResult,
    cluster,
    current_odi,
    measure_change,
    odi_band,
    odi_percent,
    response,
    round_half_away,
)
from sijdesk.pathway.thresholds import (
    THRESHOLD_NAMES,
    Thresholds,
    ThresholdsError,
    load_default_thresholds,
    load_thresholds_file,
    parse_thresholds,
)
from sijdesk.pathway.vocab import (
    CLUSTER_RESULTS,
    COMPONENTS,
    CRITERIA_IDS,
    CRITERION_GROUPS,
    DECLINES,
    FUNCTIONAL,
    FUSION_CRITERIA,
    INFLAMMATORY,
    INJECTION_CRITERIA,
    INJECTION_KINDS,
    INJECTION_PURPOSES,
    LABELS,
    MEDICATION_CATEGORIES,
    MISSING_FACTS,
    NON_GAENSLEN_TESTS,
    NSAID_CAUTIONS,
    ODI_BANDS,
    PAIN_REGIONS,
    PAIN_SITES,
    PROVOCATION_TESTS,
    RED_FLAGS,
    REFERRALS,
    RESPONSES,
    SCORE_RESPONSES,
    STEPS,
    SYMPTOMS,
    TRIAGE_CRITERIA,
    TRIAGES,
    label,
)

__all__ = [
    "AGE_NOT_RECORDED",
    "ANNUAL_WINDOW_DAYS",
    "CLUSTER_RESULTS",
    "COMPONENTS",
    "CRITERIA_IDS",
    "CRITERION_GROUPS",
    "DECLINES",
    "FACT_KEYS",
    "FUNCTIONAL",
    "FUSION_CRITERIA",
    "INFLAMMATORY",
    "INJECTION_CRITERIA",
    "INJECTION_KINDS",
    "INJECTION_PURPOSES",
    "LABELS",
    "MEDICATION_CATEGORIES",
    "MISSING_FACTS",
    "NON_GAENSLEN_TESTS",
    "NSAID_CAUTIONS",
    "ODI_BANDS",
    "ODI_SECTIONS",
    "PAIN_REGIONS",
    "PAIN_SITES",
    "PATHWAY_VERSION",
    "PROVOCATION_TESTS",
    "RED_FLAGS",
    "REFERRALS",
    "RESPONSES",
    "SCORE_RESPONSES",
    "STEPS",
    "SYMPTOMS",
    "THRESHOLD_NAMES",
    "TRIAGES",
    "TRIAGE_CRITERIA",
    "Advice",
    "Baseline",
    "ClusterResult",
    "Component",
    "Conservative",
    "Criterion",
    "Facts",
    "FactsError",
    "Injection",
    "Medication",
    "Provocation",
    "Scores",
    "Thresholds",
    "ThresholdsError",
    "advise",
    "cluster",
    "current_odi",
    "facts_from_json",
    "facts_to_dict",
    "label",
    "load_default_thresholds",
    "load_thresholds_file",
    "measure_change",
    "odi_band",
    "odi_percent",
    "parse_facts",
    "parse_thresholds",
    "response",
    "round_half_away",
]
