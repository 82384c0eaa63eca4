"""This computer's choice of clinic database: its own SQLite file (the
default) or a PostgreSQL server, chosen in the window (File > Clinic
database…) and kept in ``workstation.json`` in the data folder.

``--db``/``--db-url`` and ``SIJDESK_DATABASE_URL`` still win over it; the file
holds the server's password, so it is written readable by its owner only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from sijdesk.durable import write_durably

log = logging.getLogger(__name__)

FILE_NAME = "workstation.json"


def config_path() -> Path:
    from sijdesk.paths import data_dir

    return data_dir() / FILE_NAME


@dataclass(frozen=True)
class ServerAddress:
    """The parts of a PostgreSQL address as a form asks for them."""

    host: str
    database: str
    user: str
    password: str = ""
    port: int | None = None

    def url(self) -> str:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(f"{k}: {v}" for k, v in problems.items()))
        host = self.host.strip()
        # A folder is a Unix socket on this computer (a server on the same machine).
        local = host.startswith("/")
        query = {"host": host, **({"port": str(self.port)} if self.port else {})}
        return URL.create(
            "postgresql+psycopg",
            username=self.user.strip(),
            password=self.password or None,
            host=None if local else host,
            port=None if local else self.port,
            database=self.database.strip(),
            query=query if local else {},
        ).render_as_string(hide_password=False)

    def problems(self) -> dict[str, str]:
        """What keeps these parts from being an address, by field."""
        found = {}
        for name in ("host", "database", "user"):
            if not getattr(self, name).strip():
                found[name] = "is required"
        if self.port is not None and not 1 <= self.port <= 65535:
            found["port"] = "must be from 1 to 65535"
        return found


def saved_url() -> str | None:
    """The server address this computer was told to use; None: its own file."""
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning(
            "workstation settings unreadable (%s); using the local file", type(exc).__name__
        )
        return None
    url = data.get("database_url") if isinstance(data, dict) else None
    return url if isinstance(url, str) and url else None


def save_url(url: str | None) -> Path:
    """Remember ``url`` for this computer (None: back to its own file)."""
    payload = json.dumps({"database_url": url or ""}, indent=1).encode("utf-8")
    path = config_path()
    write_durably(path, [payload], mode=0o600)
    return path


def try_connection(url: str) -> str:
    """Connect once and say in one sentence what is there (raises UserError if nothing)."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import DBAPIError

    from sijdesk.db.engine import create_app_engine, describe_db_error
    from sijdesk.db.migrate import current_revision, head_revision
    from sijdesk.errors import EnvironmentProblem

    engine = create_app_engine(url)
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
            tables = inspect(connection).get_table_names()
    except DBAPIError as exc:
        raise EnvironmentProblem(describe_db_error(exc)) from exc
    finally:
        engine.dispose()
    if revision is None and tables:
        raise EnvironmentProblem(
            "The server answered, but that database holds something other than SIJ Desk."
        )
    if revision is None:
        return "The server answered. The database is empty: SIJ Desk will set it up."
    if revision == head_revision():
        return "The server answered. It holds an SIJ Desk clinic."
    return f"The server answered. It holds an SIJ Desk clinic (schema {revision})."
