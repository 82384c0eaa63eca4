"""Logging: a rotating file in the user data folder, warnings to stderr."""

from __future__ import annotations

import logging
import logging.handlers
import sys

_configured = False


class _NoTracebackFormatter(logging.Formatter):
    """For the terminal: the message only; tracebacks belong in the log file."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def _file_handler() -> logging.Handler | None:
    from sijdesk.paths import log_file

    try:
        handler = logging.handlers.RotatingFileHandler(
            log_file(), maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        return None  # a read-only profile must not stop the program
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def configure_cli_logging(level: int = logging.INFO) -> None:
    """File gets INFO and up; stderr only WARNING and up, so stdout stays clean."""
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(level)
    # Alembic narrates every migration step at INFO; the log is for the clinic's IT.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    handler = _file_handler()
    if handler is not None:
        root.addHandler(handler)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(_NoTracebackFormatter("sijdesk: %(levelname)s: %(message)s"))
    root.addHandler(stderr)
