"""Each vocabulary and each threshold has one home that everything else reads
(sijdesk/pathway/vocab.py and resources/pathway_thresholds.json)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sijdesk.kinds import summarize
from sijdesk.kinds.medication import MEDICATION_CATEGORIES
from sijdesk.pathway import vocab

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "sijdesk" / "pathway" / "vocab.py"


def _literal_collections_naming(word: str):
    """(file, line) of every tuple, list, set or dict literal outside vocab.py
    that spells ``word`` out: a second copy of a vocabulary."""
    found = []
    for folder in ("sijdesk", "ui", "reports", "models"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == HOME:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Tuple | ast.List | ast.Set):
                    items = node.elts
                elif isinstance(node, ast.Dict):
                    items = [k for k in node.keys if k is not None]
                else:
                    continue
                if any(isinstance(i, ast.Constant) and i.value == word for i in items):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_medication_categories_are_listed_only_in_the_vocabulary():
    assert _literal_collections_naming("muscle_relaxant") == []
    assert _literal_collections_naming("analgesic") == []
    assert MEDICATION_CATEGORIES == vocab.RECORDED_MEDICATION_CATEGORIES
    assert set(vocab.MEDICATION_CATEGORIES) <= set(vocab.RECORDED_MEDICATION_CATEGORIES)


def test_every_recorded_category_has_words_for_forms_and_documents():
    from sijdesk.reports import wording

    for category in vocab.RECORDED_MEDICATION_CATEGORIES:
        assert vocab.label(category) != category
        assert wording.MEDICATION_CATEGORIES[category] == vocab.in_sentence(category)
    assert wording.MEDICATION_CATEGORIES["nsaid"] == "NSAID"
    assert wording.MEDICATION_CATEGORIES["muscle_relaxant"] == "muscle relaxant"


def test_the_timeline_counts_inflammatory_features_without_its_own_threshold():
    """Whether the features are enough is the pathway's threshold (4 by default);
    the summary only counts them, so the two can never disagree."""
    for count in (1, 3, 4):
        features = list(vocab.INFLAMMATORY[:count])
        text = summarize("assessment", {"inflammatory": features})
        assert f"{count} inflammatory feature" in text


def test_the_tests_have_one_today():
    """Every test's fixed date comes from tests/conftest.py, so they cannot drift apart."""
    tests = ROOT / "tests"
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "TODAY" for t in node.targets
            ):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == ["tests/conftest.py"]


def test_test_modules_live_in_the_feature_folders_the_architecture_lists():
    listed = set(re.findall(r"^\| `(\w+)/` \|", (ROOT / "ARCHITECTURE.md").read_text(), re.M))
    tests = ROOT / "tests"
    homes = {path.relative_to(tests).parts[0] for path in tests.rglob("test_*.py")}
    outside = {
        str(path.relative_to(ROOT))
        for path in tests.rglob("test_*.py")
        if len(path.relative_to(tests).parts) != 2 or path.parent.name not in listed
    }
    assert outside == set()
    assert homes == listed  # and every listed folder holds tests


def test_each_shared_fixture_is_defined_once():
    """A shared fixture defined in two places means two truths about what a test gets;
    a test module's own fixtures are its business, but may not shadow a shared one."""
    tests = ROOT / "tests"
    shared_files = {"conftest.py", "window_fixtures.py"}
    defined: dict[str, list[str]] = {}
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                "fixture" in ast.unparse(d) for d in node.decorator_list
            ):
                defined.setdefault(node.name, []).append(str(path.relative_to(tests)))
    twice = {
        name: where
        for name, where in defined.items()
        if len(where) > 1 and any(Path(w).name in shared_files for w in where)
    }
    assert twice == {}
