"""Sign-in: passwords in use, several roles per user, lock settings.

- ``user_role`` replaces ``app_user.role`` (a user may be reception and
  clinician); the old role becomes the user's one row there.
- The account columns sign-in needs: failed attempts and the wait they
  cause (kept here so that restarting does not reset them), the last
  sign-in, and "must choose a new password" after an administrator's reset.
- No account exists without a password: passwordless users nothing refers to
  (the administrator 0002 seeded in a new database) are removed, the others
  are disabled until an administrator sets a password for them.
- ``audit_event.user_id`` may be empty: a failed sign-in under a name no
  account has is recorded too.
- ``clinic_settings`` says whether this is a demo clinic and after how many
  idle minutes the window locks.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _referenced_user_ids(bind) -> set[int]:
    inspector = sa.inspect(bind)
    ids: set[int] = set()
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] != "app_user" or table == "user_role":
                continue
            for column in fk["constrained_columns"]:
                rows = bind.execute(
                    sa.text(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")
                )
                ids.update(row[0] for row in rows)
    return ids


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'clinician', 'reception')", name=op.f("ck_user_role_role")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_user_role_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    bind.execute(sa.text("INSERT INTO user_role (user_id, role) SELECT id, role FROM app_user"))

    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_role"), type_="check")
        batch.drop_column("role")
        batch.add_column(
            sa.Column("failed_signins", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("signin_blocked_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_signin_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )

    referenced = _referenced_user_ids(bind)
    passwordless = [
        row[0]
        for row in bind.execute(sa.text("SELECT id FROM app_user WHERE password_hash IS NULL"))
    ]
    for user_id in passwordless:
        if user_id in referenced:
            bind.execute(
                sa.text("UPDATE app_user SET active = :off WHERE id = :id"),
                {"off": False, "id": user_id},
            )
        else:
            bind.execute(sa.text("DELETE FROM user_role WHERE user_id = :id"), {"id": user_id})
            bind.execute(sa.text("DELETE FROM app_user WHERE id = :id"), {"id": user_id})

    with op.batch_alter_table("clinic_settings") as batch:
        batch.add_column(
            sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("idle_lock_minutes", sa.Integer(), nullable=False, server_default="10")
        )

    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch.create_index(op.f("ix_audit_event_user"), ["user_id", "at"])


def downgrade() -> None:
    raise NotImplementedError("SIJ Desk databases are restored from a backup, not downgraded.")
