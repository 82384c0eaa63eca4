"""Search finds names by any part and phone numbers by any run of digits.

Makes every patient's search tokens again, now with the tails of the joined names
and of the phone's digits (see sijdesk/services/patient_search.py), in a table
made anew: on SQLite WITHOUT ROWID, since its rows are nothing but their key
(a third less space than a rowid table with its key index beside it).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH = 2000


def _create_token_table(**options) -> None:
    op.create_table(
        "patient_name_token",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_patient_name_token_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "token", name=op.f("pk_patient_name_token")),
        **options,
    )


def _fill_tokens() -> None:
    from sijdesk.services.patient_search import search_tokens

    bind = op.get_bind()
    tokens = sa.table(
        "patient_name_token", sa.column("patient_id", sa.Integer), sa.column("token", sa.String)
    )
    after = 0
    while True:  # a batch of patients at a time, by id: memory stays flat
        patients = bind.execute(
            sa.text(
                "SELECT id, given_names, family_name, phone FROM patient "
                "WHERE id > :after ORDER BY id LIMIT :batch"
            ),
            {"after": after, "batch": BATCH},
        ).all()
        if not patients:
            return
        rows = [
            {"patient_id": pid, "token": token}
            for pid, given, family, phone in patients
            for token in search_tokens(given, family, phone or "")
        ]
        if rows:
            bind.execute(sa.insert(tokens), rows)
        after = patients[-1][0]


def upgrade() -> None:
    op.drop_index("ix_patient_name_token_token", table_name="patient_name_token")
    op.drop_table("patient_name_token")
    _create_token_table(sqlite_with_rowid=False)
    _fill_tokens()
    # The index after the rows: built once, in order, rather than row by row.
    op.create_index(
        "ix_patient_name_token_token", "patient_name_token", ["token", "patient_id"], unique=False
    )


def downgrade() -> None:
    # The table as 0001 made it; the richer tokens stay (older versions still find
    # names by their start with them).
    op.rename_table("patient_name_token", "patient_name_token_0014")
    op.drop_index("ix_patient_name_token_token", table_name="patient_name_token_0014")
    _create_token_table()
    op.execute(
        "INSERT INTO patient_name_token SELECT patient_id, token FROM patient_name_token_0014"
    )
    op.drop_table("patient_name_token_0014")
    op.create_index(
        "ix_patient_name_token_token", "patient_name_token", ["token", "patient_id"], unique=False
    )
