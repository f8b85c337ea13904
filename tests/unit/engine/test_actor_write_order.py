"""A run's writes are committed in the order they were made, and none after one that failed,
while plain NoOp steps run ahead of the commits: a chain of them is not held up by one commit
per step, and a step that acts outside the run starts only once all before it is committed."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from tests.unit.engine.actors import CALLER, SCRIPTED, engine_on_memory, step, workflow

from maestoso.clock import Clock, working_elsewhere
from maestoso.engine.runtime.run_writes import RunWrites
from maestoso.engine.runtime.writer import StepWriter, Write
from maestoso.errors import DatabaseUnavailableError, PlatformError
from maestoso.models.steps import StepType
from maestoso.runtimes import State, StepContext, StepResult
from maestoso.store.controls import BreakpointRow
from maestoso.store.memory import MemoryStore
from maestoso.store.records import Fence, StepAttemptRow

COMMIT_SECONDS = 0.003
"""How long a commit takes (real time): longer than a NoOp step."""


class SlowStore(MemoryStore):
    """Commits that take a while, each checked: a step's row stored before the row of the
    step before it in its chain (``s0`` → ``s1`` → … → ``last``) is noted in ``out_of_order``."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.commits = 0
        self.out_of_order: list[str] = []
        self.failing: dict[str, int] = {}
        """Step ids whose next writes fail (how many), as if the database were away."""
        self.paused_unlisted: list[str] = []
        """PAUSED rows stored while their attempt was not yet listed as paused."""
        self.listed_early: list[str] = []
        """Attempts listed as paused before the step before them was stored."""

    async def save_steps(self, attempts: list[StepAttemptRow], **kwargs: Any) -> int:
        with working_elsewhere():
            await asyncio.sleep(COMMIT_SECONDS)
        for row in attempts:
            if self.failing.get(row.step_id):
                self.failing[row.step_id] -= 1
                raise DatabaseUnavailableError()
        for row in attempts:
            before = _previous(row.step_id)
            if before is None or any(a.step_id == before for a in attempts):
                continue
            stored = await self.get_step_attempt(
                row.workflow_id, row.instance_id, row.run_id, before
            )
            if stored is None:
                self.out_of_order.append(row.step_id)
        for row in attempts:
            if row.status == "PAUSED":
                listed = await self.list_breakpoints(
                    row.workflow_id, row.step_id, system_generated=True
                )
                if not any(b.instance_id == row.instance_id for b in listed):
                    self.paused_unlisted.append(row.step_id)
        self.commits += 1
        return await super().save_steps(attempts, **kwargs)

    async def save_breakpoint(self, row: BreakpointRow) -> None:
        before = _previous(row.step_id) if row.system_generated else None
        if before is not None:
            stored = await self.get_step_attempt(row.workflow_id, row.instance_id, 1, before)
            if stored is None:
                self.listed_early.append(row.step_id)
        await super().save_breakpoint(row)


def _previous(step_id: str) -> str | None:
    if step_id == "last":
        return None  # checked by the test that needs it (it follows a known step)
    number = int(step_id[1:])
    return f"s{number - 1}" if number else None


def chain(workflow_id: str, noops: int, last_kind: str = "NoOp") -> dict[str, Any]:
    """``noops`` NoOp steps one after another, then ``last`` of ``last_kind``."""
    ids = [f"s{n}" for n in range(noops)]
    following = [*ids[1:], "last"]
    steps = [step(i, "NoOp", successors={j: "true"}) for i, j in zip(ids, following, strict=True)]
    return workflow(workflow_id, *steps, step("last", last_kind))


async def test_a_chain_of_noops_runs_ahead_of_its_commits() -> None:
    async with engine_on_memory(store_class=SlowStore) as engine:
        store = cast(SlowStore, engine.store)
        row = await engine.run(chain("ahead", 30))

        assert row.status == "SUCCEEDED"
        steps = await engine.steps("ahead", 1)
        assert len(steps) == 31 and set(steps.values()) == {"SUCCEEDED"}
        assert store.out_of_order == []
        # One commit per step if each waited for its predecessor's; far fewer when they don't.
        assert store.commits < 10


async def test_a_noop_held_by_a_breakpoint_is_listed_after_the_steps_before_it() -> None:
    async with engine_on_memory(store_class=SlowStore) as engine:
        store = cast(SlowStore, engine.store)
        await engine.create(chain("held", 8))
        await engine.node.breakpoints.create({"workflow_id": "held", "step_id": "s6"}, CALLER)
        await engine.start("held")
        await engine.wait_step("held", 1, "s6", "PAUSED")

        # Listed as paused once what made it ready is stored, and before its row says PAUSED.
        assert store.listed_early == []
        assert store.paused_unlisted == []
        await engine.node.breakpoints.delete("held", "s6", CALLER, resume=True)
        assert (await engine.wait("held", 1)).status == "SUCCEEDED"


class Recording:
    """A step type that notes, when it starts, what the store holds of the run's steps."""

    default_poll_seconds = 1.0

    def __init__(self) -> None:
        self.store: MemoryStore | None = None
        self.seen: dict[str, str] = {}

    async def start(self, context: StepContext) -> StepResult:
        assert self.store is not None
        rows = await self.store.get_step_attempts("outside", 1, 1)
        self.seen = {row.step_id: row.status for row in rows}
        return StepResult(state=State.DONE)

    async def execute(self, context: StepContext) -> StepResult:
        return StepResult(state=State.DONE)

    async def terminate(self, context: StepContext) -> StepResult:
        return StepResult(state=State.STOPPED)


async def test_a_step_acting_outside_the_run_starts_once_the_steps_before_it_are_stored() -> None:
    recording = Recording()
    async with engine_on_memory(
        store_class=SlowStore, runtimes={StepType(SCRIPTED): recording}
    ) as engine:
        recording.store = engine.store
        row = await engine.run(chain("outside", 12, last_kind=SCRIPTED))

    assert row.status == "SUCCEEDED"
    assert recording.seen == {f"s{n}": "SUCCEEDED" for n in range(12)}


async def test_after_a_failed_write_no_later_write_of_the_run_is_stored() -> None:
    async with engine_on_memory(store_class=SlowStore) as engine:
        store = cast(SlowStore, engine.store)
        store.failing = {"s5": 2}  # its write and the write on its own after a shared one
        row = await engine.run(chain("failing", 15))

        # The flow resumed from what was stored and ran the steps from s5 on again.
        assert store.failing == {"s5": 0}
        assert store.out_of_order == []
        assert row.status == "SUCCEEDED"
        assert set((await engine.steps("failing", 1)).values()) == {"SUCCEEDED"}


class Gated:
    """A store whose commits wait for ``open``; it notes the step ids it commits."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.begun = asyncio.Event()
        self.committed: list[str] = []
        self.batches: list[list[str]] = []

    async def save_steps(self, attempts: list[StepAttemptRow], **kwargs: Any) -> int:
        self.begun.set()
        await self.open.wait()
        self.committed += [a.step_id for a in attempts]
        self.batches.append([a.step_id for a in attempts])
        return 0


async def test_what_an_abandoned_run_left_uncommitted_is_never_written() -> None:
    store = Gated()
    writer = StepWriter(store)  # type: ignore[arg-type]
    writes = RunWrites(writer, Fence(group_id=1, generation=1), on_failure=lambda _: None)
    writes.submit(Write(attempts=[attempt("a")]))
    await store.begun.wait()
    writes.submit(Write(attempts=[attempt("b")]))
    writes.abandon()
    store.open.set()

    with pytest.raises(PlatformError, match="flow ended"):
        await writes.committed()
    assert store.committed == ["a"]


async def test_writes_made_in_the_turns_before_a_commit_share_it() -> None:
    store = Gated()
    store.open.set()  # commits take no turn of the loop, as on SQLite
    writer = StepWriter(store)  # type: ignore[arg-type]
    first = writer.submit(Write(attempts=[attempt("a")]), None)

    async def later(step_id: str, turns: int) -> None:
        for _ in range(turns):
            await asyncio.sleep(0)
        await writer.write(Write(attempts=[attempt(step_id)]), None)

    await asyncio.gather(first, later("b", 1), later("c", 2))
    await writer.write(Write(attempts=[attempt("lone")]), None)

    assert store.batches == [["a", "b", "c"], ["lone"]]


def attempt(step_id: str) -> StepAttemptRow:
    return StepAttemptRow(
        workflow_id="wf",
        instance_id=1,
        run_id=1,
        step_id=step_id,
        attempt_id=1,
        step_uuid=step_id,
        status="SUCCEEDED",
        runtime_state={},
        document={},
        artifacts=None,
        timeline=[],
        create_time=0,
        modify_time=0,
    )
