"""Output data published by external jobs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "output_data",
        sa.Column("external_job_type", sa.Text(), nullable=False),
        sa.Column("external_job_id", sa.Text(), nullable=False),
        sa.Column("workflow_id", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.Column("modify_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("external_job_type", "external_job_id", name="pk_output_data"),
    )


def downgrade() -> None:
    op.drop_table("output_data")
