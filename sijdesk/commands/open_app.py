"""``sijdesk`` with no command: open the window."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from sijdesk.ui.app import run as run_gui

    return run_gui(args)
