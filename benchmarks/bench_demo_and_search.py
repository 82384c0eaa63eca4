"""How long a big demo clinic takes to make, and how fast patient search is on it.

Run on demand:  .venv/bin/python benchmarks/bench_demo_and_search.py --patients 100000
Reports wall-clock seconds; not a test (timings depend on the machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

QUERIES = (
    "nguyen",
    "zoe luk",
    "smi",
    "kowalska anna",
    "000123",
    "1972-03-14",
    "+44 7700 9004",
    "0958",
    "ö",
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--db", help="reuse this file (made when missing)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from sijdesk.demo import create_demo_clinic, new_demo_clinic

    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.sqlite3"
    fresh = not path.exists()
    clinic = new_demo_clinic(str(path))
    if fresh:
        started = time.perf_counter()
        create_demo_clinic(clinic, patients=args.patients)
        elapsed = time.perf_counter() - started
        print(
            f"demo --patients {args.patients}: {elapsed:.1f} s ({path.stat().st_size / 1e6:.0f} MB)"
        )
    total = clinic.patients.count(include_archived=True)
    print(f"{total} patients in {path}")
    for query in QUERIES:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            rows = clinic.patients.search(query, limit=200)
            times.append(time.perf_counter() - started)
        counted = []
        for _ in range(max(3, args.repeat // 4)):
            started = time.perf_counter()
            clinic.patients.count(query)
            counted.append(time.perf_counter() - started)
        print(
            f"search {query!r:18} {len(rows):4} shown: "
            f"median {statistics.median(times) * 1000:6.1f} ms; "
            f"count median {statistics.median(counted) * 1000:6.1f} ms"
        )
    started = time.perf_counter()
    first_page = clinic.patients.search("", limit=200)
    print(
        f"first page of the whole list, sorted by name: "
        f"{(time.perf_counter() - started) * 1000:.1f} ms ({len(first_page)} rows)"
    )
    clinic.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
