"""Allow ``python -m sijdesk``."""

from __future__ import annotations

import sys

from sijdesk.cli import main

sys.exit(main())
