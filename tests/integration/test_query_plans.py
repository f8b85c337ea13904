"""The start path's lookups of runs are served by an index, not by reading every run of the
workflow: SQLite's plans, which depend on the SQL text alone (no statistics are gathered).

With 100,000 stored runs, ``(workflow_id, instance_id, run_id) IN (VALUES …)`` and an active
status lookup ordered by the primary key both read every run of the workflow on SQLite: a
start took 0.7 s instead of 20 ms (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from maestoso.store import SqlStore
from maestoso.store.sql.instance_updates import any_key
from maestoso.store.sql.instances import _ACTIVE_OF_STATUS_NEWEST, _ACTIVE_OF_STATUS_OLDEST
from maestoso.store.sql.listing import signals_query
from maestoso.store.sql.tables import maestro_workflow_instance as runs


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    opened = await SqlStore.open(f"sqlite:///{tmp_path / 'plans.sqlite'}")
    try:
        yield opened
    finally:
        await opened.close()


async def _plan(store: SqlStore, statement: Any, params: dict[str, Any]) -> str:
    compiled = statement.compile(dialect=sqlite.dialect())
    values = {**compiled.params, **params}
    positional = [values[name] for name in compiled.positiontup]
    async with store.engine.connect() as connection:
        rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", tuple(positional))
        return "\n".join(str(row[3]) for row in rows)


@pytest.mark.parametrize("statement", [_ACTIVE_OF_STATUS_OLDEST, _ACTIVE_OF_STATUS_NEWEST])
async def test_runs_in_an_active_status_are_found_through_the_partial_index(
    store: SqlStore, statement: Any
) -> None:
    params = {"workflow_id": "wf", "status": "CREATED", "limit": 100}
    plan = await _plan(store, statement, params)
    assert "USING INDEX ix_maestro_workflow_instance_active (workflow_id=? AND status=?)" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, "only the runs of one instance are sorted"


async def test_runs_by_key_are_found_through_the_whole_primary_key(store: SqlStore) -> None:
    keys = [("wf", 1, 1), ("wf", 2, 1), ("other", 7, 2)]
    statement = (
        select(runs.c.status)
        .where(any_key(keys))
        .compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    )
    async with store.engine.connect() as connection:
        rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")
        plan = "\n".join(str(row[3]) for row in rows)
    assert plan.count("(workflow_id=? AND instance_id=? AND run_id=?)") == 2, plan
    assert "SCAN" not in plan, plan


async def test_recent_signals_are_read_along_an_index(store: SqlStore) -> None:
    first = await _plan(store, signals_query(None, 50), {})
    next_page = await _plan(store, signals_query((1, "a", 1), 50), {})

    for plan in (first, next_page):
        assert "ix_maestro_signal_instance_create_ts_name_seq_id" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
