"""Imaging results: modality, region, finding and whether the report is in.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imaging_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("modality", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("report_received", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"], ["timeline_event.id"], name=op.f("fk_imaging_result_id_timeline_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_result")),
    )


def downgrade() -> None:
    op.drop_table("imaging_result")
