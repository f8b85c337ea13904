"""Workflow definitions: workflows, versions, properties history and timeline.

Written by hand from ``maestoso.store.sql.tables`` as it stood; later changes to the tables come
as new revisions, never as edits here.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

WORKFLOW_ID_START = 10000


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            sa.schema.CreateSequence(sa.Sequence("workflow_id_seq", start=WORKFLOW_ID_START))
        )
    else:
        op.create_table(
            "maestoso_sequence",
            sa.Column("name", sa.Text(), nullable=False),
            sa.Column("last_value", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("name", name="pk_maestoso_sequence"),
        )
    op.create_table(
        "maestro_workflow",
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("internal_id", sa.BigInteger(), nullable=False),
        sa.Column("active_version_id", sa.BigInteger(), nullable=False),
        sa.Column("activate_ts", sa.BigInteger(), nullable=True),
        sa.Column("activated_by", sa.JSON(), nullable=True),
        sa.Column("properties_snapshot", sa.JSON(), nullable=False),
        sa.Column("latest_version_id", sa.BigInteger(), nullable=False),
        sa.Column("latest_instance_id", sa.BigInteger(), nullable=False),
        sa.Column("modify_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", name="pk_maestro_workflow"),
    )
    op.create_index(
        "ix_maestro_workflow_internal_id", "maestro_workflow", ["internal_id"], unique=True
    )
    op.create_table(
        "maestro_workflow_version",
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("trigger_uuids", sa.JSON(), nullable=True),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("workflow_id", "version_id", name="pk_maestro_workflow_version"),
    )
    op.create_table(
        "maestro_workflow_properties",
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("create_time", sa.BigInteger(), nullable=False),
        sa.Column("author", sa.JSON(), nullable=True),
        sa.Column("properties_changes", sa.JSON(), nullable=False),
        sa.Column("previous_snapshot", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint(
            "workflow_id", "create_time", name="pk_maestro_workflow_properties"
        ),
    )
    op.create_table(
        "maestro_workflow_timeline",
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.Column("hash_id", sa.Text(), nullable=False),
        sa.Column("change_event", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint(
            "workflow_id", "create_ts", "hash_id", name="pk_maestro_workflow_timeline"
        ),
    )


def downgrade() -> None:
    op.drop_table("maestro_workflow_timeline")
    op.drop_table("maestro_workflow_properties")
    op.drop_table("maestro_workflow_version")
    op.drop_index("ix_maestro_workflow_internal_id", table_name="maestro_workflow")
    op.drop_table("maestro_workflow")
    if op.get_context().dialect.name == "postgresql":
        op.execute(sa.schema.DropSequence(sa.Sequence("workflow_id_seq")))
    else:
        op.drop_table("maestoso_sequence")
