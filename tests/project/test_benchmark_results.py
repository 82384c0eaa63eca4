"""The benchmark suite keeps every run's results (benchmarks/suite.py is run by hand)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.signin import TEST_PASSWORD, new_clinic
from tests.window_fixtures import register

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "suite.py"
WINDOW_PROBE = SUITE.with_name("window_probe.py")


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


def test_the_window_probe_times_a_typed_sign_in_to_the_list(tmp_path):
    """What the suite's "sign-in to the list shown" reads: the probe goes through the
    real door, gives the password once the database is open and says how long the
    list took from then."""
    location = tmp_path / "clinic.sqlite3"
    clinic = new_clinic(location)
    register(clinic, "Zoë", "Łukasiewicz", "1972-03-14")  # the probe waits for a row
    clinic.close()
    done = subprocess.run(
        [sys.executable, str(WINDOW_PROBE), "start", "--db", str(location), "--user", "admin"]
        + ["--password", TEST_PASSWORD, "--typed-later"],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split()
    assert lines[0] == "DOOR" and lines[-1] == "READY", done.stdout
    assert lines[1] == "SIGNED_IN_TO_LIST" and float(lines[2]) > 0, done.stdout
