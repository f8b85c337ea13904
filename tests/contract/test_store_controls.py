"""Breakpoints, attempts paused at them, tag permits and external jobs' output data."""

from __future__ import annotations

import pytest

from maestoso.errors import ConflictError
from maestoso.store import Store
from maestoso.store.controls import BreakpointRow, TagPermitRow

T0 = 1_700_000_000_000
USER = {"name": "tester"}


def breakpoint_row(
    step_id: str,
    *,
    workflow_id: str = "wf-a",
    paused: tuple[int, int, int, int] | None = None,
    at: int = T0,
) -> BreakpointRow:
    version, instance_id, run_id, attempt = paused or (0, 0, 0, 0)
    return BreakpointRow(
        workflow_id=workflow_id,
        step_id=step_id,
        system_generated=paused is not None,
        version=version,
        instance_id=instance_id,
        run_id=run_id,
        step_attempt_id=attempt,
        created_by=USER,
        create_time=at,
    )


def permit(tag: str, max_allowed: int, at: int = T0) -> TagPermitRow:
    return TagPermitRow(
        tag=tag,
        max_allowed=max_allowed,
        extra_info=None,
        timeline=[],
        create_time=at,
        modify_time=at,
    )


async def test_breakpoints_and_paused_attempts_are_kept_apart(store: Store) -> None:
    await store.save_breakpoint(breakpoint_row("job1", at=T0 + 1))
    await store.save_breakpoint(breakpoint_row("job1", at=T0 + 5))  # the same one: kept once
    await store.save_breakpoint(breakpoint_row("job2", at=T0))
    await store.save_breakpoint(breakpoint_row("job1", paused=(1, 7, 1, 1), at=T0 + 2))
    await store.save_breakpoint(breakpoint_row("job1", paused=(1, 8, 1, 1), at=T0 + 3))
    await store.save_breakpoint(breakpoint_row("job3", workflow_id="wf-b", paused=(1, 1, 1, 1)))

    set_ones = await store.list_breakpoints("wf-a", None, system_generated=False)
    paused = await store.list_breakpoints("wf-a", "job1", system_generated=True)

    assert [(b.step_id, b.create_time) for b in set_ones] == [("job2", T0), ("job1", T0 + 1)]
    assert [b.instance_id for b in paused] == [7, 8]
    assert await store.workflows_with_breakpoints() == {"wf-a"}


async def test_deleting_breakpoints_by_step_or_by_paused_attempt(store: Store) -> None:
    await store.save_breakpoint(breakpoint_row("job1"))
    for instance_id in (7, 8):
        await store.save_breakpoint(breakpoint_row("job1", paused=(1, instance_id, 1, 1)))

    one = await store.delete_breakpoints("wf-a", "job1", system_generated=True, keys=(1, 7, 1, 1))
    rest = await store.delete_breakpoints("wf-a", "job1", system_generated=True)
    none = await store.delete_breakpoints("wf-a", "job9", system_generated=False)

    assert (one, rest, none) == (1, 1, 0)
    assert len(await store.list_breakpoints("wf-a", "job1", system_generated=False)) == 1


async def test_tag_permits_are_taken_all_or_none(store: Store) -> None:
    await store.save_tag_permit(permit("a", 1))
    await store.save_tag_permit(permit("b", 2))

    first = await store.acquire_permits("step-1", ["a", "b", "unlimited"], T0)
    again = await store.acquire_permits("step-1", ["a", "b"], T0)
    blocked = await store.acquire_permits("step-2", ["a", "b"], T0)
    only_b = await store.acquire_permits("step-3", ["b"], T0)

    assert (first, again, blocked, only_b) == ([], [], ["a"], [])
    assert (await store.count_permits("a"), await store.count_permits("b")) == (1, 2)
    assert await store.acquire_permits("step-4", ["unlimited"], T0) == []
    await store.release_permits("step-1")
    assert await store.acquire_permits("step-2", ["a", "b"], T0) == []
    assert await store.acquire_permits("step-5", ["b", "a"], T0) == ["a", "b"]
    assert (await store.count_permits("a"), await store.count_permits("b")) == (1, 2)


async def test_taking_some_of_the_permits_a_step_holds_again_conflicts(store: Store) -> None:
    await store.save_tag_permit(permit("a", 5))
    await store.acquire_permits("step-1", ["a"], T0)
    await store.save_tag_permit(permit("b", 5))

    with pytest.raises(ConflictError):
        await store.acquire_permits("step-1", ["a", "b"], T0)

    assert await store.count_permits("b") == 0


async def test_a_tag_permit_is_replaced_but_keeps_its_creation(store: Store) -> None:
    await store.save_tag_permit(permit("a", 1, at=T0))
    await store.save_tag_permit(permit("a", 3, at=T0 + 10))

    stored = await store.get_tag_permit("a")

    assert stored is not None
    assert (stored.max_allowed, stored.create_time, stored.modify_time) == (3, T0, T0 + 10)
    assert await store.delete_tag_permit("a") is True
    assert await store.delete_tag_permit("a") is False
    assert await store.get_tag_permit("a") is None


async def test_output_data_is_replaced_by_job(store: Store) -> None:
    await store.save_output_data("NOTEBOOK", "job-1", "wf-a", {"params": {"x": 1}}, T0)
    await store.save_output_data("NOTEBOOK", "job-1", None, {"params": {"x": 2}}, T0 + 1)
    await store.save_output_data("SPARK", "job-1", None, {"artifacts": {}}, T0)

    assert await store.get_output_data("NOTEBOOK", "job-1") == {"params": {"x": 2}}
    assert await store.get_output_data("SPARK", "job-1") == {"artifacts": {}}
    assert await store.get_output_data("NOTEBOOK", "job-2") is None
