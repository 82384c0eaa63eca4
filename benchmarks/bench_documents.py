"""How long a referral letter and a care plan take for a patient with 200 timeline events.

Run on demand (not part of the tests):

    .venv/bin/python benchmarks/bench_documents.py [--runs 9] [--events 200]

Builds a throw-away clinic database in a temporary folder, records the long
history through the services, then times the whole use case as the window
runs it on its worker: read the record and the advice, lay out the PDF and
record it on the timeline. Prints the median (and min/max) of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _time(fn, runs: int) -> list[float]:
    fn()  # warm-up: font registration, imports, caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        os.environ["SIJDESK_HOME"] = folder
        from sijdesk.demo import new_demo_clinic
        from tests.documents.history import build_long_history

        today = date(2026, 11, 29)
        clinic = new_demo_clinic(str(Path(folder) / "bench.sqlite3"), clock=lambda: today)
        try:
            _patient_id, episode_id = build_long_history(clinic, events=args.events)
            acting = clinic.as_user("clin.long")
            docs = acting.documents
            events = len(acting.timeline.entries(episode_id))
            results = {
                "referral letter (spine_surgeon)": _time(
                    lambda: docs.create_letter(episode_id, "spine_surgeon"), args.runs
                ),
                "care plan": _time(lambda: docs.create_care_plan(episode_id), args.runs),
                "care plan, large print": _time(
                    lambda: docs.create_care_plan(episode_id, large_print=True), args.runs
                ),
            }
        finally:
            clinic.close()
    print(f"{events} timeline events, {args.runs} runs each (after one warm-up)")
    for name, times in results.items():
        print(
            f"{name:34s} median {statistics.median(times) * 1000:7.0f} ms"
            f"   min {min(times) * 1000:6.0f} ms   max {max(times) * 1000:6.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
