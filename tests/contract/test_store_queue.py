"""The durable job-event queue in the SQL store, on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from tests.contract.support import Stores

from maestoso.clock import FakeClock
from maestoso.store import Store
from maestoso.store.records import JobEvent, QueuedEvent

NOW = 1_700_000_000_000
LEASE = 30_000


def event(n: int, *, queue_id: int = 1, available_at: int = 0) -> JobEvent:
    return JobEvent(
        type="RUN_STEP",
        payload={"n": n, "workflow_id": "wf-a"},
        queue_id=queue_id,
        available_at=available_at,
    )


async def claim(
    store: Store,
    now: int = NOW,
    *,
    limit: int = 100,
    owner: str = "node-1",
    queue_ids: list[int] | None = None,
) -> list[QueuedEvent]:
    return await store.claim_events(
        owner=owner, now=now, lease_ms=LEASE, limit=limit, queue_ids=queue_ids
    )


def numbers(events: list[QueuedEvent]) -> list[int]:
    return [e.payload["n"] for e in events]


async def test_claimed_events_are_leased_oldest_first(stores: Stores) -> None:
    store = await stores.open(clock=FakeClock(NOW - 5))
    try:
        await store.enqueue([event(1), event(2)])
        await store.enqueue([event(3)])

        claimed = await claim(store, limit=2)

        assert numbers(claimed) == [1, 2]
        assert claimed[0].payload == {"n": 1, "workflow_id": "wf-a"}
        assert [(e.type, e.queue_id, e.attempts) for e in claimed] == [("RUN_STEP", 1, 0)] * 2
        assert {e.owned_until for e in claimed} == {NOW + LEASE}
        assert {e.create_time for e in claimed} == {NOW - 5}
        assert claimed[0].msg_id < claimed[1].msg_id
        assert numbers(await claim(store)) == [3]
        assert await claim(store) == []
    finally:
        await store.close()


async def test_nothing_to_enqueue_or_claim(store: Store) -> None:
    await store.enqueue([])

    assert await claim(store) == []
    assert await store.next_available_time() is None
    await store.enqueue([event(1)])
    assert await claim(store, limit=0) == []
    assert await claim(store, queue_ids=[]) == []
    with pytest.raises(ValueError):
        await claim(store, limit=-1)


async def test_claims_by_queue(store: Store) -> None:
    await store.enqueue([event(1, queue_id=1), event(2, queue_id=2), event(3, queue_id=3)])

    assert numbers(await claim(store, queue_ids=[2, 3])) == [2, 3]
    assert numbers(await claim(store, queue_ids=[2, 3])) == []
    assert numbers(await claim(store)) == [1]


async def test_an_event_waits_for_its_available_time(store: Store) -> None:
    await store.enqueue([event(1, available_at=NOW + 100), event(2)])

    assert numbers(await claim(store)) == [2]
    assert numbers(await claim(store, NOW + 99)) == []
    assert numbers(await claim(store, NOW + 100)) == [1]


async def test_a_lease_expires_and_the_event_is_claimed_again(store: Store) -> None:
    await store.enqueue([event(1)])
    (first,) = await claim(store)

    assert await claim(store, NOW + LEASE, owner="node-2") == []
    (again,) = await claim(store, NOW + LEASE + 1, owner="node-2")

    assert (again.msg_id, again.attempts) == (first.msg_id, 1)
    assert again.owned_until == NOW + 2 * LEASE + 1
    (third,) = await claim(store, NOW + 3 * LEASE)
    assert third.attempts == 2


async def test_a_completed_event_is_gone(store: Store) -> None:
    await store.enqueue([event(1), event(2)])
    first, _ = await claim(store)

    await store.complete_event(first.msg_id)
    await store.complete_event(first.msg_id)

    assert numbers(await claim(store, NOW + LEASE + 1)) == [2]


async def test_a_retried_event_comes_back_later(store: Store) -> None:
    await store.enqueue([event(1)])
    (first,) = await claim(store)

    await store.retry_event(first.msg_id, available_at=NOW + 2000, error="boom")

    assert await store.next_available_time() == NOW + 2000
    assert await claim(store, NOW + 1999) == []
    (again,) = await claim(store, NOW + 2000)
    assert (again.msg_id, again.attempts) == (first.msg_id, 1)
    await store.retry_event(first.msg_id, available_at=NOW + 3000, error="boom again")
    (third,) = await claim(store, NOW + 3000)
    assert third.attempts == 2


async def test_a_parked_event_is_kept_and_never_claimed(store: Store) -> None:
    await store.enqueue([event(1), event(2), event(3)])
    first, second, _ = await claim(store)
    await store.retry_event(first.msg_id, available_at=NOW, error="transient")

    await store.park_event(first.msg_id, error="poisoned: KeyError 'x'")
    await store.park_event(second.msg_id, error="bad payload")

    assert numbers(await claim(store, NOW + 10 * LEASE)) == [3]
    parked = await store.parked_events()
    assert [(e.msg_id, e.attempts, error) for e, error in parked] == [
        (first.msg_id, 1, "poisoned: KeyError 'x'"),
        (second.msg_id, 1, "bad payload"),
    ]
    assert numbers([e for e, _ in parked]) == [1, 2]
    assert len(await store.parked_events(limit=1)) == 1


async def test_the_next_available_time(store: Store) -> None:
    await store.enqueue([event(1, available_at=NOW + 500), event(2, available_at=NOW + 200)])
    assert await store.next_available_time() == NOW + 200

    await claim(store, NOW + 200)

    # The claimed event is available again when its lease has run out.
    assert await store.next_available_time() == NOW + 500
    await claim(store, NOW + 500)
    assert await store.next_available_time() == NOW + 200 + LEASE + 1


async def test_the_next_available_time_of_some_queues(store: Store) -> None:
    await store.enqueue([event(1, available_at=NOW), event(2, queue_id=7, available_at=NOW + 9)])

    assert await store.next_available_time([7]) == NOW + 9
    assert await store.next_available_time([1, 2]) == NOW
    assert await store.next_available_time([3]) is None


async def test_concurrent_claimers_never_share_an_event(store: Store, stores: Stores) -> None:
    # Two stores stand for two nodes (on SQLite, two processes sharing the file).
    other = await stores.open()
    total = 300
    try:
        await store.enqueue([event(n) for n in range(total)])
        claimed: list[list[int]] = [[], []]

        async def drain(index: int, node: Store) -> None:
            while batch := await claim(node, limit=7, owner=f"node-{index % 2}"):
                claimed[index % 2].extend(e.msg_id for e in batch)
                await asyncio.sleep(0)

        await asyncio.gather(*(drain(i, s) for i, s in enumerate([store, other] * 2)))
    finally:
        await other.close()

    everything = claimed[0] + claimed[1]
    assert len(everything) == len(set(everything)) == total


async def test_the_backlog_counts_due_events_and_parked_ones(stores: Stores) -> None:
    store = await stores.open(clock=FakeClock(NOW - 50))
    try:
        empty = await store.queue_backlog(NOW)
        assert (empty.ready, empty.oldest_create_time, empty.parked) == (0, None, 0)
        await store.enqueue([event(1), event(2), event(3, available_at=NOW + 1000)])
        poisoned, _ = await claim(store, limit=2)
        await store.park_event(poisoned.msg_id, error="poisoned")

        backlog = await store.queue_backlog(NOW)

        # Event 2 is claimed (not due while its lease runs), event 3 is not due yet.
        assert (backlog.ready, backlog.parked) == (0, 1)
        later = await store.queue_backlog(NOW + LEASE + 1000)
        assert (later.ready, later.oldest_create_time, later.parked) == (2, NOW - 50, 1)
    finally:
        await store.close()
