"""Allergies and intolerances, and "no known allergies", per patient.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allergy_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("substance", sa.String(length=32), nullable=False),
        sa.Column("substance_text", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reaction", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("root_id", sa.Integer(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("amendment_reason", sa.Text(), nullable=True),
        sa.Column("entered_in_error", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('allergy', 'intolerance')", name=op.f("ck_allergy_entry_kind")
        ),
        sa.CheckConstraint(
            "severity IN ('mild', 'moderate', 'severe', 'unknown')",
            name=op.f("ck_allergy_entry_severity"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_allergy_entry_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_allergy_entry_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["allergy_entry.id"],
            name=op.f("fk_allergy_entry_replaces_id_allergy_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["root_id"], ["allergy_entry.id"], name=op.f("fk_allergy_entry_root_id_allergy_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allergy_entry")),
        sa.UniqueConstraint("replaces_id", name=op.f("uq_allergy_entry_replaces_id")),
    )
    with op.batch_alter_table("allergy_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_allergy_entry_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_allergy_entry_root_id"), ["root_id"], unique=False)


def downgrade() -> None:
    op.drop_table("allergy_entry")
