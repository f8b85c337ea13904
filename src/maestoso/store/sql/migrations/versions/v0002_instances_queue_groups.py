"""Workflow instances, step attempts, the job-event queue and flow groups.

Written by hand from ``maestoso.store.sql.tables`` as it stood; later changes to the tables come
as new revisions, never as edits here.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

ACTIVE_STATUSES = ("CREATED", "IN_PROGRESS", "PAUSED", "FAILED")
RESUMABLE_STATUSES = ("IN_PROGRESS", "PAUSED")


def _partial(where: sa.ColumnElement[bool]) -> dict[str, Any]:
    return {"sqlite_where": where, "postgresql_where": where}


def _status_in(statuses: tuple[str, ...]) -> sa.ColumnElement[bool]:
    return sa.column("status").in_([sa.literal_column(f"'{s}'") for s in statuses])


def upgrade() -> None:
    op.create_table(
        "maestro_workflow_instance",
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("instance_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("uuid", sa.Text(), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("group_id", sa.BigInteger(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("initiator", sa.JSON(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("runtime_overview", sa.JSON(), nullable=True),
        sa.Column("artifacts", sa.JSON(), nullable=True),
        sa.Column("timeline", sa.JSON(), nullable=False),
        sa.Column("execution_id", sa.Text(), nullable=True),
        sa.Column("request_ts", sa.BigInteger(), nullable=False),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.Column("start_ts", sa.BigInteger(), nullable=True),
        sa.Column("end_ts", sa.BigInteger(), nullable=True),
        sa.Column("modify_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "workflow_id", "instance_id", "run_id", name="pk_maestro_workflow_instance"
        ),
        sa.UniqueConstraint(
            "workflow_id",
            "uuid",
            "run_id",
            name="uq_maestro_workflow_instance_workflow_id_uuid_run_id",
        ),
    )
    op.create_index(
        "ix_maestro_workflow_instance_active",
        "maestro_workflow_instance",
        ["workflow_id", "status", "instance_id"],
        **_partial(_status_in(ACTIVE_STATUSES)),
    )
    op.create_index(
        "ix_maestro_workflow_instance_group",
        "maestro_workflow_instance",
        ["group_id", "status"],
        **_partial(_status_in(RESUMABLE_STATUSES)),
    )
    op.create_table(
        "maestro_step_instance",
        sa.Column("workflow_id", sa.Text(), nullable=False),
        sa.Column("instance_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("step_id", sa.Text(), nullable=False),
        sa.Column("attempt_id", sa.BigInteger(), nullable=False),
        sa.Column("step_uuid", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("runtime_state", sa.JSON(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("artifacts", sa.JSON(), nullable=True),
        sa.Column("timeline", sa.JSON(), nullable=False),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.Column("modify_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "workflow_id",
            "instance_id",
            "run_id",
            "step_id",
            "attempt_id",
            name="pk_maestro_step_instance",
        ),
    )
    op.create_table(
        "maestro_queue",
        # INTEGER on SQLite: only an INTEGER PRIMARY KEY is the auto-assigned rowid.
        sa.Column(
            "msg_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("available_at", sa.BigInteger(), nullable=False),
        sa.Column("owned_until", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parked", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("create_time", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("msg_id", name="pk_maestro_queue"),
    )
    parked = sa.column("parked", sa.Boolean())
    op.create_index(
        "ix_maestro_queue_claim",
        "maestro_queue",
        ["available_at", "msg_id"],
        **_partial(parked == sa.false()),
    )
    op.create_index(
        "ix_maestro_queue_parked", "maestro_queue", ["msg_id"], **_partial(parked == sa.true())
    )
    op.create_table(
        "maestro_flow_group",
        sa.Column("group_id", sa.BigInteger(), nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("heartbeat_time", sa.BigInteger(), nullable=False),
        sa.Column("owned_until", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", name="pk_maestro_flow_group"),
    )


def downgrade() -> None:
    op.drop_table("maestro_flow_group")
    op.drop_index("ix_maestro_queue_parked", table_name="maestro_queue")
    op.drop_index("ix_maestro_queue_claim", table_name="maestro_queue")
    op.drop_table("maestro_queue")
    op.drop_table("maestro_step_instance")
    op.drop_index("ix_maestro_workflow_instance_group", table_name="maestro_workflow_instance")
    op.drop_index("ix_maestro_workflow_instance_active", table_name="maestro_workflow_instance")
    op.drop_table("maestro_workflow_instance")
