"""A run's estimate as readers get it: made again at most once a second however often the
run is read, and never for a run that has ended."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from maestoso.alerting.history import CACHE_MS, READ_MS, Predictions
from maestoso.clock import FakeClock
from maestoso.store.records import InstanceRow, StepAttemptRow, WorkflowRow

START = 1_700_000_000_000


def run(instance_id: int, status: str, start: int, end: int | None) -> InstanceRow:
    return InstanceRow(
        workflow_id="wf",
        instance_id=instance_id,
        run_id=1,
        uuid=f"u{instance_id}",
        version_id=1,
        status=status,
        group_id=0,
        initiator={"type": "MANUAL"},
        depth=0,
        document={},
        runtime_overview=None,
        artifacts=None,
        timeline=[],
        execution_id=None,
        request_time=start,
        create_time=start,
        start_time=start,
        end_time=end,
        modify_time=end or start,
    )


def attempt(instance_id: int, start: int, end: int | None) -> StepAttemptRow:
    state: dict[str, Any] = {"start_time": start}
    if end is not None:
        state["end_time"] = end
    return StepAttemptRow(
        workflow_id="wf",
        instance_id=instance_id,
        run_id=1,
        step_id="job",
        attempt_id=1,
        step_uuid=f"s{instance_id}",
        status="SUCCEEDED" if end is not None else "RUNNING",
        runtime_state=state,
        document={},
        artifacts=None,
        timeline=[],
        create_time=start,
        modify_time=end or start,
    )


class History:
    """Three past runs of a minute each, and run 4 in progress: the reads counted."""

    def __init__(self) -> None:
        self.runs = [
            run(n, "SUCCEEDED", START + n * 100_000, START + n * 100_000 + 60_000)
            for n in (1, 2, 3)
        ]
        self.step_reads = 0

    async def get_workflow(self, workflow_id: str) -> WorkflowRow:
        return WorkflowRow(
            workflow_id=workflow_id,
            internal_id=1,
            active_version_id=1,
            latest_version_id=1,
            activate_time=None,
            activated_by=None,
            properties_snapshot={},
            latest_instance_id=4,
            modify_time=START,
        )

    async def list_instances(self, workflow_id: str, *, low: int, high: int) -> list[InstanceRow]:
        return [r for r in self.runs if low <= r.instance_id <= high]

    async def get_step_attempts(
        self, workflow_id: str, instance_id: int, run_id: int
    ) -> list[StepAttemptRow]:
        self.step_reads += 1
        begun = START + instance_id * 100_000
        return [attempt(instance_id, begun, None if instance_id == 4 else begun + 60_000)]


async def test_a_run_read_many_times_a_second_is_estimated_once_a_second() -> None:
    clock = FakeClock(START + 400_000)
    store = History()
    predictions = Predictions(store, clock)  # type: ignore[arg-type]
    current = run(4, "IN_PROGRESS", START + 400_000, None)

    first = await predictions.read(current)
    reads_after_first = store.step_reads
    for _ in range(20):
        assert await predictions.read(current) == first
    assert store.step_reads == reads_after_first  # nothing read again within the second

    await clock.advance(READ_MS / 1000)
    assert await predictions.read(current) is not None
    assert store.step_reads == reads_after_first + 1  # made anew once the second is over


async def test_an_ended_run_has_no_estimate_even_just_after_one_was_read() -> None:
    clock = FakeClock(START + 400_000)
    predictions = Predictions(History(), clock)  # type: ignore[arg-type]
    current = run(4, "IN_PROGRESS", START + 400_000, None)
    assert await predictions.read(current) is not None

    ended = replace(current, status="SUCCEEDED", end_time=START + 450_000)
    assert await predictions.read(ended) is None


async def test_the_steps_of_a_past_run_are_read_once_however_often_the_model_is_learned() -> None:
    clock = FakeClock(START + 400_000)
    store = History()
    predictions = Predictions(store, clock)  # type: ignore[arg-type]
    first = await predictions.history("wf")
    assert store.step_reads == 3  # runs 1 to 3

    store.runs.append(run(4, "SUCCEEDED", START + 400_000, START + 460_000))
    await clock.advance(CACHE_MS / 1000)
    again = await predictions.history("wf")
    assert store.step_reads == 4  # only the run that finished since
    assert (first is None) == (again is None)


async def test_a_workflow_made_anew_is_learned_from_its_own_runs() -> None:
    clock = FakeClock(START + 400_000)
    store = History()
    predictions = Predictions(store, clock)  # type: ignore[arg-type]
    await predictions.history("wf")
    # Deleted and made again: the same instance ids, other runs (other uuids).
    store.runs = [replace(r, uuid=f"new-{r.instance_id}") for r in store.runs]
    await clock.advance(CACHE_MS / 1000)
    await predictions.history("wf")
    assert store.step_reads == 6
