"""``sijdesk`` with no command: open the window."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from sijdesk.db import preflight

    # The damage check of a big file reads all of it: begun now, it is done by the
    # time the window's libraries are loaded and the user has signed in.
    preflight.start_early_check(getattr(args, "db", None), getattr(args, "db_url", None))
    from sijdesk.ui.app import run as run_gui

    return run_gui(args)
