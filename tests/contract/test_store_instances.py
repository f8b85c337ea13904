"""Workflow instances and step attempts in the SQL store, on real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest
from tests.contract.support import Stores, row_counts

from maestoso.errors import ConflictError, FencedError, NotFoundError, WorkflowChangedError
from maestoso.store import Store
from maestoso.store.records import (
    Fence,
    IfQueued,
    InstanceRow,
    InstanceUpdate,
    JobEvent,
    NewVersion,
    StepAttemptRow,
)

T0 = 1_700_000_000_000
WF = "wf-a"


def new_version(workflow_id: str) -> NewVersion:
    return NewVersion(
        workflow_id=workflow_id,
        version_id=1,
        metadata={},
        definition={"id": workflow_id},
        trigger_uuids=None,
        create_time=T0,
        activate=True,
        activated_by=None,
        properties_snapshot={"create_time": T0},
        properties_change=None,
    )


def instance(
    uuid: str,
    *,
    workflow_id: str = WF,
    instance_id: int = 0,
    run_id: int = 1,
    status: str = "CREATED",
    group_id: int = 0,
    document: dict[str, Any] | None = None,
) -> InstanceRow:
    return InstanceRow(
        workflow_id=workflow_id,
        instance_id=instance_id,
        run_id=run_id,
        uuid=uuid,
        version_id=1,
        status=status,
        group_id=group_id,
        initiator={"type": "MANUAL", "user": {"name": "tester"}},
        depth=0,
        document=document or {"correlation_id": f"{workflow_id}:{uuid}", "params": {}},
        runtime_overview=None,
        artifacts=None,
        timeline=[],
        execution_id=None,
        request_time=T0,
        create_time=T0 + 1,
        start_time=None,
        end_time=None,
        modify_time=T0 + 1,
    )


def attempt(
    step_id: str,
    attempt_id: int = 1,
    *,
    instance_id: int = 1,
    run_id: int = 1,
    status: str = "CREATED",
    ordinal: int = 1,
    at: int = T0,
) -> StepAttemptRow:
    return StepAttemptRow(
        workflow_id=WF,
        instance_id=instance_id,
        run_id=run_id,
        step_id=step_id,
        attempt_id=attempt_id,
        step_uuid=f"{step_id}-{instance_id}-{run_id}-{attempt_id}",
        status=status,
        runtime_state={"status": status, "create_time": at, "modify_time": at},
        document={"step_instance_id": ordinal, "definition": {"id": step_id}},
        artifacts=None,
        timeline=[],
        create_time=at,
        modify_time=at,
    )


def start_event(**payload: Any) -> JobEvent:
    return JobEvent(type="START_WORKFLOW", payload={"workflow_id": WF, **payload})


async def claim_all(store: Store) -> list[Any]:
    events = await store.claim_events(owner="test", now=T0 * 2, lease_ms=1, limit=1000)
    return [(event.type, event.payload) for event in events]


@pytest.fixture
async def workflow(store: Store) -> Store:
    """The store, holding workflow ``wf-a``."""
    await store.save_version(new_version(WF))
    return store


async def created(store: Store, *uuids: str, **fields: Any) -> list[InstanceRow]:
    rows = []
    for uuid in uuids:
        row, new = await store.create_instance(instance(uuid, **fields), [])
        assert new
        rows.append(row)
    return rows


# -- creation --------------------------------------------------------------------------------------


async def test_instance_ids_come_from_the_workflow(workflow: Store) -> None:
    rows = [
        (await workflow.create_instance(instance(f"u{n}", instance_id=99, run_id=7), []))[0]
        for n in range(3)
    ]

    assert [(r.instance_id, r.run_id) for r in rows] == [(1, 1), (2, 1), (3, 1)]
    assert [await workflow.get_instance(WF, n) for n in (1, 2, 3)] == rows
    stored = await workflow.get_workflow(WF)
    assert stored is not None and stored.latest_instance_id == 3


async def test_events_get_the_allocated_instance_id(workflow: Store) -> None:
    await created(workflow, "first")
    events = [
        JobEvent(type="A", payload={"workflow_id": WF, "workflow_instance_id": 0, "z": 1}),
        JobEvent(type="B", payload={"workflow_instance_id": 5}),
        JobEvent(type="C", payload={"other": 0}),
    ]

    row, new = await workflow.create_instance(instance("second"), events)

    assert new and row.instance_id == 2
    claimed = await claim_all(workflow)
    assert claimed == [
        ("A", {"workflow_id": WF, "workflow_instance_id": 2, "z": 1}),
        ("B", {"workflow_instance_id": 5}),
        ("C", {"other": 0}),
    ]
    assert list(claimed[0][1]) == ["workflow_id", "workflow_instance_id", "z"]


async def test_concurrent_creations_get_ids_one_to_n(workflow: Store, stores: Stores) -> None:
    other = await stores.open()
    try:
        stores = [workflow, other]
        results = await asyncio.gather(
            *(stores[n % 2].create_instance(instance(f"u{n}"), []) for n in range(24))
        )
    finally:
        await other.close()

    assert all(new for _, new in results)
    assert sorted(row.instance_id for row, _ in results) == list(range(1, 25))
    stored = await workflow.get_workflow(WF)
    assert stored is not None and stored.latest_instance_id == 24


async def test_a_known_uuid_returns_the_existing_instance(workflow: Store) -> None:
    (first,) = await created(workflow, "same")
    run2 = replace(first, run_id=2, status="IN_PROGRESS")
    await workflow.create_run(run2, [])

    row, new = await workflow.create_instance(instance("same"), [start_event()])

    assert (row, new) == (run2, False)
    stored = await workflow.get_workflow(WF)
    assert stored is not None and stored.latest_instance_id == 1
    assert await claim_all(workflow) == []
    assert (await created(workflow, "next"))[0].instance_id == 2


async def test_concurrent_creations_of_one_uuid_create_one(workflow: Store, stores: Stores) -> None:
    other = await stores.open()
    try:
        stores = [workflow, other]
        results = await asyncio.gather(
            *(stores[n % 2].create_instance(instance("same"), [start_event()]) for n in range(10))
        )
    finally:
        await other.close()

    assert sum(new for _, new in results) == 1
    assert {row.instance_id for row, _ in results} == {1}
    assert len(await claim_all(workflow)) == 1
    stored = await workflow.get_workflow(WF)
    assert stored is not None and stored.latest_instance_id == 1, "a duplicate takes no id"


async def test_a_creation_checks_the_workflow_is_as_the_caller_read_it(workflow: Store) -> None:
    read = await workflow.get_workflow(WF)
    assert read is not None
    (first,) = await created(workflow, "first")
    # The instance counter is not part of what is checked: the row read before still holds.
    row, new = await workflow.create_instance(instance("second"), [], expected=read)
    assert new and row.instance_id == 2

    await workflow.set_active_version(
        WF, version_id=0, activated_by=None, activate_time=T0 + 5, timeline=[]
    )
    with pytest.raises(WorkflowChangedError):
        await workflow.create_instance(instance("third"), [start_event()], expected=read)
    stored = await workflow.get_workflow(WF)
    assert stored is not None and stored.latest_instance_id == 2, "nothing written, no id taken"
    assert await claim_all(workflow) == []
    # A known uuid is still a duplicate, changed or not.
    again, new = await workflow.create_instance(instance("first"), [], expected=read)
    assert (again, new) == (first, False)
    row, new = await workflow.create_instance(instance("third"), [], expected=stored)
    assert new and row.instance_id == 3
    await workflow.delete_workflow(WF)
    with pytest.raises(WorkflowChangedError):  # it has no stamp any more
        await workflow.create_instance(instance("fourth"), [], expected=stored)


async def test_an_instance_of_an_unknown_workflow(store: Store) -> None:
    with pytest.raises(NotFoundError):
        await store.create_instance(instance("u", workflow_id="nope"), [start_event()])

    assert await claim_all(store) == []


async def test_runs(workflow: Store) -> None:
    (first,) = await created(workflow, "u")
    second = replace(first, run_id=2, status="IN_PROGRESS", modify_time=T0 + 9)

    assert await workflow.create_run(second, [start_event(run=2)]) == second

    assert await workflow.get_instance(WF, 1) == second
    assert await workflow.get_instance(WF, 1, 1) == first
    assert await workflow.get_instance(WF, 1, 3) is None
    assert await workflow.get_instance(WF, 2) is None
    assert await workflow.list_runs(WF, 1) == [first, second]
    assert await workflow.list_runs(WF, 2) == []
    assert await claim_all(workflow) == [("START_WORKFLOW", {"workflow_id": WF, "run": 2})]
    with pytest.raises(ConflictError):
        await workflow.create_run(second, [start_event()])
    assert await claim_all(workflow) == []


# -- reading ---------------------------------------------------------------------------------------


async def test_list_instances_gives_the_latest_runs_newest_first(workflow: Store) -> None:
    rows = await created(workflow, *(f"u{n}" for n in range(1, 6)))
    rerun = replace(rows[2], run_id=2, status="IN_PROGRESS")
    await workflow.create_run(rerun, [])

    listed = await workflow.list_instances(WF, low=2, high=4)

    assert listed == [rows[3], rerun, rows[1]]
    assert await workflow.list_instances(WF, low=6, high=9) == []
    assert await workflow.list_instances("other", low=1, high=9) == []


async def test_find_instances_by_status(workflow: Store) -> None:
    rows = await created(workflow, *(f"u{n}" for n in range(1, 6)))
    await workflow.update_instances(
        [
            InstanceUpdate(workflow_id=WF, instance_id=n, run_id=1, status=s, modify_time=T0 + 2)
            for n, s in ((2, "IN_PROGRESS"), (4, "FAILED_2"))
        ]
    )
    rerun = replace(rows[3], run_id=2, status="CREATED")
    await workflow.create_run(rerun, [])

    def ids(found: list[InstanceRow]) -> list[tuple[int, int]]:
        return [(r.instance_id, r.run_id) for r in found]

    queued = await workflow.find_instances(WF, statuses=("CREATED",), limit=10)
    assert ids(queued) == [(1, 1), (3, 1), (4, 2), (5, 1)]
    newest = await workflow.find_instances(WF, statuses=("CREATED",), limit=2, oldest_first=False)
    assert ids(newest) == [(5, 1), (4, 2)]
    either = await workflow.find_instances(WF, statuses=("IN_PROGRESS", "FAILED_2"), limit=10)
    assert ids(either) == [(2, 1), (4, 1)]
    assert await workflow.find_instances(WF, statuses=(), limit=10) == []
    assert await workflow.find_instances(WF, statuses=("CREATED",), limit=0) == []


async def test_count_instances_counts_latest_runs(workflow: Store) -> None:
    rows = await created(workflow, "a", "b", "c")
    await workflow.create_run(replace(rows[0], run_id=2, status="IN_PROGRESS"), [])

    assert await workflow.count_instances(WF) == {"CREATED": 2, "IN_PROGRESS": 1}
    assert await workflow.count_instances("other") == {}


async def test_unfinished_instances_by_group(workflow: Store) -> None:
    await workflow.save_version(new_version("wf-b"))
    rows = [
        (await workflow.create_instance(instance(f"u{n}", workflow_id=wf, group_id=g), []))[0]
        for n, (wf, g) in enumerate([(WF, 1), (WF, 2), ("wf-b", 1), (WF, 1), (WF, 3)])
    ]
    statuses = ["IN_PROGRESS", "IN_PROGRESS", "PAUSED", "SUCCEEDED", "IN_PROGRESS"]
    await workflow.update_instances(
        [
            InstanceUpdate(
                workflow_id=row.workflow_id,
                instance_id=row.instance_id,
                run_id=1,
                status=status,
                modify_time=T0 + 5,
            )
            for row, status in zip(rows, statuses, strict=True)
        ]
    )

    found = await workflow.unfinished_instances([1, 2])

    assert [(r.workflow_id, r.instance_id, r.status) for r in found] == [
        (WF, 1, "IN_PROGRESS"),
        (WF, 2, "IN_PROGRESS"),
        ("wf-b", 1, "PAUSED"),
    ]
    assert await workflow.unfinished_instances([]) == []
    assert await workflow.unfinished_instances([9]) == []


# -- updates ---------------------------------------------------------------------------------------


async def test_an_update_changes_only_what_it_sets(workflow: Store) -> None:
    (row,) = await created(workflow, "u")
    update = InstanceUpdate(
        workflow_id=WF,
        instance_id=1,
        run_id=1,
        status="IN_PROGRESS",
        execution_id="exec-1",
        start_time=T0 + 10,
        runtime_overview={"total_step_count": 2},
        modify_time=T0 + 10,
    )

    await workflow.update_instances([update])
    await workflow.update_instances(
        [
            InstanceUpdate(
                workflow_id=WF,
                instance_id=1,
                run_id=1,
                end_time=T0 + 20,
                artifacts={"a": 1},
                modify_time=T0 + 20,
            )
        ]
    )

    assert await workflow.get_instance(WF, 1) == replace(
        row,
        status="IN_PROGRESS",
        execution_id="exec-1",
        start_time=T0 + 10,
        end_time=T0 + 20,
        runtime_overview={"total_step_count": 2},
        artifacts={"a": 1},
        modify_time=T0 + 20,
    )


async def test_timelines_append_and_documents_merge(workflow: Store) -> None:
    document = {"zeta": 1, "alpha": {"b": 2, "a": 1}, "mid": "x"}
    (row,) = await created(workflow, "u", document=document)
    first = {"timestamp": T0 + 1, "type": "LOG", "message": "one"}
    second = {"type": "STATUS", "timestamp": T0 + 2, "status": "IN_PROGRESS"}

    await workflow.update_instances(
        [
            InstanceUpdate(
                workflow_id=WF,
                instance_id=1,
                run_id=1,
                timeline=[first],
                document_changes={"alpha": {"z": 0, "y": 1}, "new": True},
                modify_time=T0 + 1,
            ),
            InstanceUpdate(
                workflow_id=WF,
                instance_id=1,
                run_id=1,
                status="IN_PROGRESS",
                expected_statuses=("CREATED",),
                timeline=[second],
                modify_time=T0 + 2,
            ),
        ]
    )

    stored = await workflow.get_instance(WF, 1)
    assert stored is not None
    assert stored.timeline == [first, second]
    assert json.dumps(stored.timeline) == json.dumps([first, second])
    expected = {"zeta": 1, "alpha": {"z": 0, "y": 1}, "mid": "x", "new": True}
    assert json.dumps(stored.document) == json.dumps(expected)
    assert (stored.status, stored.modify_time) == ("IN_PROGRESS", T0 + 2)
    assert stored.uuid == row.uuid


@pytest.mark.parametrize("merge", [False, True], ids=["plain", "merge"])
async def test_updates_of_one_run_apply_in_order(workflow: Store, merge: bool) -> None:
    await created(workflow, "u")
    timeline = [{"message": "m"}] if merge else []

    def step(status: str, expected: str, at: int) -> InstanceUpdate:
        return InstanceUpdate(
            workflow_id=WF,
            instance_id=1,
            run_id=1,
            status=status,
            expected_statuses=(expected,),
            timeline=timeline,
            modify_time=at,
        )

    await workflow.update_instances(
        [step("IN_PROGRESS", "CREATED", T0 + 1), step("SUCCEEDED", "IN_PROGRESS", T0 + 2)]
    )

    stored = await workflow.get_instance(WF, 1)
    assert stored is not None and (stored.status, stored.modify_time) == ("SUCCEEDED", T0 + 2)
    assert len(stored.timeline) == (2 if merge else 0)


@pytest.mark.parametrize("merge", [False, True], ids=["plain", "merge"])
async def test_a_failed_compare_and_set_writes_nothing(workflow: Store, merge: bool) -> None:
    rows = await created(workflow, "a", "b")
    timeline = [{"message": "m"}] if merge else []
    updates = [
        InstanceUpdate(
            workflow_id=WF,
            instance_id=1,
            run_id=1,
            status="IN_PROGRESS",
            expected_statuses=("CREATED",),
            timeline=timeline,
            modify_time=T0 + 5,
        ),
        InstanceUpdate(
            workflow_id=WF,
            instance_id=2,
            run_id=1,
            status="STOPPED",
            expected_statuses=("IN_PROGRESS", "PAUSED"),
            modify_time=T0 + 5,
        ),
    ]

    with pytest.raises(ConflictError, match=r"\[wf-a\]\[2\]\[1\] is CREATED"):
        await workflow.update_instances(updates, events=[start_event()])
    with pytest.raises(ConflictError):
        await workflow.save_steps([attempt("job1")], instance_updates=updates)

    assert [await workflow.get_instance(WF, n) for n in (1, 2)] == rows
    assert await workflow.get_step_attempts(WF, 1, 1) == []
    assert await claim_all(workflow) == []


async def test_an_update_of_a_missing_run(workflow: Store) -> None:
    await created(workflow, "a")
    missing = InstanceUpdate(workflow_id=WF, instance_id=1, run_id=2, status="X", modify_time=1)

    with pytest.raises(NotFoundError):
        await workflow.update_instances([missing])
    with pytest.raises(NotFoundError):
        await workflow.update_instances([replace(missing, timeline=[{"m": 1}])])


async def test_a_stale_fence_writes_nothing(workflow: Store) -> None:
    (row,) = await created(workflow, "a")
    old = await workflow.claim_group(0, owner="node-1", now=T0, lease_ms=1000)
    assert old is not None
    assert await workflow.claim_group(0, owner="node-1", now=T0 + 1, lease_ms=1000) is not None
    update = InstanceUpdate(workflow_id=WF, instance_id=1, run_id=1, status="X", modify_time=1)

    with pytest.raises(FencedError):
        await workflow.update_instances([update], events=[start_event()], fence=old)
    with pytest.raises(FencedError):
        await workflow.save_steps(
            [attempt("job1")], instance_updates=[update], events=[start_event()], fence=old
        )
    with pytest.raises(FencedError):
        await workflow.save_steps([attempt("job1")], fence=Fence(group_id=5, generation=1))
    with pytest.raises(FencedError):  # a run's end: checked with its look for queued runs
        await workflow.save_steps(
            [attempt("job1")],
            instance_updates=[update],
            fence=old,
            if_queued=[IfQueued(workflow_id=WF, event=start_event())],
        )

    assert await workflow.get_instance(WF, 1) == row
    assert await workflow.get_step_attempts(WF, 1, 1) == []
    assert await claim_all(workflow) == []


# -- step attempts ---------------------------------------------------------------------------------


async def test_save_steps_writes_attempts_updates_and_events(workflow: Store) -> None:
    await created(workflow, "a")
    fence = await workflow.claim_group(0, owner="node-1", now=T0, lease_ms=1000)
    update = InstanceUpdate(
        workflow_id=WF,
        instance_id=1,
        run_id=1,
        status="IN_PROGRESS",
        expected_statuses=("CREATED",),
        modify_time=T0 + 3,
    )

    await workflow.save_steps(
        [attempt("job1", ordinal=1), attempt("job2", ordinal=2)],
        instance_updates=[update],
        events=[JobEvent(type="RUN_STEP", payload={"step_id": "job1"})],
        fence=fence,
    )

    assert [a.step_id for a in await workflow.get_step_attempts(WF, 1, 1)] == ["job1", "job2"]
    stored = await workflow.get_instance(WF, 1)
    assert stored is not None and stored.status == "IN_PROGRESS"
    assert await claim_all(workflow) == [("RUN_STEP", {"step_id": "job1"})]


async def test_save_steps_replaces_an_attempt(workflow: Store) -> None:
    await created(workflow, "a")
    first = attempt("job1", status="CREATED")
    await workflow.save_steps([first])
    running = replace(
        first,
        status="RUNNING",
        runtime_state={"status": "RUNNING", "start_time": T0 + 5},
        artifacts={"k": {"v": 1}},
        timeline=[{"message": "started"}],
        modify_time=T0 + 5,
    )

    await workflow.save_steps([running])

    assert await workflow.get_step_attempt(WF, 1, 1, "job1", 1) == running
    # The same attempt twice in one call (a group commit): the last one wins.
    done = replace(running, status="SUCCEEDED", modify_time=T0 + 7)
    await workflow.save_steps([replace(running, status="FINISHING"), done])
    assert await workflow.get_step_attempt(WF, 1, 1, "job1") == done


async def test_the_latest_attempt_of_each_step(workflow: Store) -> None:
    await created(workflow, "a")
    attempts = [
        attempt("job1", 1, ordinal=2, status="USER_FAILED"),
        attempt("job1", 2, ordinal=2, status="USER_FAILED"),
        attempt("job1", 3, ordinal=2, status="RUNNING"),
        attempt("job0", 1, ordinal=3),
        attempt("start", 1, ordinal=1, status="SUCCEEDED"),
        attempt("job1", 9, run_id=2, ordinal=2),
    ]
    await workflow.save_steps(attempts)

    latest = await workflow.get_step_attempts(WF, 1, 1)

    assert [(a.step_id, a.attempt_id) for a in latest] == [("start", 1), ("job1", 3), ("job0", 1)]
    assert await workflow.get_step_attempt(WF, 1, 1, "job1") == attempts[2]
    assert await workflow.get_step_attempt(WF, 1, 1, "job1", 1) == attempts[0]
    assert await workflow.get_step_attempt(WF, 1, 1, "job1", 4) is None
    assert await workflow.get_step_attempt(WF, 1, 3, "job1") is None
    assert await workflow.get_step_attempts(WF, 2, 1) == []


async def test_attempts_across_runs(workflow: Store) -> None:
    await created(workflow, "a")
    attempts = [
        attempt("job1", 2, run_id=2),
        attempt("job1", 1, run_id=1),
        attempt("job1", 1, run_id=2),
        attempt("job2", 1, run_id=1),
        attempt("job1", 1, run_id=1, instance_id=2),
    ]
    await workflow.save_steps(attempts)

    listed = await workflow.list_step_attempts(WF, 1, "job1")

    assert [(a.run_id, a.attempt_id) for a in listed] == [(1, 1), (2, 1), (2, 2)]
    assert await workflow.list_step_attempts(WF, 1, "nope") == []


async def test_many_attempts_and_updates_in_one_call(workflow: Store) -> None:
    await created(workflow, *(f"u{n}" for n in range(5)))
    attempts = [attempt(f"job{s}", instance_id=n, ordinal=s) for n in range(1, 6) for s in range(8)]
    updates = [
        InstanceUpdate(
            workflow_id=WF,
            instance_id=n,
            run_id=1,
            status="IN_PROGRESS",
            expected_statuses=("CREATED",),
            runtime_overview={"n": n},
            modify_time=T0 + n,
        )
        for n in range(1, 6)
    ]

    await workflow.save_steps(attempts, instance_updates=updates)

    for n in range(1, 6):
        assert len(await workflow.get_step_attempts(WF, n, 1)) == 8
        stored = await workflow.get_instance(WF, n)
        assert stored is not None and stored.runtime_overview == {"n": n}


# -- deletion and documents ------------------------------------------------------------------------


async def test_deleting_a_workflow_deletes_its_instances_and_steps(workflow: Store) -> None:
    await workflow.save_version(new_version("wf-b"))
    for workflow_id in (WF, "wf-b"):
        await workflow.create_instance(instance("u", workflow_id=workflow_id), [])
        await workflow.save_steps([replace(attempt("job1"), workflow_id=workflow_id)])
    kept = await row_counts(workflow, "wf-b")

    assert await workflow.delete_workflow(WF)

    counts = await row_counts(workflow, WF)
    assert counts["maestro_workflow_instance"] == counts["maestro_step_instance"] == 0
    assert set(counts.values()) == {0}
    assert await row_counts(workflow, "wf-b") == kept
    assert kept["maestro_workflow_instance"] == kept["maestro_step_instance"] == 1


DOCUMENT: dict[str, Any] = {
    "zeta": 1,
    "alpha": {"é": "ünïcödé ✓ 漢字 🎼", "b": [1, 2.5, -0.0, True, None, "x"], "a": {}},
    "large": 2**63 + 1,
    "10": "keys that sort differently as text and as numbers",
    "2": None,
}


async def test_documents_round_trip_exactly(workflow: Store) -> None:
    row = replace(
        instance("u"),
        initiator=DOCUMENT,
        document=DOCUMENT,
        runtime_overview=DOCUMENT,
        artifacts=DOCUMENT,
        timeline=[DOCUMENT, DOCUMENT],
    )
    await workflow.create_instance(row, [])
    step = replace(
        attempt("job1"),
        runtime_state=DOCUMENT,
        document=DOCUMENT,
        artifacts=DOCUMENT,
        timeline=[DOCUMENT],
    )
    await workflow.save_steps([step])

    stored = await workflow.get_instance(WF, 1)
    stored_step = await workflow.get_step_attempt(WF, 1, 1, "job1")

    assert stored is not None and stored_step is not None
    exact = json.dumps
    assert exact(stored.document) == exact(stored.initiator) == exact(DOCUMENT)
    assert exact(stored.runtime_overview) == exact(stored.artifacts) == exact(DOCUMENT)
    assert exact(stored.timeline) == exact([DOCUMENT, DOCUMENT])
    assert exact(stored_step.document) == exact(stored_step.runtime_state) == exact(DOCUMENT)
    assert exact(stored_step.timeline) == exact([DOCUMENT])


async def test_appended_timeline_entries_keep_their_text_and_order(workflow: Store) -> None:
    await workflow.create_instance(replace(instance("u"), timeline=[DOCUMENT]), [])
    (empty,) = await created(workflow, "v")  # instance 2, timeline []
    later = {"zeta": "last key first", "a": [DOCUMENT], "é": 1}

    def append(instance_id: int, *entries: dict[str, Any]) -> InstanceUpdate:
        return InstanceUpdate(
            workflow_id=WF,
            instance_id=instance_id,
            run_id=1,
            timeline=list(entries),
            modify_time=T0 + 9,
        )

    await workflow.update_instances([append(1, later), append(2, later, DOCUMENT)])
    await workflow.save_steps([attempt("job1")], instance_updates=[append(1, DOCUMENT, later)])

    first, second = await workflow.get_instance(WF, 1), await workflow.get_instance(WF, 2)
    assert first is not None and second is not None and empty.timeline == []
    exact = json.dumps
    assert exact(first.timeline) == exact([DOCUMENT, later, DOCUMENT, later])
    assert exact(second.timeline) == exact([later, DOCUMENT])
    assert first.modify_time == second.modify_time == T0 + 9
