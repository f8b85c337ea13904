"""Backfill: start the runs a workflow's time triggers would have started over a past range.

Each run is the same start the scheduler would have enqueued for that time (same initiator,
``RUN_TS`` and request id), so a time that already fired is not started twice: its start is a
duplicate of the existing instance. A dry run lists the runs without starting them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from maestoso.clock import Clock
from maestoso.errors import NotFoundError, ValidationError
from maestoso.store.coordination import QueueStore
from maestoso.store.port import DefinitionStore
from maestoso.triggers.starts import time_start
from maestoso.triggers.time import Schedule

MAX_RUNS = 1000


class BackfillStore(DefinitionStore, QueueStore, Protocol):
    """What backfilling needs of the store."""


class BackfillService:
    def __init__(
        self, store: BackfillStore, clock: Clock, wake: Callable[[], None] = lambda: None
    ) -> None:
        self._store = store
        self._clock = clock
        self._wake = wake

    async def backfill(self, workflow_id: str, body: Any) -> dict[str, Any]:
        """``{"start_time", "end_time"}`` (epoch ms, both included), ``dry_run``; the runs."""
        start, end, dry_run = _range(body)
        workflow = await self._store.get_workflow(workflow_id)
        if workflow is None:
            raise NotFoundError(f"Cannot find workflow [{workflow_id}]")
        version = None
        if workflow.active_version_id:
            version = await self._store.get_version(workflow_id, workflow.active_version_id)
        uuid = ((version.trigger_uuids if version else None) or {}).get("time_trigger_uuid")
        if version is None or not uuid:
            raise ValidationError(
                f"Workflow [{workflow_id}] has no active version with time triggers to backfill",
                ["workflow: no active time triggers"],
            )
        now = self._clock.now_ms()
        planned = []
        for index, trigger in enumerate(version.definition.get("time_triggers") or []):
            schedule = Schedule(trigger, workflow_id, anchor=start)
            planned += [(t, index, schedule) for t in _fire_times(schedule, start, end)]
        if len(planned) > MAX_RUNS:
            raise ValidationError(
                f"the range holds {len(planned)} runs, more than {MAX_RUNS}: split it",
                [f"end_time: at most {MAX_RUNS} runs per backfill"],
            )
        planned.sort(key=lambda item: (item[0], item[1]))
        events = [time_start(schedule, uuid, time, now) for time, _, schedule in planned]
        if not dry_run and events:
            await self._store.enqueue(events)
            self._wake()
        runs = [
            {
                "trigger_index": index,
                "trigger_time": time,
                "request_id": event.payload["request"]["request_id"],
            }
            for (time, index, _), event in zip(planned, events, strict=True)
        ]
        return {"workflow_id": workflow_id, "dry_run": dry_run, "runs": runs}


def _fire_times(schedule: Schedule, start: int, end: int) -> list[int]:
    times: list[int] = []
    scheduled = schedule.next_after(start - schedule.jitter_ms() - 1)
    while scheduled is not None and len(times) <= MAX_RUNS:
        fire = schedule.fire_time(scheduled)
        if fire > end:
            break
        if fire >= start:
            times.append(fire)
        scheduled = schedule.next_after(scheduled)
    return times


def _range(body: Any) -> tuple[int, int, bool]:
    if not isinstance(body, dict):
        raise ValidationError("the body must be a JSON object", ["body: expected an object"])
    start, end = body.get("start_time"), body.get("end_time")
    dry_run = body.get("dry_run", False)
    problems = [
        f"{name}: must be epoch milliseconds"
        for name, value in (("start_time", start), ("end_time", end))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0
    ]
    if not isinstance(dry_run, bool):
        problems.append("dry_run: must be a boolean")
    if not problems and start > end:  # type: ignore[operator]
        problems.append("start_time: must not be after end_time")
    if problems:
        raise ValidationError(f"Invalid backfill request: {problems[0]}", problems)
    return int(start), int(end), dry_run  # type: ignore[arg-type]
