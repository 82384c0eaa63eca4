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
Input and validation

1. Input that is not a JSON object, and malformed JSON, are reported with an empty
   path (the message says what is wrong and, for malformed JSON, the line and column).
   JSON nested too deeply for the parser, or an integer with more digits than Python
   reads (over 4300), also counts as malformed JSON (exit 2, not an internal error).
2. ``NaN``/``Infinity``/``-Infinity`` are reported as malformed JSON at the path of
   the value that holds them, and a repeated key at the path of its second
   occurrence, both in input order: an earlier wrong value is reported first.
   Python callers' float NaN/inf are rejected as out of range.
3. An unknown nested key is reported with its full path (``provocation.foo``,
   ``injections[0].foo``), which contains the key as spelled.
4. A list key (``pain_sites``, ``injections``, ...) given as ``null`` means the same
   as absent (nothing recorded). A ``null`` entry inside an enum list, and a
   ``null`` injection, are errors at their index.
5. ``odi_items`` of the wrong length is reported at ``odi_items`` after its entries
   are checked (the entries come first in input order).
6. An injection without ``date`` or ``kind`` (or with ``null``) is an error at
   ``injections[i].date`` / ``.kind``, reported at the end of that object.
7. Dates are exactly ``YYYY-MM-DD`` with ASCII digits and a real calendar day.
8. ``Facts`` built directly must have ``as_of`` set: ``advise`` raises ValueError
   otherwise (only the parse layer fills "today"). Lists given to ``Facts`` are
   turned into tuples; values are not re-validated (use
   ``parse_facts(facts_to_dict(f), today=...)`` to validate).

Scores

9. Numbers are compared exactly as written in decimal (``exact``): 56 days is exactly
   8 weeks; ODI rounding reads the decimal text of the number, so 20.45 rounds to
   20.5 and 20.25 to 20.3 (half away from zero, never banker's rounding).
10. The baseline ODI is rounded to one decimal like the current ODI before the
    response is derived.
11. Response per measure: ``good`` needs a real fall (a fall of 0 is never good, even
    if a clinic sets a MIC of 0); a measure that rose counts as ``none``. Combined:
    any ``good`` gives good, else any ``partial`` gives partial, else none. A
    recorded ``conservative.response`` always wins over derived values.
12. ``odi_items`` present but unscorable (two or more nulls, including all ten) gives
    no score; ``odi_percent`` is not used as a fallback (the contract says "alone").
13. Without a ``provocation`` object all six tests count as not done.

Injections

14. The latest therapeutic injection is the latest date among therapeutic
    injections dated on or before ``as_of``; injections on the same date keep input
    order. An injection dated on ``as_of`` counts (0 days ago).
15. The annual window is ``as_of - 364 days`` to ``as_of`` inclusive (365 calendar days).
    The annual limit and the interval count therapeutic injections whose result is
    still pending (they were given).
16. ``injection.blocks_allow`` is unknown while any injection dated on or before
    ``as_of``, diagnostic or therapeutic, lacks ``relief_percent``, even when two
    negative blocks already have results (the contract lists the unknown case first).
17. ``injection.repeat_relief`` unknown (percent or weeks not recorded, and what is
    recorded passes) puts ``injections`` in ``missing``.
18. ``fusion.confirmed_blocks`` is unknown only through diagnostic blocks awaiting a
    result; a pending therapeutic injection never counts towards it.
19. The therapeutic purpose by ``max_diagnostic_blocks`` (enough blocks with results
    and at least one positive) applies even when the blocks disagree (the warning
    says so).

Triage and step

20. ``triage.inflammatory`` is unmet when the distinct features are below the threshold,
    whatever ``symptom_weeks`` says; unknown (with ``symptom_weeks`` missing) only when
    they reach it and ``symptom_weeks`` is absent. Unknown does not trigger the
    rheumatology triage; the rationale says that it cannot be judged yet.
21. ``pain_region: both`` meets ``triage.below_belt`` and leads to ``sij_pathway``.
22. Criteria, scores, ``missing`` and warnings are computed under every triage,
    including ``urgent_referral`` (components and medications are empty there).

Components, medications, referral

23. The default ``motor_retraining`` is added only for step ``conservative``; with
    step ``injection`` or ``surgery_evaluation`` and no matching complaint the list is
    empty.
24. "Older" means ``age >= older_age``. With age unknown the NSAID entry still lists
    each caution present and the lowest-dose line, and the muscle relaxant entry the
    short-course line and the Beers note; the reason is exactly ``age not recorded``.
    Age never affects the neuropathic agent.
25. ``physiotherapy`` is offered for step ``conservative`` under ``sij_pathway`` or
    ``other_source`` when ``conservative`` is absent, its ``weeks`` is null, or 0.

Warnings

26. One sentence per condition, listing every injection concerned (date and relief),
    in date order. "Under 50%" is strict (50% is not under). The "none positive"
    warning fires from ``max_diagnostic_blocks`` blocks with results on. The pending
    warning names every injection of any kind without ``relief_percent``. The
    nicotine warning needs ``nicotine: true``, the Fortin warning
    ``fortin_finger: false``, both only with step ``surgery_evaluation``.

Thresholds

27. Counts are integers >= 1 with no upper bound (a count that cannot be reached
    simply never meets its rule); every other non-boolean threshold is any number
    in its range (``mic_nrs_points`` and ``fusion_min_nrs`` 0-10, ``mic_odi_points``
    and percentages 0-100, weeks >= 0, ``older_age`` 0-120). Thresholds are not
    cross-checked against each other. A count written 6.0 is stored as 6; other
    numbers are kept as given.
28. In a thresholds file an entry object may hold only ``value`` (required) and
    ``source``; an error in ``value`` names the threshold. A clinic value without a
    source gets "Clinic setting (default X: <default source>)", or the default's
    source when it equals the default. The shipped file must give every name as
    ``{value, source}`` with a non-empty source.

Output

29. ``warnings`` and ``rationale`` are lists of sentences (strings); ``[]`` when there
    is nothing to say. ``Advice.from_dict`` ignores keys it does not know (added by a
    later version), so stored snapshots stay readable.
30. ``missing`` is sorted alphabetically (``sorted()``), not in vocabulary order.

Command line

31. ``--thresholds`` is loaded before the facts are read, so a bad thresholds file is
    reported first. FILE and the thresholds file are read as UTF-8 (a byte-order mark
    is accepted); a file that is not UTF-8 counts as unreadable. The error line is
    ``sijdesk advise: <file or standard input>: <path>: <message>``; control characters
    in a reported key are escaped so that it stays one line.
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
