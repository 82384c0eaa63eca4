"""Alembic environment: always run by sijdesk.db.migrate on a given connection.

Run inside the caller's transaction so that an upgrade is all or nothing.
"""

from __future__ import annotations

from alembic import context

from sijdesk.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI
    raise RuntimeError("Run migrations through sijdesk.db.migrate, which supplies a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
