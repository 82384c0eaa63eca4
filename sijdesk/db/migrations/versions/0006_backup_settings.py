"""Automatic backups: where, how often, how many are kept, and their encryption.

``backup_public_key`` is the X25519 key backups are encrypted to;
``backup_sealed_private_key`` its private key sealed with a key derived from
the passphrase (JSON; the passphrase itself is never stored). Both empty:
backups are not encrypted.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clinic_settings") as batch:
        batch.add_column(sa.Column("backup_folder", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("backup_interval_minutes", sa.Integer(), nullable=False, server_default="30")
        )
        batch.add_column(
            sa.Column("backup_keep_daily", sa.Integer(), nullable=False, server_default="12")
        )
        batch.add_column(
            sa.Column("backup_keep_weekly", sa.Integer(), nullable=False, server_default="10")
        )
        batch.add_column(
            sa.Column("backup_keep_monthly", sa.Integer(), nullable=False, server_default="9")
        )
        batch.add_column(sa.Column("backup_public_key", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("backup_sealed_private_key", sa.JSON(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("SIJ Desk databases are restored from a backup, not downgraded.")
