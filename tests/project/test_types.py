"""mypy over every module, the mapped folders (ui/, models/, reports/) included: no errors.

The folders are mapped into the sijdesk package when installed; the test
builds the same tree of symbolic links in its own folder and checks it.
The settings (untyped function bodies checked too) are in pyproject.toml.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAPPED = {"ui": "ui", "models": "models", "reports": "reports", "resources": "resources"}


def _tree(base: Path) -> Path:
    package = base / "sijdesk"
    package.mkdir(parents=True)
    for entry in (ROOT / "sijdesk").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for name, folder in MAPPED.items():
        (package / name).symlink_to(ROOT / folder)
    return base


@pytest.mark.slow
def test_mypy_finds_no_type_errors(tmp_path):
    tree = _tree(tmp_path / "tree")
    result = subprocess.run(  # noqa: PLW1510 - the outcome is read below
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            "-p",
            "sijdesk",
        ],
        capture_output=True,
        text=True,
        cwd=tree,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr + result.stdout
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert errors == [], "type errors:\n" + "\n".join(errors)
    assert result.returncode == 0, result.stdout
