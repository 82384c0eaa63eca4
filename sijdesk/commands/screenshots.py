"""``sijdesk screenshots``: draw the main screens of a fresh demo clinic to PNG files.

Offscreen, with a demonstration clinic of its own in a temporary folder: it
shows what the window looks like on this PC (fonts, scripts, sizes) without
touching the clinic's data, and proves an installation can open its window.
"""

from __future__ import annotations

import argparse
import os


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "screenshots",
        help="draw the main screens of a demonstration clinic to PNG files (offscreen)",
        description="Open the window offscreen on a demonstration clinic made in a temporary "
        "folder, save its main screens as PNG files in --out, and close it. The clinic's own "
        "database is not opened.",
    )
    parser.add_argument("--out", required=True, metavar="FOLDER", help="folder for the PNG files")
    parser.add_argument("--patients", metavar="N", type=int, default=60, help="default 60")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from sijdesk.ui.screenshots import main

    return main(["--out", args.out, "--patients", str(args.patients)])
