"""Killed at any moment, the database stays whole and keeps every record it
acknowledged: 50 SIGKILL trials in the default run (benchmarks/crash_trials.py
runs 1,000)."""

from __future__ import annotations

import pytest

from tests.crash import run_trials
from tests.signin import new_clinic

pytestmark = pytest.mark.slow


def test_fifty_kills_lose_nothing_that_was_acknowledged(tmp_path):
    path = tmp_path / "crash.sqlite3"
    new_clinic(path).close()
    acknowledged, problems = run_trials(path, trials=50, seed=7)
    assert problems == []
    # The trials really wrote: many records were acknowledged before the kills.
    assert len(acknowledged.patients) > 200
    assert len(acknowledged.notes) > 50
