"""The session fails when a test writes into the checkout (or the real user folders)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_test_that_writes_into_the_checkout_fails_the_run(tmp_path):
    probe = ROOT / "sijdesk" / f"_isolation_probe_{tmp_path.name}.txt"
    offender = tmp_path / "test_offender.py"
    offender.write_text(
        f"from pathlib import Path\ndef test_writes():\n    Path({str(probe)!r}).write_text('x')\n",
        encoding="utf-8",
    )
    try:
        result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "tests.conftest",
                "--rootdir",
                str(tmp_path),
                str(offender),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        probe.unlink(missing_ok=True)
    assert "1 passed" in result.stdout
    assert result.returncode == 1, result.stdout
    assert "The tests changed the checkout or the real user folders" in result.stdout
    assert probe.name in result.stdout
