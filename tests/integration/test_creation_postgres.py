"""A new instance on PostgreSQL is stored by one statement (``store/sql/creation``): the races
that statement must get right, with a second connection holding the locks it waits on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import psycopg
import pytest
from tests.contract.test_store_instances import WF, instance, new_version

from maestoso.store import SqlStore
from maestoso.store.records import RunLimit

pytestmark = pytest.mark.postgres

ONE = RunLimit(concurrency=1)
WAIT_SECONDS = 0.4


@pytest.fixture
async def url(postgres_server: object) -> AsyncIterator[str]:
    created: str = postgres_server.create_database()  # type: ignore[attr-defined]
    try:
        yield created
    finally:
        postgres_server.drop_database(created)  # type: ignore[attr-defined]


@pytest.fixture
async def store(url: str) -> AsyncIterator[SqlStore]:
    opened = await SqlStore.open(url)
    await opened.save_version(new_version(WF))
    try:
        yield opened
    finally:
        await opened.close()


async def _blocked(task: asyncio.Task[object]) -> None:
    await asyncio.sleep(WAIT_SECONDS)
    assert not task.done(), "the creation should wait for the other transaction's lock"


async def _insert_holding_the_lock(
    connection: psycopg.AsyncConnection[object], *, uuid: str, status: str
) -> None:
    """Instance 1 of the workflow, as another node's creation writes it, not yet committed:
    its transaction holds the workflow row's lock."""
    await connection.execute(
        "UPDATE maestro_workflow SET latest_instance_id = 1 WHERE workflow_id = %s", (WF,)
    )
    await connection.execute(
        "INSERT INTO maestro_workflow_instance (workflow_id, instance_id, run_id, uuid,"
        " version_id, status, group_id, depth, initiator, document, timeline, request_ts,"
        " create_ts, modify_ts) VALUES (%s, 1, 1, %s, 1, %s, 0, 0, '{}', '{}', '[]', 0, 0, 0)",
        (WF, uuid, status),
    )


async def test_a_run_admitted_after_waiting_for_an_end_starts_after_that_end(
    store: SqlStore, url: str
) -> None:
    running, _ = await store.create_instance(instance("first"), [], admit=ONE)
    assert running.status == "IN_PROGRESS"
    async with await psycopg.AsyncConnection.connect(url) as ender:
        await ender.execute(
            "UPDATE maestro_workflow_instance SET status = 'SUCCEEDED', end_ts = %s"
            " WHERE workflow_id = %s AND instance_id = %s",
            (int(time.time() * 1000), WF, running.instance_id),
        )
        arriving = asyncio.ensure_future(store.create_instance(instance("second"), [], admit=ONE))
        await _blocked(arriving)
        ended_at = int(time.time() * 1000)
        await ender.commit()

    row, new = await arriving
    # The count waited for the end and saw it: the run started, and not before the end.
    assert new and row.status == "IN_PROGRESS"
    assert row.start_time is not None and row.start_time >= ended_at - 5
    assert await store.get_instance(WF, row.instance_id) == row


async def test_a_run_started_while_waiting_for_the_lock_is_counted(
    store: SqlStore, url: str
) -> None:
    async with await psycopg.AsyncConnection.connect(url) as other:
        await _insert_holding_the_lock(other, uuid="other", status="IN_PROGRESS")
        arriving = asyncio.ensure_future(store.create_instance(instance("mine"), [], admit=ONE))
        await _blocked(arriving)
        await other.commit()

    row, new = await arriving
    # Counted after the lock was held: the other run is active, so this one queues.
    assert new and (row.instance_id, row.status) == (2, "CREATED")


async def test_a_uuid_committed_while_waiting_wins_and_takes_no_id(
    store: SqlStore, url: str
) -> None:
    first = instance("same")
    async with await psycopg.AsyncConnection.connect(url) as other:
        await _insert_holding_the_lock(other, uuid="same", status="CREATED")
        arriving = asyncio.ensure_future(store.create_instance(first, []))
        await _blocked(arriving)
        await other.commit()

    row, new = await arriving
    assert not new and (row.instance_id, row.uuid) == (1, "same")
    stored = await store.get_workflow(WF)
    assert stored is not None and stored.latest_instance_id == 1
    next_row, _ = await store.create_instance(instance("next"), [])
    assert next_row.instance_id == 2
