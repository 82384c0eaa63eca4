"""The tamper-evident audit trail.

- ``audit_event.mac``: HMAC-SHA-256 of the event and the previous event's
  mac, under a key kept outside the database (see ``sijdesk.audit_chain``).
- ``audit_head``: the newest event's id and mac, under a MAC of its own, so
  that events removed from the end are noticed.
- ``clinic_settings.clinic_uid`` names the database; its key file carries it.

Existing events are sealed into the chain when the database is next opened,
because the key is not in the database and so not known here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("clinic_settings") as batch:
        batch.add_column(sa.Column("clinic_uid", sa.String(36), nullable=True))
    bind.execute(
        sa.text("UPDATE clinic_settings SET clinic_uid = :uid WHERE clinic_uid IS NULL"),
        {"uid": str(uuid.uuid4())},
    )
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("mac", sa.String(64), nullable=True))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("last_mac", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
        sa.Column("key_fingerprint", sa.String(32), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )


def downgrade() -> None:
    raise NotImplementedError("SIJ Desk databases are restored from a backup, not downgraded.")
