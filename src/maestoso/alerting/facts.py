"""Status-change facts: the ``STATUS_CHANGED`` events the engine writes with its changes.

The engine hands each write (step attempts, run updates) to ``StatusFacts.of`` and enqueues
what it returns in the same transaction, so a fact is stored exactly when its change is.
With no notifier configured it returns nothing and costs nothing. Loop iterations (inline
instances) give no facts: their outcome reaches people through their loop step, which is
how a foreach of 10,000 failing iterations makes one message, not 10,000.
"""

from __future__ import annotations

from collections.abc import Callable

from maestoso.models.events import StatusChanged
from maestoso.models.naming import is_inline
from maestoso.models.statuses import StepStatus
from maestoso.store.records import InstanceRow, InstanceUpdate, JobEvent, StepAttemptRow

_MAX_TRACKED = 100_000
"""Attempts whose last status is remembered; past it the memory starts again (a repeated
status may then be reported twice, never one missed)."""

ERROR_CHARS = 300


class StatusFacts:
    def __init__(self, enabled: bool = True, wake: Callable[[], None] = lambda: None) -> None:
        self.enabled = enabled
        self._wake = wake
        self._last: dict[tuple[str, int, int, str, int], str] = {}

    def of(self, attempts: list[StepAttemptRow], updates: list[InstanceUpdate]) -> list[JobEvent]:
        """The facts of one write: a step attempt whose status changed, a run given a status."""
        if not self.enabled:
            return []
        facts = [fact for row in attempts if (fact := self._step_fact(row)) is not None]
        for update in updates:
            if update.status is not None and not is_inline(update.workflow_id):
                error = next((e.get("message", "") for e in reversed(update.timeline)), "")
                facts.append(
                    JobEvent.of(
                        StatusChanged(
                            workflow_id=update.workflow_id,
                            instance_id=update.instance_id,
                            run_id=update.run_id,
                            status=update.status,
                            time=update.modify_time,
                            error=str(error)[:ERROR_CHARS],
                        )
                    )
                )
        return facts

    def committed(self) -> None:
        """Facts were committed: their handler looks now rather than at its next poll."""
        self._wake()

    def run_started(self, row: InstanceRow) -> list[JobEvent]:
        """The fact of a run stored as started (or queued) by a start or a restart."""
        if not self.enabled or is_inline(row.workflow_id):
            return []
        fact = StatusChanged(
            workflow_id=row.workflow_id,
            instance_id=row.instance_id,
            run_id=row.run_id,
            status=row.status,
            time=row.start_time or row.create_time,
        )
        return [JobEvent.of(fact)]

    def _step_fact(self, row: StepAttemptRow) -> JobEvent | None:
        if is_inline(row.workflow_id):
            return None
        key = (row.workflow_id, row.instance_id, row.run_id, row.step_id, row.attempt_id)
        if self._last.get(key) == row.status:
            return None
        status = StepStatus(row.status)
        if status.is_terminal:
            self._last.pop(key, None)
        else:
            if len(self._last) >= _MAX_TRACKED:
                self._last.clear()
            self._last[key] = row.status
        error = ""
        if status.is_failed or status in (StepStatus.STOPPED, StepStatus.TIMED_OUT):
            error = next((str(e.get("message", "")) for e in reversed(row.timeline)), "")
        return JobEvent.of(
            StatusChanged(
                workflow_id=row.workflow_id,
                instance_id=row.instance_id,
                run_id=row.run_id,
                step_id=row.step_id,
                attempt_id=row.attempt_id,
                status=row.status,
                time=row.modify_time,
                error=error[:ERROR_CHARS],
            )
        )
