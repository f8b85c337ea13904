"""Step breakpoints and paused attempts, tag permits and the permits steps hold.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "maestro_step_breakpoint",
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("step_id", sa.Text(), nullable=False),
        sa.Column("system_generated", sa.Boolean(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("instance_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("step_attempt_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.JSON(), nullable=True),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "workflow_id",
            "step_id",
            "system_generated",
            "version",
            "instance_id",
            "run_id",
            "step_attempt_id",
            name="pk_maestro_step_breakpoint",
        ),
    )
    op.create_table(
        "maestro_tag_permit",
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("max_allowed", sa.BigInteger(), nullable=False),
        sa.Column("extra_info", sa.JSON(), nullable=True),
        sa.Column("timeline", sa.JSON(), nullable=False),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.Column("modify_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tag", name="pk_maestro_tag_permit"),
    )
    op.create_table(
        "maestro_step_tag_permit",
        sa.Column("step_uuid", sa.Text(), nullable=False),
        sa.Column("tag", sa.Text(), nullable=False),
        sa.Column("acquire_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("step_uuid", "tag", name="pk_maestro_step_tag_permit"),
    )
    op.create_index("ix_maestro_step_tag_permit_tag", "maestro_step_tag_permit", ["tag"])


def downgrade() -> None:
    op.drop_index("ix_maestro_step_tag_permit_tag", table_name="maestro_step_tag_permit")
    op.drop_table("maestro_step_tag_permit")
    op.drop_table("maestro_tag_permit")
    op.drop_table("maestro_step_breakpoint")
