"""What one attempt of a step records (its status, the times of its states, its document,
artifacts and timeline) and the row that holds it; the task actor (``task``) drives it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from maestoso.engine.runtime.children import ChildrenHub
from maestoso.engine.runtime.compiled import CompiledWorkflow
from maestoso.engine.runtime.context import EngineContext
from maestoso.engine.runtime.retries import RetryTracker
from maestoso.engine.runtime.step_context import AttemptContext
from maestoso.engine.runtime.step_document import step_document
from maestoso.models import Step, TypedStep
from maestoso.models.statuses import StepStatus
from maestoso.models.timeline import log_event
from maestoso.runtimes import StepResult
from maestoso.store.records import InstanceRow, StepAttemptRow
from maestoso.store.run_records import StepRecord, results_of


@dataclass(slots=True)
class StepAttempt:
    engine: EngineContext
    instance: InstanceRow
    compiled: CompiledWorkflow
    step: Step
    predecessors: tuple[str, ...]
    children: ChildrenHub
    attempt_id: int = 1
    status: StepStatus = StepStatus.CREATED
    runtime_state: dict[str, Any] = field(default_factory=dict)
    document: StepRecord | None = None
    artifacts: dict[str, Any] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    step_uuid: str = ""
    context: AttemptContext | None = None
    retries: RetryTracker | None = None
    timeout_ms: int | None = None

    def _row(self, status: StepStatus) -> StepAttemptRow:
        self.status = status
        now = self.engine.clock.now_ms()
        state = {"status": status.value, **self.runtime_state, "modify_time": now}
        if self.document is not None:
            changes: dict[str, Any] = {}
            if self.retries is not None:
                changes["step_retry"] = self.retries.summary(self.artifacts)
            if self.timeout_ms is not None:
                changes["timeout_in_millis"] = self.timeout_ms
            if changes:
                self.note(**changes)
        return StepAttemptRow(
            workflow_id=self.instance.workflow_id,
            instance_id=self.instance.instance_id,
            run_id=self.instance.run_id,
            step_id=self.step.id,
            attempt_id=self.attempt_id,
            step_uuid=self.step_uuid,
            status=status.value,
            runtime_state=state,
            document=self.document.to_json() if self.document else {},
            artifacts=dict(self.artifacts) or None,
            timeline=list(self.timeline),
            create_time=self.runtime_state.get("create_time", now),
            modify_time=now,
        )

    def _document(self) -> StepRecord:
        tags = self.step.tags if isinstance(self.step, TypedStep) else None
        return step_document(
            self.instance,
            self.compiled,
            self.step.id,
            self.predecessors,
            [t if isinstance(t, str) else t.to_json() for t in tags or ()],
        )

    def note(self, **changes: Any) -> None:
        """Change fields of the attempt's document."""
        self.document = replace(self.document or StepRecord(), **changes)

    def _absorb(self, result: StepResult) -> None:
        self.artifacts.update(result.artifacts)
        if result.output_params:
            params = dict(self.document.params_json or {}) if self.document else {}
            params.update(result.output_params)
            self.note(params_json=params)
            if self.context is not None:
                self.context.params.update(results_of(result.output_params))
        for message in result.timeline:
            self._log(message)

    def log(self, message: str) -> None:
        """Add a message to the attempt's timeline."""
        self._log(message)

    def _log(self, message: str) -> None:
        self.timeline.append(log_event(self.engine.clock.now_ms(), message))

    @staticmethod
    def _resumable(row: StepAttemptRow) -> bool:
        return row.status == StepStatus.RUNNING.value

    def _load(self, row: StepAttemptRow) -> None:
        self.attempt_id = row.attempt_id
        self.step_uuid = row.step_uuid
        self.status = StepStatus.RUNNING
        self.runtime_state = {
            k: v for k, v in row.runtime_state.items() if k not in ("status", "modify_time")
        }
        self.document = row.record
        self.artifacts = dict(row.artifacts or {})
        self.timeline = list(row.timeline)
        self.context = self._make_context(row.record.params_json or {})

    def _make_context(self, params: Mapping[str, Mapping[str, Any]]) -> AttemptContext:
        return AttemptContext(
            self.instance,
            self.step.id,
            self.attempt_id,
            self.step_uuid,
            results_of(params),
            self.artifacts,
            self.engine,
            self.step,
            {name: dict(param) for name, param in params.items()},
            self.children,
        )
