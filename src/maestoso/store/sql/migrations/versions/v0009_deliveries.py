"""Alert deliveries.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "maestoso_delivery",
        # INTEGER on SQLite: only an INTEGER PRIMARY KEY is the auto-assigned rowid.
        sa.Column(
            "delivery_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("dedup_key", sa.Text(), nullable=False),
        sa.Column("notifier", sa.Text(), nullable=False),
        sa.Column("alert_type", sa.Text(), nullable=False),
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("instance_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("step_id", sa.Text(), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.Column("modify_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("delivery_id", name="pk_maestoso_delivery"),
        sa.UniqueConstraint("dedup_key", name="uq_maestoso_delivery_dedup_key"),
    )
    op.create_index(
        "ix_maestoso_delivery_workflow_id_instance_id_delivery_id",
        "maestoso_delivery",
        ["workflow_id", "instance_id", "delivery_id"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_maestoso_delivery_workflow_id_instance_id_delivery_id", table_name="maestoso_delivery"
    )
    op.drop_table("maestoso_delivery")
