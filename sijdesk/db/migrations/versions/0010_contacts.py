"""The clinic's address book, and each patient's GP and referring clinician.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("practice", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("secure_email", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "role IN ('gp', 'spine_surgeon', 'injection_clinic', 'rheumatologist', "
            "'physiotherapist', 'other')",
            name=op.f("ck_contact_role"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_contact_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["app_user.id"], name=op.f("fk_contact_updated_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gp_contact_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("referrer_contact_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_patient_gp_contact_id_contact"), "contact", ["gp_contact_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_patient_referrer_contact_id_contact"),
            "contact",
            ["referrer_contact_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_patient_referrer_contact_id_contact"))
        batch_op.drop_constraint(batch_op.f("fk_patient_gp_contact_id_contact"))
        batch_op.drop_column("referrer_contact_id")
        batch_op.drop_column("gp_contact_id")
    op.drop_table("contact")
