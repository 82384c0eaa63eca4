"""Seed the clinic settings row and the first administrator account.

Every write is attributed to a user, so a new clinic database needs one
from the start. The administrator has no password until sign-in exists;
the sign-in feature asks for one on first start.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    users = sa.table(
        "app_user",
        sa.column("username", sa.String),
        sa.column("display_name", sa.String),
        sa.column("role", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("created_at", sa.DateTime),
    )
    settings = sa.table(
        "clinic_settings",
        sa.column("id", sa.Integer),
        sa.column("clinic_name", sa.String),
        sa.column("address", sa.Text),
        sa.column("phone", sa.String),
        sa.column("email", sa.String),
        sa.column("page_size", sa.String),
        sa.column("date_format", sa.String),
        sa.column("pathway_thresholds", sa.JSON),
        sa.column("next_record_number", sa.Integer),
    )
    bind = op.get_bind()
    has_admin = bind.execute(
        sa.text("SELECT COUNT(*) FROM app_user WHERE username = 'admin'")
    ).scalar()
    if not has_admin:
        op.bulk_insert(
            users,
            [
                {
                    "username": "admin",
                    "display_name": "Clinic administrator",
                    "role": "admin",
                    "active": True,
                    "created_at": now,
                }
            ],
        )
    has_settings = bind.execute(sa.text("SELECT COUNT(*) FROM clinic_settings")).scalar()
    if not has_settings:
        # Continue numbering after any patients registered before this revision.
        next_number = bind.execute(sa.text("SELECT COUNT(*) + 1 FROM patient")).scalar()
        op.bulk_insert(
            settings,
            [
                {
                    "id": 1,
                    "clinic_name": "",
                    "address": "",
                    "phone": "",
                    "email": "",
                    "page_size": "A4",
                    "date_format": "iso",
                    "pathway_thresholds": {},
                    "next_record_number": next_number,
                }
            ],
        )


def downgrade() -> None:
    op.execute("DELETE FROM clinic_settings WHERE id = 1")
