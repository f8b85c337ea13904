"""Nodes on one store share the flow groups: a joining node gets its share from the others,
a leaving one hands its groups over, a dead one's groups are claimed when its lease ends, and
a run started through a node that does not own its group runs on the owner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from tests.unit.engine.actors import CALLER, step, workflow

from maestoso.clock import FakeClock
from maestoso.engine.node import EngineNode
from maestoso.engine.runtime.group_leases import RECONCILE_ROUNDS
from maestoso.engine.services.workflows import WorkflowService
from maestoso.models.definition import WorkflowCreateRequest
from maestoso.models.start import WorkflowStartRequest
from maestoso.store.memory import MemoryStore

LEASE = 4.0
HEARTBEAT = 1.0
GROUPS = 8
NAP = {"sleep_seconds": {"type": "LONG", "value": 600}}

Nodes = Callable[[str], EngineNode]


@pytest.fixture
async def clock() -> AsyncIterator[FakeClock]:
    clock = FakeClock()
    yield clock
    await clock.aclose()


@pytest.fixture
async def make_node(clock: FakeClock) -> AsyncIterator[Nodes]:
    store = MemoryStore(clock)
    made: list[EngineNode] = []

    def make(name: str) -> EngineNode:
        handle = store if not made else MemoryStore(clock, shared_with=store)
        node = EngineNode(
            handle,
            clock,
            owner=name,
            groups=GROUPS,
            lease_seconds=LEASE,
            heartbeat_seconds=HEARTBEAT,
        )
        made.append(node)
        return node

    yield make
    for node in made:
        await node.stop()


async def beats(clock: FakeClock, count: int) -> None:
    for _ in range(count):
        await clock.advance(HEARTBEAT)


async def test_a_joining_node_gets_its_share_and_a_leaving_one_hands_all_over(
    make_node: Nodes, clock: FakeClock
) -> None:
    a, b = make_node("a"), make_node("b")
    await a.start()
    assert len(a.executor.owned_groups()) == GROUPS

    await b.start()  # nothing is free yet: a hands half over at its next heartbeat
    await beats(clock, 2)

    assert len(a.executor.owned_groups()) == len(b.executor.owned_groups()) == GROUPS // 2
    assert set(a.executor.owned_groups()).isdisjoint(b.executor.owned_groups())
    await b.stop()
    await beats(clock, 1)
    assert a.executor.owned_groups() == list(range(GROUPS))


async def test_a_dead_nodes_groups_are_claimed_when_its_lease_ends(
    make_node: Nodes, clock: FakeClock
) -> None:
    a, b, c = make_node("a"), make_node("b"), make_node("c")
    for node in (a, b, c):
        await node.start()
    await beats(clock, 2)
    shares = sorted(len(n.executor.owned_groups()) for n in (a, b, c))
    assert shares == [2, 3, 3]
    dead = set(c.executor.owned_groups())
    assert c.executor._heartbeat is not None
    c.executor._heartbeat.cancel()  # c stops renewing, as a killed process would

    await beats(clock, int(LEASE / HEARTBEAT) - 1)
    survivors = set(a.executor.owned_groups()) | set(b.executor.owned_groups())
    assert survivors.isdisjoint(dead)  # not before its lease ends
    await beats(clock, 2)

    held = a.executor.owned_groups() + b.executor.owned_groups()
    assert sorted(held) == list(range(GROUPS))
    assert sorted(len(n.executor.owned_groups()) for n in (a, b)) == [4, 4]
    stale = [c.executor._fences[g] for g in dead]
    assert await c.context.store.heartbeat_groups(stale, now=clock.now_ms(), lease_ms=1) == []


async def test_a_run_started_through_another_node_runs_on_its_groups_owner(
    make_node: Nodes, clock: FakeClock
) -> None:
    a, b = make_node("a"), make_node("b")
    await a.start()
    await b.start()
    await beats(clock, 2)
    store = a.context.store
    await WorkflowService(store, clock).create(
        WorkflowCreateRequest.model_validate(workflow("far", step("only", "NoOp"))), CALLER
    )
    request = WorkflowStartRequest.model_validate({"initiator": {"type": "manual"}})
    started = []
    for _ in range(50):  # until one lands in a group of a's (which groups: random)
        answer = await b.instances.start("far", "latest", request, CALLER)
        started.append(answer["workflow_instance_id"])
        row = await store.get_instance("far", started[-1])
        if row is not None and a.executor.owns(row.group_id):
            break
    clock.auto_advance = True  # steps evaluate params on a thread: let time follow them

    for _ in range(500):
        rows = [await store.get_instance("far", instance_id) for instance_id in started]
        if all(row is not None and row.status == "SUCCEEDED" for row in rows):
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError(f"not all SUCCEEDED: {[r.status if r else None for r in rows]}")
    on_a = [r for r in rows if r is not None and a.executor.owns(r.group_id)]
    assert on_a  # some ran on the node that owns their group, not where they were started


async def test_runs_stored_under_more_groups_are_found_with_fewer(clock: FakeClock) -> None:
    store = MemoryStore(clock)
    await WorkflowService(store, clock).create(
        WorkflowCreateRequest.model_validate(workflow("long", step("nap", "Sleep", params=NAP))),
        CALLER,
    )
    before = EngineNode(store, clock, owner="before", groups=100)
    await before.start()
    request = WorkflowStartRequest.model_validate({"initiator": {"type": "manual"}})
    for _ in range(50):  # until a run lands in a group that 8 groups do not have
        answer = await before.instances.start("long", "latest", request, CALLER)
        row = await store.get_instance("long", answer["workflow_instance_id"])
        assert row is not None
        if row.group_id >= GROUPS:
            break
    assert row.group_id >= GROUPS
    await before.stop()

    after = EngineNode(store, clock, owner="after", groups=GROUPS)
    await after.start()
    try:
        assert after.executor.owns(row.group_id)
        assert len(after.executor.owned_groups()) == GROUPS + len(
            await store.groups_in_use(at_least=GROUPS)
        )
        clock.auto_advance = True
        for _ in range(500):
            done = await store.get_instance("long", row.instance_id)
            if done is not None and done.status == "SUCCEEDED":
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the run under a group beyond the count was not resumed")
    finally:
        await after.stop()


async def test_an_unfinished_run_not_running_on_its_owner_is_launched_again(
    make_node: Nodes, clock: FakeClock
) -> None:
    a = make_node("a")
    await a.start()
    store = a.context.store
    await WorkflowService(store, clock).create(
        WorkflowCreateRequest.model_validate(workflow("lost", step("nap", "Sleep", params=NAP))),
        CALLER,
    )
    request = WorkflowStartRequest.model_validate({"initiator": {"type": "manual"}})
    await a.instances.start("lost", "latest", request, CALLER)
    key = ("lost", 1, 1)
    flow = a.executor._flows[key]
    assert flow.task is not None
    flow.task.cancel()  # as if its launch had been lost
    await asyncio.gather(flow.task, return_exceptions=True)
    a.executor._flows.pop(key, None)

    await beats(clock, RECONCILE_ROUNDS - 1)
    assert key not in a.executor._flows
    await beats(clock, 2)
    assert key in a.executor._flows
