"""How long a command takes from start to its answer, in a fresh process each run.

Run on demand:  .venv/bin/python benchmarks/bench_startup.py [--runs 15]
Prints median and p95 wall-clock times, beside the floor of a bare
``python -c pass``; targets (issue 14): --version and advise <= 0.3 s.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FACTS = {
    "as_of": "2026-11-29",
    "age": 52,
    "symptom_weeks": 14,
    "pain_region": "below_belt",
    "provocation_positive": 3,
    "red_flags": [],
}


def _timed(command: list[str], runs: int, stdin: str | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sijdesk-bench-"))
    os.environ["SIJDESK_HOME"] = str(folder / "home")
    os.environ["SIJDESK_USER"] = "admin"
    os.environ["SIJDESK_PASSWORD"] = "bench-password-1"
    from sijdesk.services import Clinic

    database = folder / "clinic.sqlite3"
    Clinic.create(
        str(database),
        username="admin",
        password="bench-password-1",
        display_name="Bench",
    ).close()
    sijdesk = [sys.executable, "-m", "sijdesk"]
    cases = {
        "python -c pass (floor)": ([sys.executable, "-c", "pass"], None),
        "sijdesk --version": ([*sijdesk, "--version"], None),
        "sijdesk advise -": ([*sijdesk, "advise", "-"], json.dumps(FACTS)),
        "sijdesk patients list": ([*sijdesk, "patients", "list", "--db", str(database)], None),
    }
    print(f"{'command':<28} {'median':>8} {'p95':>8}   ({args.runs} runs, {os.cpu_count()} cores)")
    for name, (command, stdin) in cases.items():
        times = _timed(command, args.runs, stdin)
        print(f"{name:<28} {statistics.median(times):>7.3f}s {_p95(times):>7.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
