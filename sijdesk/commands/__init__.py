"""Subcommands of the ``sijdesk`` command line.

Each module exposes ``register(subparsers)`` which adds its parser and sets
``func`` to a callable ``(args) -> int``. Modules import heavy dependencies
(SQLAlchemy, ReportLab, Qt) inside their functions so that e.g. ``sijdesk
advise`` stays fast and never loads Qt or opens a database.
"""
