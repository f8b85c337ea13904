"""Status-change facts: the ``STATUS_CHANGED`` events the engine writes with its changes.

The engine hands each write (step attempts, run updates) to ``StatusFacts.of`` and enqueues
what it returns in the same transaction, so a fact is stored exactly when its change is.
With no notifier configured it returns nothing and costs nothing. Loop iterations (inline
instances) give no facts: their outcome reaches people through their loop step, which is
how a foreach of 10,000 failing iterations makes one message, not 10,000.
"""

from __future__ import annotations

from collections.abc import Callable

from maestoso.alerting.rules import step_alert
from maestoso.models.events import StatusChanged
from maestoso.models.naming import is_inline
from maestoso.models.statuses import StepStatus, WorkflowStatus
from maestoso.store.records import InstanceUpdate, JobEvent, StepAttemptRow

_MAX_TRACKED = 100_000
"""Attempts whose last status is remembered; past it the memory starts again (a repeated
status may then be reported twice, never one missed)."""

ERROR_CHARS = 300

RUN_STARTED = WorkflowStatus.IN_PROGRESS.value
VERSION_CREATED = "VERSION_CREATED"
"""The status of a workflow's fact when a version of it was created."""


class StatusFacts:
    def __init__(
        self,
        enabled: bool = True,
        wake: Callable[[], None] = lambda: None,
        *,
        every_change: bool = True,
    ) -> None:
        """``every_change``: for an event stream; without one, only the changes an alert can
        follow are facts (a step's final failure or pause, a run's end, a new version), so
        that alerts by email, Slack or PagerDuty cost the engine next to nothing."""
        self.enabled = enabled
        self._wake = wake
        self._every_change = every_change
        self._last: dict[tuple[str, int, int, str, int], str] = {}
        self._runs: set[tuple[str, int, int]] = set()

    def of(self, attempts: list[StepAttemptRow], updates: list[InstanceUpdate]) -> list[JobEvent]:
        """The facts of one write: a step attempt whose status changed, a run given a status."""
        if not self.enabled:
            return []
        facts: list[JobEvent] = []
        for row in attempts:
            facts += self._step_facts(row)
        for update in updates:
            if update.status is None or is_inline(update.workflow_id):
                continue
            if self._every_change or WorkflowStatus.from_stored(update.status).is_terminal:
                self._runs.discard((update.workflow_id, update.instance_id, update.run_id))
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

    def version_created(self, workflow_id: str, version_id: int, time: int) -> list[JobEvent]:
        """The fact of a new version of a workflow (``DEFINITION_CHANGE``)."""
        if not self.enabled:
            return []
        fact = StatusChanged(
            workflow_id=workflow_id, status=VERSION_CREATED, time=time, version_id=version_id
        )
        return [JobEvent.of(fact)]

    def committed(self) -> None:
        """Facts were committed: their handler looks now rather than at its next poll."""
        self._wake()

    def _step_facts(self, row: StepAttemptRow) -> list[JobEvent]:
        if is_inline(row.workflow_id):
            return []
        if not self._every_change and step_alert(row.status) is None:
            return []
        key = (row.workflow_id, row.instance_id, row.run_id, row.step_id, row.attempt_id)
        if self._last.get(key) == row.status:
            return []
        if len(self._last) >= _MAX_TRACKED:
            self._last.clear()
            self._runs.clear()
        status = StepStatus(row.status)
        if status.is_terminal:
            self._last.pop(key, None)
        else:
            self._last[key] = row.status
        facts = self._run_began(row)
        facts.append(self._step_fact(row, status))
        return facts

    def _run_began(self, row: StepAttemptRow) -> list[JobEvent]:
        """A run's start is told with the first write of its steps: the start itself is
        written by the store deciding, in one transaction, whether the run starts or waits.
        Told again after a restart of the server, it is still delivered once (see
        ``messages.stream_message``)."""
        run = (row.workflow_id, row.instance_id, row.run_id)
        if run in self._runs or not self._every_change:
            return []
        self._runs.add(run)
        fact = StatusChanged(
            workflow_id=row.workflow_id,
            instance_id=row.instance_id,
            run_id=row.run_id,
            status=RUN_STARTED,
            time=row.create_time,
        )
        return [JobEvent.of(fact)]

    def _step_fact(self, row: StepAttemptRow, status: StepStatus) -> JobEvent:
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
