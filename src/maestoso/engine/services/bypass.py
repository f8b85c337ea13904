"""The ``bypass`` step action of steps waiting for signals."""

from __future__ import annotations

import json
from typing import Any

from maestoso.clock import Clock
from maestoso.engine.runtime.signal_hub import SignalHub
from maestoso.errors import InvalidStatusError, NotFoundError
from maestoso.store.coordination import Topic
from maestoso.store.port import Store
from maestoso.store.records import StepAttemptRow

BLOCKING_SECONDS = 5.0
_POLL_SECONDS = 0.05


class StepBypass:
    """The ``bypass`` step action: a step WAITING_FOR_SIGNALS goes on without them.

    The wake-up is in-process on a single node, a notification to every node in a cluster;
    like an in-process one it is not kept: a node that misses it (restarting) leaves the
    step waiting, to be bypassed again."""

    def __init__(self, store: Store, clock: Clock, signals: SignalHub) -> None:
        self._store = store
        self._clock = clock
        self._signals = signals

    async def bypass(
        self, workflow_id: str, instance_id: int, step_id: str, caller: Any, blocking: bool = True
    ) -> dict[str, Any]:
        """Let the step go on without its signals. ``blocking`` (Maestro's default) waits up
        to five seconds for the step to leave WAITING_FOR_SIGNALS, and answers with the state
        it reached; otherwise the answer shows the state it was in."""
        run = await self._store.get_instance(workflow_id, instance_id)
        if run is None:
            raise NotFoundError(f"Cannot find workflow instance [{workflow_id}][{instance_id}]")
        row = await self._store.get_step_attempt(workflow_id, instance_id, run.run_id, step_id)
        if row is None or row.status != "WAITING_FOR_SIGNALS":
            status = "NOT_CREATED" if row is None else row.status
            raise InvalidStatusError(
                f"Cannot bypass the signal dependencies of step [{workflow_id}][{instance_id}]"
                f"[{step_id}] as its status is [{status}]",
                [f"status: {status} allows no BYPASS_STEP_DEPENDENCIES"],
            )
        key = (workflow_id, instance_id, run.run_id, step_id)
        if self._store.shared:  # the step may wait on any node; this one is told too
            await self._store.notify(f"{Topic.BYPASS}:{json.dumps(key)}")
        else:
            self._signals.request_bypass(key)
        if blocking:
            row = await self._moved_on(row) or row
        return {
            "workflow_id": workflow_id,
            "workflow_instance_id": instance_id,
            "workflow_run_id": run.run_id,
            "step_id": step_id,
            "step_attempt_id": row.attempt_id,
            "step_runtime_state": row.runtime_state,
            "timeline_event": {
                "timestamp": self._clock.now_ms(),
                "type": "ACTION",
                "action": "BYPASS_STEP_DEPENDENCIES",
                "author": caller,
            },
        }

    async def _moved_on(self, before: StepAttemptRow) -> StepAttemptRow | None:
        """The step's attempt once it left ``before``'s state, within ``BLOCKING_SECONDS`` of
        the node's clock; None if it did not. A commit of the step on this node wakes the wait
        at once; a step run by another node is looked for every ``_POLL_SECONDS``."""
        key = (before.workflow_id, before.instance_id, before.run_id, before.step_id)
        deadline = self._clock.monotonic() + BLOCKING_SECONDS
        with self._signals.writes_of(key) as written:  # before the read: no commit is missed
            while True:
                written.clear()  # a commit from here on wakes the wait below
                now = await self._store.get_step_attempt(*key)
                if now is not None and (
                    now.attempt_id != before.attempt_id or now.status != before.status
                ):
                    return now
                left = deadline - self._clock.monotonic()
                if left <= 0:
                    return None
                try:
                    await self._clock.wait_for(written.wait(), min(left, _POLL_SECONDS))
                except TimeoutError:
                    pass
