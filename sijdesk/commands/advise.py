"""``sijdesk advise FILE``: episode facts (JSON) in, pathway advice (JSON) out.

Opens no database and imports neither Qt nor SQLAlchemy: only the pure
pathway package. Bad input exits 2 with one line on stderr naming the
offending key or path (CLINICAL.md section 2).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "advise",
        parents=[common],
        help="print the pathway's advice (JSON) for one episode's facts (JSON)",
        description="Read one JSON object of episode facts from FILE (or '-' for standard "
        "input) and print one JSON object of pathway advice. Exit 2 on bad input, naming "
        "the offending key.",
    )
    parser.add_argument("file", metavar="FILE", help="facts as JSON, or '-' for standard input")
    parser.add_argument(
        "--thresholds",
        metavar="FILE",
        help="a clinic's thresholds (JSON) to use instead of the shipped defaults",
    )
    parser.add_argument("--pretty", action="store_true", help="indent the JSON output")
    parser.set_defaults(func=run)


def _one_line(text: str) -> str:
    """Escape control characters so that an error stays on one line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def _fail(message: str) -> int:
    print(f"sijdesk advise: {_one_line(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _read_input(name: str) -> str:
    """The facts text from FILE or stdin; raises OSError/UnicodeDecodeError."""
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        data = Path(name).read_bytes()
    return data.decode("utf-8-sig")


def run(args: argparse.Namespace) -> int:
    from sijdesk.pathway import (
        FactsError,
        ThresholdsError,
        advise,
        facts_from_json,
        load_default_thresholds,
        load_thresholds_file,
    )

    try:
        if args.thresholds is not None:
            thresholds = load_thresholds_file(args.thresholds)
        else:
            thresholds = load_default_thresholds()
    except ThresholdsError as exc:
        return _fail(str(exc))

    shown = "standard input" if args.file == "-" else args.file
    try:
        text = _read_input(args.file)
    except OSError as exc:
        return _fail(f"{shown}: cannot be read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return _fail(f"{shown}: cannot be read: not UTF-8 text")

    try:
        facts = facts_from_json(text, today=date.today())
    except FactsError as exc:
        return _fail(f"{shown}: {exc}")

    advice = advise(facts, thresholds)
    log.debug("advice for %s: %s/%s", shown, advice.triage, advice.step)
    output = json.dumps(advice.to_dict(), indent=2 if args.pretty else None)
    sys.stdout.write(output + "\n")
    sys.stdout.flush()
    return EXIT_OK
