"""1,000 SIGKILL trials against the services (tests/backups/test_crash_safety.py runs 50).

    .venv/bin/python benchmarks/crash_trials.py [--trials 1000] [--seed 1]

Prints how many records were acknowledged and any problem found; exit 1 on one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["SIJDESK_HOME"] = folder
        from argon2 import PasswordHasher

        from sijdesk.services import accounts
        from tests.crash import run_trials
        from tests.signin import new_clinic

        accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        path = Path(folder) / "crash.sqlite3"
        new_clinic(path).close()
        started = time.perf_counter()

        def report(done, acknowledged):
            if done % 100 == 0:
                print(
                    f"{done} trials, {time.perf_counter() - started:.0f} s: "
                    f"{len(acknowledged.patients)} patients acknowledged, no problem so far",
                    flush=True,
                )

        acknowledged, problems = run_trials(path, trials=args.trials, seed=args.seed, report=report)
        elapsed = time.perf_counter() - started
    print(
        f"{args.trials} trials in {elapsed:.0f} s: {len(acknowledged.patients)} patients, "
        f"{len(acknowledged.episodes)} episodes, {len(acknowledged.notes)} notes acknowledged"
    )
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
