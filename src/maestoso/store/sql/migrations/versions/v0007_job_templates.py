"""Job templates.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "maestro_job_template",
        sa.Column("job_type", sa.Text(), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("create_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("job_type", "version", name="pk_maestro_job_template"),
    )


def downgrade() -> None:
    op.drop_table("maestro_job_template")
