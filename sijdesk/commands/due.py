"""``sijdesk due``: the follow-up list, longest due first.

sijdesk due [--csv FILE.csv] [--limit N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sijdesk.commands._common import open_clinic


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "due",
        parents=[common],
        help="whom to call back: the follow-up list (reception sees no clinical reasons)",
    )
    parser.add_argument("--csv", metavar="FILE", help="write the whole list to this CSV file")
    parser.add_argument("--limit", type=int, default=100, help="rows printed (default 100)")
    parser.set_defaults(func=run)


COLUMNS = ("Due since", "Record", "Name", "Phone", "Reason")


def _cells(row) -> tuple[str, ...]:
    return (row.since.isoformat(), row.record_number, row.name, row.phone, row.reason)


def run(args: argparse.Namespace) -> int:
    with open_clinic(args) as clinic:
        if args.csv:
            rows, offset = [], 0
            while True:  # the whole list, a page at a time
                page = clinic.due.page(offset=offset, limit=1000)
                rows.extend(page.rows)
                offset += len(page.rows)
                if not page.rows or offset >= page.total:
                    break
            total = page.total
        else:
            page = clinic.due.page(limit=max(1, args.limit))
            rows, total = page.rows, page.total
    if args.csv:
        import csv
        import io

        from sijdesk.durable import write_export
        from sijdesk.services.patient_csv import safe_cell

        out = io.StringIO(newline="")
        writer = csv.writer(out, dialect=csv.excel)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in _cells(row)])
        write_export(Path(args.csv), ("\ufeff" + out.getvalue()).encode("utf-8"))
        print(f"Wrote {len(rows)} rows of the follow-up list to {args.csv}.")
        return 0
    if not rows:
        print("Nobody is due for follow-up.")
        return 0
    for row in rows:
        print("  ".join(_cells(row)))
    if total > len(rows):
        print(f"… and {total - len(rows)} more (--limit, or --csv FILE for all).")
    return 0
