"""Every pathway choice of CHOICES.md is pinned by a test that names it, and back."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sijdesk.pathway
from tests.pathway.test_pathway_vignettes import PINNED_CHOICES, VIGNETTES

HERE = Path(__file__).parent
CHOICES = Path(sijdesk.pathway.__file__).with_name("CHOICES.md")


def _declared() -> list[str]:
    return re.findall(r"^### `([a-z0-9-]+)`$", CHOICES.read_text(encoding="utf-8"), re.M)


def _named_by_markers() -> dict[str, list[str]]:
    """choice id -> test functions whose @pytest.mark.choice(...) names it."""
    named: dict[str, list[str]] = {}
    for path in sorted(HERE.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and ast.unparse(decorator.func) == "pytest.mark.choice"
                ):
                    for arg in decorator.args:
                        named.setdefault(ast.literal_eval(arg), []).append(node.name)
    return named


def test_choices_have_unique_identifiers_and_there_are_thirty_one():
    ids = _declared()
    assert len(ids) == 31
    assert len(set(ids)) == len(ids)


def test_every_choice_is_pinned_by_a_test_and_every_named_choice_exists():
    declared = set(_declared())
    named = set(_named_by_markers()) | set(PINNED_CHOICES)
    assert sorted(declared - named) == [], "choices without a test that names them"
    assert sorted(named - declared) == [], "tests naming a choice CHOICES.md does not have"


def test_pinned_vignettes_exist():
    ids = {row[0] for row in VIGNETTES}
    for choice, vignettes in PINNED_CHOICES.items():
        assert vignettes, choice
        assert set(vignettes) <= ids, (choice, sorted(set(vignettes) - ids))
