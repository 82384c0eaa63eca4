"""What the clinic's outcome report and follow-up list read in SQL.

- ``outcome_measure.odi_tenths``: the ODI percent in tenths of a percent (444 is
  44.4 %), derived from the ten section scores by the pathway's rule and kept
  with them by the model; the report compares changes with the minimal important
  change in whole numbers, exactly, without reading the sections of every row.
- ``clinic_settings.report_min_cell``: the report shows a count of episodes
  under it (5 unless the clinic chooses) as "fewer than 5", to protect patients.
- An index on the timeline's kind, episode, date and entered-in-error: the report
  and the follow-up list start from all injections, therapy sessions or letters,
  and the index alone answers what they read of each (at 100,000 patients the
  first therapy session of every episode in 0.3 s instead of 1.2 s).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BATCH = 5000


def _fill_odi_tenths() -> None:
    from sijdesk.models.clinical import odi_tenths

    bind = op.get_bind()
    outcomes = sa.table(
        "outcome_measure",
        sa.column("id", sa.Integer),
        sa.column("odi_items", sa.JSON),
        sa.column("odi_tenths", sa.Integer),
    )
    after = 0
    while True:  # a batch at a time, by id: memory stays flat
        rows = bind.execute(
            sa.select(outcomes.c.id, outcomes.c.odi_items)
            .where(outcomes.c.id > after)
            .order_by(outcomes.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        scored = [
            {"row_id": row.id, "tenths": tenths}
            for row in rows
            if (tenths := odi_tenths(row.odi_items)) is not None
        ]
        if scored:
            bind.execute(
                outcomes.update()
                .where(outcomes.c.id == sa.bindparam("row_id"))
                .values(odi_tenths=sa.bindparam("tenths")),
                scored,
            )
        after = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table("outcome_measure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("odi_tenths", sa.Integer(), nullable=True))
    _fill_odi_tenths()
    with op.batch_alter_table("clinic_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("report_min_cell", sa.Integer(), nullable=False, server_default="5")
        )
    op.create_index(
        "ix_timeline_event_kind_episode",
        "timeline_event",
        ["kind", "episode_id", "event_date", "entered_in_error"],
    )


def downgrade() -> None:
    op.drop_index("ix_timeline_event_kind_episode", table_name="timeline_event")
    with op.batch_alter_table("clinic_settings", schema=None) as batch_op:
        batch_op.drop_column("report_min_cell")
    with op.batch_alter_table("outcome_measure", schema=None) as batch_op:
        batch_op.drop_column("odi_tenths")
