"""What the flow and task actors tell the metrics and the traces: kept here, so that the
actors carry one line at each point they report from."""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import Any

from prometheus_client import Gauge

from maestoso import metrics, tracing
from maestoso.models import Step
from maestoso.models.statuses import StepStatus, WorkflowStatus
from maestoso.runtimes import State, StepResult
from maestoso.store.records import InstanceRow


def run_span(main: Coroutine[Any, Any, None], instance: InstanceRow) -> Coroutine[Any, Any, None]:
    """A flow actor's life, as the span of its run (when tracing is on)."""
    return tracing.traced(main, "run", _run_attributes(instance))


def attempt_span(
    attempt: Coroutine[Any, Any, StepResult], instance: InstanceRow, step: Step, attempt_id: int
) -> Coroutine[Any, Any, StepResult]:
    attributes = {
        **_run_attributes(instance),
        "maestoso.step_id": step.id,
        "maestoso.step_type": str(step.kind),
        "maestoso.attempt_id": attempt_id,
    }
    return tracing.traced(attempt, "step attempt", attributes, _failure)


def step_active(step: Step) -> Gauge:
    return metrics.STEPS_ACTIVE.labels(str(step.kind))


def run_began(instance: InstanceRow, started_ms: int) -> None:
    """A first step of ``instance`` starts its work: the run's start latency."""
    metrics.START_LATENCY.observe(max(started_ms - instance.create_time, 0) / 1000)


def attempt_ended(step: Step, status: StepStatus, runtime_state: Mapping[str, Any]) -> None:
    end = runtime_state["end_time"]
    seconds = (end - runtime_state.get("create_time", end)) / 1000
    metrics.step_attempt_ended(str(step.kind), status.value, seconds)


def run_ended(status: WorkflowStatus) -> None:
    metrics.FLOWS_FINISHED.labels(status.value).inc()


def _run_attributes(instance: InstanceRow) -> dict[str, str | int]:
    return {
        "maestoso.workflow_id": instance.workflow_id,
        "maestoso.instance_id": instance.instance_id,
        "maestoso.run_id": instance.run_id,
    }


def _failure(result: StepResult) -> str | None:
    return None if result.state is State.DONE else result.state.value
