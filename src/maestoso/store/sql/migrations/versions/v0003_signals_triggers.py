"""Signal instances and their indexed params, signal triggers and time triggers.

Written by hand from ``maestoso.store.sql.tables`` as it stood; later changes to the tables come
as new revisions, never as edits here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# Byte-wise text on PostgreSQL too: range matches over encoded values follow the index order.
ordered = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "maestro_signal_instance",
        sa.Column("name", ordered, nullable=False),
        sa.Column("seq_id", sa.BigInteger(), nullable=False),
        sa.Column("instance_id", sa.Text(), nullable=False),
        sa.Column("instance", sa.JSON(), nullable=False),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", "seq_id", name="pk_maestro_signal_instance"),
        sa.UniqueConstraint(
            "name", "instance_id", name="uq_maestro_signal_instance_name_instance_id"
        ),
    )
    op.create_table(
        "maestro_signal_param",
        sa.Column("signal_name", ordered, nullable=False),
        sa.Column("param_name", ordered, nullable=False),
        sa.Column("encoded_val", ordered, nullable=False),
        sa.Column("signal_seq_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "signal_name",
            "param_name",
            "encoded_val",
            "signal_seq_id",
            name="pk_maestro_signal_param",
        ),
    )
    op.create_table(
        "maestro_signal_trigger",
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("trigger_uuid", sa.Text(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("checkpoints", sa.JSON(), nullable=False),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", "trigger_uuid", name="pk_maestro_signal_trigger"),
    )
    op.create_table(
        "maestro_signal_subscription",
        sa.Column("signal_name", ordered, nullable=False),
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("trigger_uuid", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "signal_name", "workflow_id", "trigger_uuid", name="pk_maestro_signal_subscription"
        ),
    )
    op.create_index(
        "ix_maestro_signal_subscription_workflow_id",
        "maestro_signal_subscription",
        ["workflow_id"],
    )
    op.create_table(
        "maestro_time_trigger",
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("trigger_uuid", sa.Text(), nullable=False),
        sa.Column("trigger_index", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("watermark", sa.BigInteger(), nullable=False),
        sa.Column("next_fire_ts", sa.BigInteger(), nullable=True),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "workflow_id", "trigger_uuid", "trigger_index", name="pk_maestro_time_trigger"
        ),
    )
    op.create_index(
        "ix_maestro_time_trigger_next_fire_ts", "maestro_time_trigger", ["next_fire_ts"]
    )


def downgrade() -> None:
    op.drop_index("ix_maestro_time_trigger_next_fire_ts", table_name="maestro_time_trigger")
    op.drop_table("maestro_time_trigger")
    op.drop_index(
        "ix_maestro_signal_subscription_workflow_id", table_name="maestro_signal_subscription"
    )
    op.drop_table("maestro_signal_subscription")
    op.drop_table("maestro_signal_trigger")
    op.drop_table("maestro_signal_param")
    op.drop_table("maestro_signal_instance")
