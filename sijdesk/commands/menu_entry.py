"""``sijdesk menu-entry``: put SIJ Desk in this user's desktop menu (Linux), or take it out."""

from __future__ import annotations

import argparse


def register(subparsers, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "menu-entry",
        help="add SIJ Desk to this user's desktop menu (Linux), or --remove it",
        description="Write a menu entry and its icon into this user's menu folders "
        "(~/.local/share/applications and ~/.local/share/icons), starting this SIJ Desk by "
        "its full path. No administrator is needed. Run it again after moving the "
        "application folder.",
    )
    parser.add_argument(
        "--remove", action="store_true", help="take the entry and its icon out of the menu"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sijdesk import desktop_entry

    if args.remove:
        removed = desktop_entry.remove()
        if not removed:
            print("SIJ Desk had no entry in this user's menu.")
        for path in removed:
            print(f"Removed {path}")
        return 0
    files = desktop_entry.install()
    print(f"SIJ Desk is in the menu: {files.entry}")
    print(f"Icon: {files.icon}")
    return 0
