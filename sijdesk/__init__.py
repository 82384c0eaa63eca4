"""SIJ Desk: offline records, treatment pathway and documents for SIJ pain clinics.

The installed package maps the repository's top-level ``ui/``, ``models/``,
``reports/`` and ``resources/`` folders to ``sijdesk.ui``, ``sijdesk.models``,
``sijdesk.reports`` and ``sijdesk.resources`` (see pyproject.toml).
"""

from __future__ import annotations

__version__ = "0.1.0"
