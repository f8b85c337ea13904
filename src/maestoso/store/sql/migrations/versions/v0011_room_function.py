"""``maestoso_room``: the run strategy's count of a workflow's room, on PostgreSQL.

A new instance is stored on PostgreSQL in one statement (``store.sql.creation``): the
statement takes the workflow row's lock, then calls this function, whose queries read with a
snapshot of their own (a VOLATILE function's do, at READ COMMITTED), taken once the lock is
held. The statement's own subqueries would read the snapshot taken when it began, before it
waited for the lock, and miss a run created meanwhile. The rules are ``admission.room``'s.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

# Each lookup repeats the predicate of ix_maestro_workflow_instance_active, so that the
# planner reads the queued, active and failed runs only, never the workflow's history.
_INDEXED = "status IN ('CREATED', 'IN_PROGRESS', 'PAUSED', 'FAILED')"

_ROOM = f"""
CREATE FUNCTION maestoso_room(
    p_workflow_id text, p_concurrency integer, p_blocked_by_failure boolean
) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    active integer;
BEGIN
    IF p_concurrency <= 0 THEN
        RETURN 0;
    END IF;
    -- The active runs, share-locked: a run ending concurrently either committed before this
    -- count or waits for the counting transaction to commit.
    SELECT count(*) INTO active FROM (
        SELECT 1 FROM maestro_workflow_instance
        WHERE workflow_id = p_workflow_id AND status IN ('IN_PROGRESS', 'PAUSED') AND {_INDEXED}
        LIMIT p_concurrency FOR SHARE
    ) AS runs;
    IF active >= p_concurrency THEN
        RETURN 0;
    END IF;
    IF EXISTS (
        SELECT 1 FROM maestro_workflow_instance
        WHERE workflow_id = p_workflow_id AND status = 'CREATED' AND {_INDEXED}
    ) THEN
        RETURN 0;  -- first come, first served: a queued run starts first
    END IF;
    IF p_blocked_by_failure AND EXISTS (
        SELECT 1 FROM maestro_workflow_instance
        WHERE workflow_id = p_workflow_id AND status = 'FAILED' AND {_INDEXED}
    ) THEN
        RETURN 0;
    END IF;
    RETURN p_concurrency - active;
END
$$
"""


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(_ROOM)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION maestoso_room(text, integer, boolean)")
