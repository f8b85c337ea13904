"""Cluster membership, batched lease renewal, queues of flow groups, limits of the caller's
own, and notifications between handles: on memory, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from tests.contract.support import Stores
from tests.contract.test_store_instances import created, new_version

from maestoso.store import SqlStore, Store
from maestoso.store.coordination import Topic
from maestoso.store.records import Fence, JobEvent, NodeRow, flow_queue

NOW = 1_700_000_000_000
LEASE = 12_000


def node(node_id: str, now: int = NOW, start: int = NOW) -> NodeRow:
    return NodeRow(
        node_id=node_id,
        start_time=start,
        heartbeat_time=now,
        alive_until=now + LEASE,
        info={"address": f"http://{node_id}"},
    )


async def test_nodes_register_renew_and_leave(store: Store) -> None:
    await store.save_node(node("b"))
    await store.save_node(node("a"))
    # A renewal keeps the first start time.
    await store.save_node(node("b", now=NOW + 3000, start=NOW + 3000))

    assert await store.list_nodes() == [
        node("a"),
        NodeRow(
            node_id="b",
            start_time=NOW,
            heartbeat_time=NOW + 3000,
            alive_until=NOW + 3000 + LEASE,
            info={"address": "http://b"},
        ),
    ]
    await store.remove_node("a")
    await store.remove_node("unknown")
    assert [n.node_id for n in await store.list_nodes()] == ["b"]


async def test_leases_are_renewed_together_while_their_fences_hold(store: Store) -> None:
    fences = [
        fence
        for group_id in range(3)
        if (fence := await store.claim_group(group_id, owner="a", now=NOW, lease_ms=LEASE))
    ]
    taken = await store.claim_group(1, owner="b", now=NOW + LEASE + 1, lease_ms=LEASE)
    assert taken == Fence(group_id=1, generation=2)

    held = await store.heartbeat_groups(fences, now=NOW + LEASE + 2, lease_ms=LEASE)

    assert held == [0, 2]
    rows = {row.group_id: row for row in await store.list_groups()}
    assert rows[0].owned_until == rows[2].owned_until == NOW + 2 * LEASE + 2
    assert (rows[1].owner, rows[1].owned_until) == ("b", NOW + 2 * LEASE + 1)
    assert await store.heartbeat_groups([], now=NOW, lease_ms=LEASE) == []


async def test_groups_in_use_beyond_the_configured_count(store: Store) -> None:
    await store.save_version(new_version("wf-a"))
    await created(store, "u1", group_id=70, status="IN_PROGRESS")
    await created(store, "u2", group_id=5, status="PAUSED")
    await created(store, "u3", group_id=90, status="SUCCEEDED")
    await created(store, "u4", group_id=70, status="IN_PROGRESS")

    assert await store.groups_in_use(at_least=64) == [70]
    assert await store.groups_in_use(at_least=3) == [5, 70]


async def test_events_of_a_flow_group_go_to_its_queue_only(store: Store) -> None:
    shared = JobEvent(type="START_WORKFLOW", payload={"n": 1}, available_at=NOW)
    routed = JobEvent(type="INSTANCE_ACTION", payload={"n": 2}, queue_id=flow_queue(7))
    await store.enqueue([shared, routed])

    others = await store.claim_events(
        owner="b", now=NOW, lease_ms=LEASE, limit=10, queue_ids=[1, 2, 6, flow_queue(3)]
    )
    assert [e.payload for e in others] == [{"n": 1}]
    # Nothing left for them; the routed event is due now for the owner of group 7 only.
    assert await store.next_available_time([1, 2, 6, flow_queue(3)]) == NOW + LEASE + 1
    assert await store.next_available_time([flow_queue(7)]) == 0
    owner = await store.claim_events(
        owner="a", now=NOW, lease_ms=LEASE, limit=10, queue_ids=[flow_queue(7)]
    )
    assert [e.payload for e in owner] == [{"n": 2}]


async def test_limits_of_the_callers_own_hold_across_handles(store: Store, stores: Stores) -> None:
    other = await stores.open()
    limit = {"maestoso.step_concurrency/wf": 2}

    results = await asyncio.gather(
        *(
            (store if n % 2 else other).acquire_permits(f"step-{n}", [], NOW, limit)
            for n in range(6)
        )
    )

    assert sorted(len(full) for full in results) == [0, 0, 1, 1, 1, 1]
    assert await store.count_permits("maestoso.step_concurrency/wf") == 2
    holder = next(f"step-{n}" for n, full in enumerate(results) if not full)
    await other.release_permits(holder)
    assert await store.acquire_permits("step-9", [], NOW, limit) == []
    assert await store.acquire_permits("step-10", [], NOW, limit) == [
        "maestoso.step_concurrency/wf"
    ]


async def test_notifications_reach_the_other_handles(store: Store, stores: Stores) -> None:
    received: list[str] = []
    listening = store.listen(received.append)
    if stores.kind != "postgres":
        assert listening is None and not store.shared
        return
    assert listening is not None and store.shared
    try:
        other = await stores.open()
        for _ in range(200):  # the listener says EVERYTHING once it listens
            if received:
                break
            await asyncio.sleep(0.01)
        assert received == [Topic.EVERYTHING]
        await other.notify(f"{Topic.SIGNAL}:go")
        await other.save_version(new_version("wf-n"))
        await created(other, "u1", workflow_id="wf-n", status="CREATED")  # no events: silent
        await other.enqueue([JobEvent(type="START_WORKFLOW", payload={})])
        for _ in range(200):
            if len(received) >= 3:
                break
            await asyncio.sleep(0.01)
        assert received == [Topic.EVERYTHING, "signal:go", Topic.QUEUE]
    finally:
        await listening.close()


@pytest.mark.postgres
async def test_a_listener_reconnects_after_losing_its_connection(
    store: Store, stores: Stores
) -> None:
    if stores.kind != "postgres":
        pytest.skip("notifications are PostgreSQL's")
    received: list[str] = []
    listening = store.listen(received.append)
    assert listening is not None
    try:
        for _ in range(200):
            if received:
                break
            await asyncio.sleep(0.01)
        other = await stores.open()
        assert isinstance(other, SqlStore)
        async with other.engine.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
                )
            )
        for _ in range(500):
            if received.count(Topic.EVERYTHING) >= 2:
                break
            await asyncio.sleep(0.01)
        assert received.count(Topic.EVERYTHING) == 2
        await other.notify("controls")
        for _ in range(200):
            if received[-1] == "controls":
                break
            await asyncio.sleep(0.01)
        assert received[-1] == "controls"
    finally:
        await listening.close()
