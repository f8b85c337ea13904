"""Flow-group ownership and fencing in the SQL store, on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from tests.contract.support import Stores

from maestoso.errors import FencedError
from maestoso.store import Store
from maestoso.store.records import Fence, GroupRow, StepAttemptRow

NOW = 1_700_000_000_000
LEASE = 56_000


def attempt(step_id: str) -> StepAttemptRow:
    return StepAttemptRow(
        workflow_id="wf-a",
        instance_id=1,
        run_id=1,
        step_id=step_id,
        attempt_id=1,
        step_uuid=f"uuid-{step_id}",
        status="RUNNING",
        runtime_state={"status": "RUNNING"},
        document={"step_instance_id": 1},
        artifacts=None,
        timeline=[],
        create_time=NOW,
        modify_time=NOW,
    )


async def claim(store: Store, owner: str, now: int = NOW, group_id: int = 1) -> Fence | None:
    return await store.claim_group(group_id, owner=owner, now=now, lease_ms=LEASE)


async def test_an_unowned_group_is_claimed(store: Store) -> None:
    fence = await claim(store, "node-1")

    assert fence == Fence(group_id=1, generation=1)
    assert await store.list_groups() == [
        GroupRow(
            group_id=1,
            generation=1,
            owner="node-1",
            heartbeat_time=NOW,
            owned_until=NOW + LEASE,
        )
    ]


async def test_a_group_held_by_another_is_not_claimed(store: Store) -> None:
    await claim(store, "node-1")

    assert await claim(store, "node-2", NOW + LEASE) is None
    (group,) = await store.list_groups()
    assert (group.owner, group.generation) == ("node-1", 1)


async def test_an_expired_group_is_claimed_by_another(store: Store) -> None:
    old = await claim(store, "node-1")
    assert old is not None

    new = await claim(store, "node-2", NOW + LEASE + 1)

    assert new == Fence(group_id=1, generation=2)
    assert not await store.heartbeat_group(old, now=NOW + LEASE + 2, lease_ms=LEASE)
    (group,) = await store.list_groups()
    assert (group.owner, group.owned_until) == ("node-2", NOW + 2 * LEASE + 1)


async def test_the_owner_claims_again_with_a_new_generation(store: Store) -> None:
    first = await claim(store, "node-1")

    second = await claim(store, "node-1", NOW + 10)

    assert (first, second) == (Fence(group_id=1, generation=1), Fence(group_id=1, generation=2))


async def test_heartbeats_extend_the_lease(store: Store) -> None:
    fence = await claim(store, "node-1")
    assert fence is not None

    assert await store.heartbeat_group(fence, now=NOW + 11_000, lease_ms=LEASE)

    (group,) = await store.list_groups()
    assert (group.heartbeat_time, group.owned_until) == (NOW + 11_000, NOW + 11_000 + LEASE)
    assert await claim(store, "node-2", NOW + LEASE + 1) is None
    assert not await store.heartbeat_group(Fence(group_id=9, generation=1), now=NOW, lease_ms=LEASE)


async def test_a_released_group_is_free_for_others(store: Store) -> None:
    old = await claim(store, "node-1")
    assert old is not None
    await store.release_group(old)

    assert await claim(store, "node-2", NOW + 1) == Fence(group_id=1, generation=2)
    # Releasing with a stale fence leaves the new owner in place.
    await store.release_group(old)
    (group,) = await store.list_groups()
    assert group.owner == "node-2"


async def test_groups_are_listed_by_id(store: Store) -> None:
    for group_id in (3, 0, 2):
        await claim(store, f"node-{group_id}", group_id=group_id)

    assert [g.group_id for g in await store.list_groups()] == [0, 2, 3]


async def test_concurrent_claims_have_one_winner(store: Store, stores: Stores) -> None:
    other = await stores.open()
    try:
        stores = [store, other]
        fences = await asyncio.gather(*(claim(stores[n % 2], f"node-{n}") for n in range(10)))
    finally:
        await other.close()

    assert [f for f in fences if f is not None] == [Fence(group_id=1, generation=1)]


async def test_a_fenced_write_fails_after_a_reclaim(store: Store, stores: Stores) -> None:
    old = await claim(store, "node-1")
    assert old is not None
    await store.save_steps([attempt("job1")], fence=old)

    other = await stores.open()
    try:
        new = await claim(other, "node-2", NOW + LEASE + 1)
        assert new is not None
        with pytest.raises(FencedError):
            await store.save_steps([attempt("job2")], fence=old)
        await other.save_steps([attempt("job3")], fence=new)
    finally:
        await other.close()

    attempts = await store.get_step_attempts("wf-a", 1, 1)
    assert sorted(a.step_id for a in attempts) == ["job1", "job3"]


async def test_fenced_writes_racing_a_claim(store: Store, stores: Stores) -> None:
    # Every write either committed before the claim or was refused after it.
    fence = await claim(store, "node-1")
    assert fence is not None
    other = await stores.open()
    try:

        async def write(n: int) -> bool:
            try:
                await store.save_steps([attempt(f"job{n}")], fence=fence)
            except FencedError:
                return False
            return True

        writes = [asyncio.ensure_future(write(n)) for n in range(40)]
        await asyncio.sleep(0)
        new = await claim(other, "node-2", NOW + LEASE + 1)
        results = await asyncio.gather(*writes)
        late = await write(99)
    finally:
        await other.close()

    assert new == Fence(group_id=1, generation=2)
    assert not late
    written = {a.step_id for a in await store.get_step_attempts("wf-a", 1, 1)}
    assert written == {f"job{n}" for n, ok in enumerate(results) if ok}
