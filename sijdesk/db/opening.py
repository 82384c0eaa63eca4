"""Opening the clinic database on a thread of its own, begun before the sign-in door.

On a big clinic opening takes a second or more: loading SQLAlchemy, the damage
check that reads the whole file (:mod:`sijdesk.db.preflight`), the schema
check. The window shows its sign-in dialog at once and lets this run while the
user types; signing in waits for it only if it has not finished by then.

A failure is kept and raised again by :meth:`DatabaseOpening.result`, on the
thread that asks, so the window reports it exactly as it would have reported
an opening done in line. Nothing here imports Qt.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sijdesk.db.engine import Database


@dataclass(frozen=True)
class OpenedClinic:
    """An open clinic database and what the door needs to know of it."""

    database: Database
    setup_needed: bool  # no accounts yet: the first-run dialog, not the sign-in one
    is_demo: bool


def _probe(database: Database) -> OpenedClinic:
    from sijdesk.services import AccountService

    accounts = AccountService(database)
    setup = accounts.setup_needed()
    return OpenedClinic(database, setup, False if setup else accounts.is_demo())


class DatabaseOpening:
    """``open_database`` of ``location`` (``--db``/``--db-url`` as chosen), running."""

    def __init__(self, location: str | None, *, begin: bool = True) -> None:
        self.location = location
        self._future: Future[OpenedClinic] = Future()
        if begin:
            threading.Thread(target=self._open, name="sijdesk-open-db", daemon=True).start()

    @classmethod
    def finished(cls, opened: OpenedClinic) -> DatabaseOpening:
        """An opening that is over, with ``opened``."""
        opening = cls(opened.database.url, begin=False)
        opening._future.set_result(opened)
        return opening

    @classmethod
    def of(cls, database: Database) -> DatabaseOpening:
        """An opening already finished with ``database`` (a dialog given a database)."""
        return cls.finished(_probe(database))

    def _open(self) -> None:
        try:
            # The services first: loading them takes about as long as the damage check
            # that open_database waits for, which reads the file on a thread of its own.
            import sijdesk.services  # noqa: F401
            from sijdesk.db.migrate import open_database

            database = open_database(self.location)
            try:
                opened = _probe(database)
            except BaseException:
                database.dispose()
                raise
        except BaseException as exc:  # noqa: BLE001 - raised again by result()
            self._future.set_exception(exc)
        else:
            self._future.set_result(opened)

    def done(self) -> bool:
        return self._future.done()

    def failed(self) -> bool:
        return self._future.done() and self._future.exception() is not None

    def result(self) -> OpenedClinic:
        """The opened clinic, waiting for it if need be; raises what opening raised."""
        return self._future.result()

    def close(self) -> None:
        """Wait for the opening to end, then dispose of the database it opened (the user
        left before signing in)."""
        if self._future.exception() is None:
            self._future.result().database.dispose()
