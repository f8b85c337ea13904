"""Step attempts as Maestro's ``StepInstance`` JSON, and the "view" of a step across runs.

The view of a step is its latest attempt in the latest run that has it: a restart that does
not rerun a step leaves its result from an earlier run in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from maestoso.engine.reads.views import JsonDict, non_empty, ordered, sorted_timeline, status_event
from maestoso.models.statuses import StepStatus
from maestoso.store.records import StepAttemptRow

STEP_KEYS = (
    "workflow_id", "workflow_instance_id", "workflow_run_id", "step_id", "step_attempt_id",
    "workflow_uuid", "step_uuid", "correlation_id", "step_instance_id", "workflow_version_id",
    "group_info", "owner", "definition", "tags", "step_run_params", "restart_config", "params",
    "transition", "step_retry", "timeout_in_millis", "runtime_state", "signal_dependencies",
    "signal_outputs", "artifacts", "timeline",
)  # fmt: skip
"""``StepInstance``'s property order."""

RUNTIME_STATE_KEYS = (
    "status", "create_time", "initialize_time", "pause_time", "wait_signal_time",
    "evaluate_param_time", "wait_permit_time", "start_time", "execute_time", "finish_time",
    "end_time", "modify_time",
)  # fmt: skip
"""``StepRuntimeState``'s property order."""

_S = StepStatus
_TIME_STATUSES = (
    ("create_time", _S.CREATED), ("initialize_time", _S.INITIALIZED),
    ("pause_time", _S.PAUSED), ("wait_signal_time", _S.WAITING_FOR_SIGNALS),
    ("evaluate_param_time", _S.EVALUATING_PARAMS), ("wait_permit_time", _S.WAITING_FOR_PERMITS),
    ("start_time", _S.STARTING), ("execute_time", _S.RUNNING), ("finish_time", _S.FINISHING),
)  # fmt: skip
"""The status each lifecycle time of a runtime state marks the start of."""

_TITUS_ARTIFACT = "maestro_titus"


def runtime_state_json(row: StepAttemptRow) -> JsonDict:
    """The runtime state in Maestro's order; the status column is the authority."""
    return ordered({**row.runtime_state, "status": row.status}, RUNTIME_STATE_KEYS)


def _enriched_timeline(row: StepAttemptRow, state: JsonDict) -> list[JsonDict]:
    """The stored timeline plus what Maestro's ``Timeline.enrich`` adds for API callers: a
    STATUS event per lifecycle time, the signal infos and a Titus job's milestones."""
    events = list(row.timeline)
    for key, status in _TIME_STATUSES:
        if state.get(key) is not None:
            events.append(status_event(state[key], status.value))
    if state.get("end_time") is not None:
        events.append(status_event(state["end_time"], state["status"]))
    for signals in (row.record.signal_dependencies, row.record.signal_outputs):
        info = (signals or {}).get("info")
        if info:
            events.append(info)
    titus = (row.artifacts or {}).get(_TITUS_ARTIFACT) or {}
    events.extend(titus.get("milestones") or ())
    return sorted_timeline(events)


def step_json(row: StepAttemptRow, *, enriched: bool = False) -> JsonDict:
    """One attempt as Maestro's ``StepInstance``."""
    state = runtime_state_json(row)
    fields: dict[str, Any] = dict(row.document)
    fields.update(
        workflow_id=row.workflow_id,
        workflow_instance_id=row.instance_id,
        workflow_run_id=row.run_id,
        step_id=row.step_id,
        step_attempt_id=row.attempt_id,
        step_uuid=row.step_uuid,
        runtime_state=state,
        artifacts=non_empty(row.artifacts),
        timeline=non_empty(_enriched_timeline(row, state) if enriched else row.timeline),
    )
    return ordered(fields, STEP_KEYS)


def step_instance_id(row: StepAttemptRow) -> int:
    """The step's ordinal in its workflow (Maestro's ``step_instance_id``)."""
    value = row.record.step_instance_id
    return value if isinstance(value, int) else 0


def latest_views(attempts: Iterable[StepAttemptRow]) -> list[StepAttemptRow]:
    """The view of each step (its latest attempt of its latest run), by ``step_instance_id``."""
    latest: dict[str, StepAttemptRow] = {}
    for row in attempts:
        seen = latest.get(row.step_id)
        if seen is None or (row.run_id, row.attempt_id) > (seen.run_id, seen.attempt_id):
            latest[row.step_id] = row
    return sorted(latest.values(), key=lambda row: (step_instance_id(row), row.step_id))
