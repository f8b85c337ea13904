"""API tokens and the audit log.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "maestoso_token",
        sa.Column("token_id", sa.Text(), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("secret_hash", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.Column("expire_ts", sa.BigInteger(), nullable=True),
        sa.Column("revoke_ts", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("token_id", name="pk_maestoso_token"),
    )
    op.create_index("ix_maestoso_token_user_name", "maestoso_token", ["user_name"])
    op.create_table(
        "maestoso_audit",
        # INTEGER on SQLite: only an INTEGER PRIMARY KEY is the auto-assigned rowid.
        sa.Column(
            "audit_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("workflow_id", sa.Text(), nullable=True),
        sa.Column("instance_id", sa.BigInteger(), nullable=True),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("step_id", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("client", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("audit_id", name="pk_maestoso_audit"),
    )
    op.create_index(
        "ix_maestoso_audit_user_name_audit_id", "maestoso_audit", ["user_name", "audit_id"]
    )
    op.create_index(
        "ix_maestoso_audit_workflow_id_audit_id", "maestoso_audit", ["workflow_id", "audit_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_maestoso_audit_workflow_id_audit_id", table_name="maestoso_audit")
    op.drop_index("ix_maestoso_audit_user_name_audit_id", table_name="maestoso_audit")
    op.drop_table("maestoso_audit")
    op.drop_index("ix_maestoso_token_user_name", table_name="maestoso_token")
    op.drop_table("maestoso_token")
