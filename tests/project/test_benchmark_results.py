"""The benchmark suite keeps every run's results (benchmarks/suite.py is run by hand)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "suite.py"


def _suite(monkeypatch):
    spec = importlib.util.spec_from_file_location("benchmark_suite", SUITE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look it up
    spec.loader.exec_module(module)
    return module


def test_a_second_run_of_the_day_is_kept_beside_the_first(tmp_path, monkeypatch):
    suite = _suite(monkeypatch)
    monkeypatch.setattr(suite, "RESULTS", tmp_path)
    result = suite.SizeResult(100)
    result.add(suite.Figure("search (services): name prefix", [12.0, 14.0], target=30))
    first = suite.save([result], {"runs": 2, "command": "first"})
    second = suite.save([result], {"runs": 2, "command": "second"})
    assert first != second and first.parent == second.parent == tmp_path
    assert second.name.endswith("-100-run2.json")
    assert json.loads(first.read_text())["command"] == "first"
    saved = json.loads(second.read_text())
    assert saved["command"] == "second"
    assert saved["sizes"][0]["figures"]["search (services): name prefix"]["met"] is True
