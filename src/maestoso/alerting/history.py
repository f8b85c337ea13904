"""Past runs read from the store for the ETA model, and a running run's estimate.

A workflow's history is read at most once a minute (on the node's clock): the estimate of
every run of it, on every check and every read of a run, reuses it. A finished run never
changes, so the steps of each past run are read once.
"""

from __future__ import annotations

from maestoso.alerting.eta import Eta, History, PastRun, StepNow, estimate, learn
from maestoso.clock import Clock
from maestoso.models.statuses import StepStatus, WorkflowStatus
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow, StepAttemptRow

HISTORY_RUNS = 20
"""The most recent successful runs the model learns from."""
_SCAN = 3 * HISTORY_RUNS
CACHE_MS = 60_000
UNKNOWN_MS = 2_000
"""How long "too little history" holds: the runs that make enough may be finishing."""
READ_MS = 1_000
"""How long a reader's estimate of a run holds: a client polling a run many times a second
would otherwise read all its steps each time."""
_READS_KEPT = 10_000


class Predictions:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._cache: dict[str, tuple[int, History | None]] = {}
        """A workflow's model and until when it holds."""
        self._read: dict[tuple[str, int, int], tuple[int, Eta | None]] = {}
        """A run's estimate as last read and until when it holds."""
        self._past: dict[tuple[str, int], PastRun] = {}
        """What the model learns of a successful run, by its key."""

    async def read(self, row: InstanceRow) -> Eta | None:
        """The estimate of a run in progress for a reader of the run: made again at most once
        every ``READ_MS`` (alerting's own checks use ``eta``, always made anew)."""
        if row.start_time is None or WorkflowStatus.from_stored(row.status).is_terminal:
            return None
        key = (row.workflow_id, row.instance_id, row.run_id)
        now = self._clock.now_ms()
        cached = self._read.get(key)
        if cached is not None and now < cached[0]:
            return cached[1]
        found = await self.eta(row)
        if len(self._read) >= _READS_KEPT:
            self._read.clear()  # a cache: refilled by the next reads, whatever was in it
        self._read[key] = (now + READ_MS, found)
        return found

    async def eta(self, row: InstanceRow, steps: list[StepAttemptRow] | None = None) -> Eta | None:
        """The estimate of a run in progress; None for a finished run or without history."""
        if row.start_time is None or WorkflowStatus.from_stored(row.status).is_terminal:
            return None
        history = await self.history(row.workflow_id)
        if history is None:
            return None
        if steps is None:
            steps = await self._store.get_step_attempts(
                row.workflow_id, row.instance_id, row.run_id
            )
        now = self._clock.now_ms()
        current = {step.step_id: _now(step) for step in steps}
        return estimate(history, row.start_time, now, current)

    async def history(self, workflow_id: str) -> History | None:
        """The model of the workflow's recent successes, learned again after a minute, or
        after a few seconds while there were too few of them."""
        now = self._clock.now_ms()
        cached = self._cache.get(workflow_id)
        if cached is not None and now < cached[0]:
            return cached[1]
        learned = learn(await self._past_runs(workflow_id))
        self._cache[workflow_id] = (now + (CACHE_MS if learned else UNKNOWN_MS), learned)
        return learned

    async def _past_runs(self, workflow_id: str) -> list[PastRun]:
        workflow = await self._store.get_workflow(workflow_id)
        if workflow is None:
            return []
        high = workflow.latest_instance_id
        rows = await self._store.list_instances(workflow_id, low=max(1, high - _SCAN), high=high)
        done = [
            (row, row.start_time, row.end_time)
            for row in rows
            if row.status == WorkflowStatus.SUCCEEDED.value
        ]
        runs: list[PastRun] = []
        for row, start, end in done[:HISTORY_RUNS]:
            if start is None or end is None:
                continue
            # The uuid: a workflow deleted and made again numbers its instances anew.
            key = (row.uuid, row.run_id)
            past = self._past.get(key)
            if past is None:
                steps = await self._step_times(workflow_id, row.instance_id, row.run_id)
                past = PastRun(start, end, steps)
                if len(self._past) >= _READS_KEPT:
                    self._past.clear()
                self._past[key] = past
            runs.append(past)
        return runs

    async def _step_times(
        self, workflow_id: str, instance_id: int, run_id: int
    ) -> dict[str, tuple[int, int]]:
        attempts = await self._store.get_step_attempts(workflow_id, instance_id, run_id)
        return {
            a.step_id: (int(a.runtime_state["start_time"]), int(a.runtime_state["end_time"]))
            for a in attempts
            if a.status == StepStatus.SUCCEEDED.value
            and a.runtime_state.get("start_time")
            and a.runtime_state.get("end_time")
        }


def _now(step: StepAttemptRow) -> StepNow:
    start = step.runtime_state.get("start_time")
    end = step.runtime_state.get("end_time") if StepStatus(step.status).is_terminal else None
    return StepNow(None if start is None else int(start), None if end is None else int(end))
