"""The pathway is fully branch-covered by its own tests (run in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ABOVE_THE_ENGINE = ("test_branch_coverage.py", "test_pathway_service.py", "test_step_panel.py")


def test_pathway_tests_cover_every_branch_of_the_pathway(tmp_path):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/pathway",
        # the engine's own tests: not this one, nor those of the service and panel above it
        *(f"--ignore={HERE / name}" for name in ABOVE_THE_ENGINE),
        "-q",
        "-p",
        "no:cacheprovider",
        "--cov=sijdesk.pathway",
        "--cov-branch",
        "--cov-report=term-missing",
        "--cov-fail-under=100",
    ]
    env = dict(os.environ, COVERAGE_FILE=str(tmp_path / ".coverage"))
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        print(result.stdout)
        print(result.stderr)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "100%" in result.stdout
