"""Fixtures for the pathway tests (the pure engine: no database, no Qt)."""

from __future__ import annotations

import pytest

from sijdesk.pathway import Thresholds, load_default_thresholds


@pytest.fixture
def defaults() -> Thresholds:
    """The shipped default thresholds."""
    return load_default_thresholds()
