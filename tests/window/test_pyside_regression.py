"""PySide6 6.12.0 aborts Python 3.11 after a few thousand appendRow calls.

pyproject excludes that release; this test proves the installed one survives
the workload, in a subprocess so an abort cannot take pytest down with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication
app = QApplication([])
model = QStandardItemModel()
for row in range(20_000):
    model.appendRow([QStandardItem(f"patient {row}"), QStandardItem(str(row))])
assert model.rowCount() == 20_000
print("ok")
"""


def test_twenty_thousand_appended_rows_exit_cleanly():
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_the_broken_release_is_excluded():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (pyside,) = [d for d in project["dependencies"] if d.startswith("PySide6")]
    assert "!=6.12.0" in pyside
