"""Why an agent or medicine was given although it matched a recorded allergy.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timeline_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allergy_confirmation", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("timeline_event", schema=None) as batch_op:
        batch_op.drop_column("allergy_confirmation")
