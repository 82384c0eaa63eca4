"""The follow-up ("Due") list: its intervals and the marks made on its rows.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clinic_settings", schema=None) as batch_op:
        for name, weeks in (
            ("due_outcome_weeks", "6"),
            ("due_relief_weeks", "2"),
            ("due_referral_weeks", "12"),
        ):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=weeks))
    op.create_table(
        "follow_up_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("marked_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('contacted', 'booked', 'snoozed')", name=op.f("ck_follow_up_mark_kind")
        ),
        sa.CheckConstraint(
            "kind <> 'snoozed' OR until IS NOT NULL", name=op.f("ck_follow_up_mark_snooze_until")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_follow_up_mark_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["timeline_event.id"],
            name=op.f("fk_follow_up_mark_subject_id_timeline_event"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_follow_up_mark_created_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_mark")),
    )
    op.create_index("ix_follow_up_mark_episode", "follow_up_mark", ["episode_id", "rule"])


def downgrade() -> None:
    op.drop_index("ix_follow_up_mark_episode", table_name="follow_up_mark")
    op.drop_table("follow_up_mark")
    with op.batch_alter_table("clinic_settings", schema=None) as batch_op:
        for name in ("due_outcome_weeks", "due_relief_weeks", "due_referral_weeks"):
            batch_op.drop_column(name)
