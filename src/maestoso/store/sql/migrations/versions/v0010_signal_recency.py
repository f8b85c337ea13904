"""Signals in the order of the recent signals listing: newest first, page by page.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index(
        "ix_maestro_signal_instance_create_ts_name_seq_id",
        "maestro_signal_instance",
        ["create_ts", "name", "seq_id"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_maestro_signal_instance_create_ts_name_seq_id", table_name="maestro_signal_instance"
    )
