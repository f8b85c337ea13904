"""Inline child instances (foreach and while iterations) and the windows their parents read;
and values handed out by the store, which callers may mutate without changing stored rows."""

from __future__ import annotations

from dataclasses import replace

from tests.contract.test_store_instances import T0, WF, attempt, created, instance, new_version

from maestoso.store import Store
from maestoso.store.records import InstanceUpdate

LOOP = "inline-loop"


def iterations(*ids: int, run_id: int = 1, status: str = "CREATED") -> list:  # type: ignore[type-arg]
    return [
        instance(f"it-{i}-{run_id}", workflow_id=LOOP, instance_id=i, run_id=run_id, status=status)
        for i in ids
    ]


async def finish(store: Store, instance_id: int, status: str, overview: dict | None) -> None:  # type: ignore[type-arg]
    update = InstanceUpdate(
        workflow_id=LOOP,
        instance_id=instance_id,
        run_id=1,
        status=status,
        runtime_overview=overview,
        modify_time=T0 + 9,
    )
    await store.update_instances([update])


async def test_inline_instances_are_inserted_once_with_the_ids_given(store: Store) -> None:
    first = await store.create_inline_instances(iterations(1, 2, 3))
    again = await store.create_inline_instances(iterations(2, 3, 4))

    assert [row.instance_id for row in first] == [1, 2, 3]
    assert [row.instance_id for row in again] == [4]
    assert await store.create_inline_instances([]) == []
    assert [i for i, _ in await store.child_statuses(LOOP, 1, 10)] == [1, 2, 3, 4]
    assert await store.get_workflow(LOOP) is None  # an inline workflow has no workflow row


async def test_parents_read_windows_of_their_children(store: Store) -> None:
    await store.create_inline_instances(iterations(*range(1, 8)))
    await finish(store, 2, "SUCCEEDED", {"total_step_count": 2})
    await finish(store, 3, "FAILED", {})
    await finish(store, 5, "IN_PROGRESS", None)
    await store.create_inline_instances(iterations(3, run_id=2, status="IN_PROGRESS"))

    statuses = await store.child_statuses(LOOP, 2, 5)
    overviews = await store.child_overviews(LOOP, 1, 7)
    unfinished = await store.unfinished_children(LOOP, 3, 6)

    assert statuses == [(2, "SUCCEEDED"), (3, "FAILED"), (4, "CREATED"), (5, "IN_PROGRESS")]
    assert await store.child_statuses(LOOP, 3, 3, run_id=2) == [(3, "IN_PROGRESS")]
    assert overviews == [{"total_step_count": 2}]  # empty and missing overviews are left out
    assert unfinished == [
        (3, 2, "IN_PROGRESS"),
        (4, 1, "CREATED"),
        (5, 1, "IN_PROGRESS"),
        (6, 1, "CREATED"),
    ]
    assert await store.child_statuses(LOOP, 100, 200) == []


async def test_returned_values_are_copies(store: Store) -> None:
    await store.save_version(new_version(WF))
    (row,) = await created(store, "u1", document={"params": {"a": 1}})
    row.document["params"]["a"] = 2
    await store.save_steps([attempt("job1")])
    (step,) = await store.get_step_attempts(WF, 1, 1)
    step.runtime_state["status"] = "MUTATED"
    workflow = await store.get_workflow(WF)
    assert workflow is not None
    workflow.properties_snapshot["create_time"] = -1

    stored = await store.get_instance(WF, 1)
    stored_step = await store.get_step_attempt(WF, 1, 1, "job1")
    stored_workflow = await store.get_workflow(WF)

    assert stored is not None and stored.document["params"] == {"a": 1}
    assert stored_step is not None and stored_step.runtime_state["status"] != "MUTATED"
    assert stored_workflow is not None and stored_workflow.properties_snapshot["create_time"] == T0


async def test_values_written_are_copied_in(store: Store) -> None:
    await store.save_version(new_version(WF))
    given = instance("u1", document={"params": {"a": 1}})
    await store.create_instance(given, [])
    given.document["params"]["a"] = 2
    step = attempt("job1")
    await store.save_steps([step])
    step.document["mutated"] = True

    stored = await store.get_instance(WF, 1)
    stored_step = await store.get_step_attempt(WF, 1, 1, "job1")

    assert stored is not None and stored.document["params"] == {"a": 1}
    assert stored_step is not None and "mutated" not in stored_step.document
    assert replace(stored, document=given.document) != stored
