"""Admission in the store: a run started in its creating transaction when its workflow's run
strategy has room, queued runs started by ``admit_queued``, and an ended run's admission
event enqueued only when a run is queued (memory, SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tests.contract.support import Stores
from tests.contract.test_store_instances import (
    T0,
    WF,
    attempt,
    claim_all,
    instance,
    new_version,
    start_event,
)

from maestoso.store import Store
from maestoso.store.records import IfQueued, InstanceRow, InstanceUpdate, RunLimit

ONE = RunLimit(concurrency=1)


@pytest.fixture
async def workflow(store: Store) -> Store:
    """The store, holding workflow ``wf-a``."""
    await store.save_version(new_version(WF))
    return store


async def create(store: Store, uuid: str, limit: RunLimit | None = ONE) -> InstanceRow:
    row, new = await store.create_instance(instance(uuid), [start_event()], admit=limit)
    assert new
    return row


async def end(store: Store, row: InstanceRow, status: str = "SUCCEEDED") -> int:
    update = InstanceUpdate(
        workflow_id=row.workflow_id,
        instance_id=row.instance_id,
        run_id=row.run_id,
        status=status,
        expected_statuses=("IN_PROGRESS",),
        end_time=T0 + 9,
        timeline=[{"timestamp": T0 + 9, "type": "LOG", "message": "over"}],
        modify_time=T0 + 9,
    )
    return await store.save_steps(
        [attempt("job1", instance_id=row.instance_id, status="SUCCEEDED")],
        instance_updates=[update],
        if_queued=[IfQueued(workflow_id=row.workflow_id, event=start_event(ended=row.instance_id))],
    )


def limit_of(concurrency: int, blocked_by_failure: bool = False) -> Any:
    def of(snapshot: dict[str, Any]) -> RunLimit:
        assert snapshot["create_time"] == T0  # the workflow's properties snapshot
        return RunLimit(concurrency=concurrency, blocked_by_failure=blocked_by_failure)

    return of


async def test_a_run_with_room_starts_in_its_creating_transaction(workflow: Store) -> None:
    row = await create(workflow, "first")

    assert row.status == "IN_PROGRESS"
    # started when admitted, in the creating transaction: not before it was created
    assert row.start_time >= row.create_time and row.modify_time == row.start_time
    assert row.execution_id
    assert await workflow.get_instance(WF, row.instance_id) == row
    assert await claim_all(workflow) == []  # no admission event: it has started


async def test_a_run_without_room_is_queued_with_its_events(workflow: Store) -> None:
    await create(workflow, "first")

    second = await create(workflow, "second")

    assert (second.status, second.start_time, second.execution_id) == ("CREATED", None, None)
    assert await claim_all(workflow) == [("START_WORKFLOW", {"workflow_id": WF})]


async def test_a_run_queues_behind_a_queued_one_even_with_room(workflow: Store) -> None:
    await create(workflow, "queued", RunLimit(concurrency=0))

    later = await create(workflow, "later", RunLimit(concurrency=5))

    assert later.status == "CREATED"


async def test_a_failed_run_blocks_only_when_asked(workflow: Store) -> None:
    failed = await create(workflow, "failed")
    await end(workflow, failed, "FAILED")

    blocked = await create(workflow, "blocked", RunLimit(concurrency=1, blocked_by_failure=True))
    assert blocked.status == "CREATED"
    await workflow.update_instances(
        [
            InstanceUpdate(
                workflow_id=WF,
                instance_id=blocked.instance_id,
                run_id=1,
                status="STOPPED",
                modify_time=T0 + 5,
            )
        ]
    )
    assert (await create(workflow, "free", RunLimit(concurrency=1))).status == "IN_PROGRESS"


async def test_concurrent_creations_start_no_more_than_the_limit(
    workflow: Store, stores: Stores
) -> None:
    other = await stores.open()
    try:
        handles = [workflow, other]
        limit = RunLimit(concurrency=3)
        rows = await asyncio.gather(*(create(handles[n % 2], f"u{n}", limit) for n in range(12)))
    finally:
        await other.close()

    assert sorted(row.status for row in rows) == ["CREATED"] * 9 + ["IN_PROGRESS"] * 3
    running = await workflow.find_instances(WF, statuses=("IN_PROGRESS",), limit=100)
    assert len(running) == 3


async def test_admit_queued_starts_the_oldest_as_far_as_the_limit_allows(workflow: Store) -> None:
    first = await create(workflow, "first")
    queued = [await create(workflow, f"q{n}") for n in range(3)]
    await end(workflow, first)

    admitted = await workflow.admit_queued(WF, limit_of=limit_of(2), now=lambda: T0 + 50)

    assert [row.instance_id for row in admitted] == [queued[0].instance_id, queued[1].instance_id]
    for row in admitted:
        assert (row.status, row.start_time, row.modify_time) == ("IN_PROGRESS", T0 + 50, T0 + 50)
        assert row.execution_id
        assert await workflow.get_instance(WF, row.instance_id) == row
    assert await workflow.admit_queued(WF, limit_of=limit_of(2), now=lambda: T0 + 60) == []
    assert len(await workflow.find_instances(WF, statuses=("CREATED",), limit=9)) == 1


async def test_admit_queued_respects_a_blocking_failure(workflow: Store) -> None:
    failed = await create(workflow, "failed")
    await create(workflow, "queued")
    await end(workflow, failed, "FAILED")

    assert await workflow.admit_queued(WF, limit_of=limit_of(1, True), now=lambda: T0) == []
    assert len(await workflow.admit_queued(WF, limit_of=limit_of(1), now=lambda: T0)) == 1


async def test_admit_queued_of_an_unknown_workflow(store: Store) -> None:
    assert await store.admit_queued("nope", limit_of=limit_of(1), now=lambda: T0) == []


async def test_an_ended_run_enqueues_its_admission_event_only_if_a_run_waits(
    workflow: Store,
) -> None:
    first = await create(workflow, "first")
    assert await end(workflow, first) == 0
    assert await claim_all(workflow) == []

    second = await create(workflow, "second")
    await create(workflow, "third")
    await claim_all(workflow)  # the queued one's own event

    assert await end(workflow, second) == 1
    ended = {"workflow_id": WF, "ended": second.instance_id}
    assert await claim_all(workflow) == [("START_WORKFLOW", ended)]


async def test_a_run_ending_as_another_arrives_never_strands_it(
    workflow: Store, stores: Stores
) -> None:
    """An end and a concurrent start are ordered: either the start saw the run ended (and
    started), or the end saw the new run queued (and enqueued the event that admits it)."""
    other = await stores.open()
    try:
        for n in range(15):
            running = await create(workflow, f"r{n}")
            assert running.status == "IN_PROGRESS"
            enqueued, arrived = await asyncio.gather(end(workflow, running), create(other, f"a{n}"))
            assert enqueued == (arrived.status == "CREATED"), f"round {n}"
            await claim_all(workflow)
            if arrived.status == "CREATED":
                (arrived,) = await workflow.admit_queued(WF, limit_of=limit_of(1), now=lambda: T0)
            await end(workflow, arrived)
    finally:
        await other.close()


async def test_a_second_workflow_is_counted_apart(workflow: Store) -> None:
    await workflow.save_version(new_version("wf-b"))
    await create(workflow, "first")

    row, _ = await workflow.create_instance(
        instance("other", workflow_id="wf-b"), [start_event()], admit=ONE
    )

    assert row.status == "IN_PROGRESS"
