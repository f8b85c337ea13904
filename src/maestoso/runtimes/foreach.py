"""``foreach``: run the nested steps once per combination of the loop params' values.

Iteration k (``loop_index`` k, instance id k+1 of the inline workflow) takes from each loop
param, in declaration order, ``values[k % len]`` and then ``k //= len``: the first param
varies fastest, as in Maestro. Iterations are launched in batches as running ones finish,
within the effective concurrency.

Memory stays bounded however many iterations there are: the ``maestro_foreach`` artifact
holds counters, not iterations. Its ``checkpoint`` is the lowest iteration that has not
ended; every iteration below it is folded into ``stats`` and ``rollup`` once, and only the
window from the checkpoint to the last launched iteration is read again.
"""

from __future__ import annotations

import math
from typing import Any

from maestoso.models import FailureMode, ForeachStep
from maestoso.runtimes.base import Iteration, State, StepContext, StepResult
from maestoso.runtimes.foreach_details import foreach_details
from maestoso.runtimes.loops import (
    ITERATION_LIMIT,
    LOOP_INDEX,
    LOOP_PARAMS,
    add_rollup,
    count,
    empty_rollup,
    evaluated,
    inherited,
    is_terminal,
    normal_status,
    scalar_type,
    user_params,
)

ARTIFACT = "maestro_foreach"
DEFAULT_CONCURRENCY = 100
LAUNCH_BATCH = 50
"""Iterations launched by one call (Maestro's ``loop-batch-limit``)."""
FOLD_PAGE = 500
_POLL_SECONDS = 3.0
_AT_ONCE = 0.001
"""Call again at once (a zero delay would read as "the default")."""
_STOP_POLL_SECONDS = 0.1
_STOP_ATTEMPTS = 600


class ForeachRuntime:
    default_poll_seconds = _POLL_SECONDS

    async def start(self, context: StepContext) -> StepResult:
        try:
            total = math.prod(len(values) for _, _, values in _loop_params(context))
        except ValueError as exc:
            return _fatal(str(exc))
        if total > ITERATION_LIMIT:
            return _fatal(
                f"Foreach iteration number [{total}] is over the loop size limit "
                f"[{ITERATION_LIMIT}] for step [{context.step_id}]"
            )
        workflow_id = context.children.inline_workflow_id("foreach")
        artifact = {
            "foreach_workflow_id": workflow_id,
            "foreach_identity": f"[{context.workflow_id}][{context.instance_id}]"
            f"[{context.run_id}][{context.step_id}][{context.attempt_id}]",
            "foreach_run_id": 1,
            "run_policy": "START_FRESH_NEW_RUN",
            "run_id": context.run_id,
            "total_loop_count": total,
            "next_loop_index": 0,
            "foreach_overview": {
                "checkpoint": 1,
                "stats": {},
                "running_stats": {},
                "rollup": empty_rollup(),
                "running_rollup": empty_rollup(),
                "details": {},
            },
            "type": "FOREACH",
        }
        return StepResult(
            state=State.CONTINUE, artifacts={ARTIFACT: artifact}, next_poll_seconds=_AT_ONCE
        )

    async def execute(self, context: StepContext) -> StepResult:
        step = context.step
        assert isinstance(step, ForeachStep)
        artifact = _copy(context.artifacts[ARTIFACT])
        running = await _refresh(context, artifact)
        total = int(artifact["total_loop_count"])
        launched = int(artifact["next_loop_index"])
        overview = artifact["foreach_overview"]
        if overview["stats"].get("FAILED") or overview["running_stats"].get("FAILED"):
            return await _on_failure(context, step, artifact, running)
        if running == 0 and launched >= total:
            return _finished(artifact)
        in_flight = _open_window(artifact) if step.strict_ordering else running
        room = min(_concurrency(context, step) - in_flight, LAUNCH_BATCH, total - launched)
        if room > 0:
            await _launch(context, step, artifact, launched, room)
            return StepResult(
                state=State.CONTINUE, artifacts={ARTIFACT: artifact}, next_poll_seconds=_AT_ONCE
            )
        await context.children.wait(_POLL_SECONDS)
        return StepResult(
            state=State.CONTINUE, artifacts={ARTIFACT: artifact}, next_poll_seconds=_AT_ONCE
        )

    async def terminate(self, context: StepContext) -> StepResult:
        raw = context.artifacts.get(ARTIFACT)
        if not raw:
            return StepResult(state=State.STOPPED)
        artifact = _copy(raw)
        await _stop_iterations(context, artifact, "its upstream foreach step is terminated")
        await _refresh(context, artifact)
        return StepResult(
            state=State.STOPPED,
            artifacts={ARTIFACT: artifact},
            timeline=["Stopped all iterations because foreach step is terminated"],
        )


# -- loop params and iterations ------------------------------------------------------------------


def _loop_params(context: StepContext) -> list[tuple[str, str, list[Any]]]:
    """``(name, element type, values)`` of each loop param, in declaration order."""
    param = context.step_params.get(LOOP_PARAMS) or {}
    definitions = param.get("value") or {}
    values = param.get("evaluated_result") or {}
    loops = []
    for name, result in values.items():
        declared = str((definitions.get(name) or {}).get("type") or "")
        element = scalar_type(declared)
        if element is None or not isinstance(result, list):
            raise ValueError(
                f"Invalid loop param with name [{name}] and type [{declared}] for foreach "
                f"step [{context.step_id}]: it must be an array"
            )
        loops.append((name, element, result))
    return loops


def _iteration_params(
    index: int, loops: list[tuple[str, str, list[Any]]], now: int
) -> dict[str, dict[str, Any]]:
    params = {LOOP_INDEX: evaluated(LOOP_INDEX, index, "LONG", now, "FOREACH")}
    rest = index
    for name, element, values in loops:
        params[name] = evaluated(name, values[rest % len(values)], element, now, "FOREACH")
        rest //= len(values)
    return params


async def _launch(
    context: StepContext, step: ForeachStep, artifact: dict[str, Any], start: int, size: int
) -> None:
    loops = _loop_params(context)
    now = context.now_ms()
    shared = {
        **inherited(context.workflow_params),
        **user_params(step, context.step_params, LOOP_PARAMS),
    }
    batch = [
        Iteration(
            instance_id=index + 1, run_params={**shared, **_iteration_params(index, loops, now)}
        )
        for index in range(start, start + size)
    ]
    steps = [_box_json(box) for box in step.steps]
    await context.children.start_inline("foreach", artifact["foreach_workflow_id"], steps, batch)
    artifact["next_loop_index"] = start + size


def _box_json(box: Any) -> dict[str, Any]:
    data: dict[str, Any] = box.to_json()
    return data


def _concurrency(context: StepContext, step: ForeachStep) -> int:
    """min(concurrency, instance_step_concurrency or 100), as in Maestro."""
    workflow_limit = context.children.instance_step_concurrency() or DEFAULT_CONCURRENCY
    return min(step.concurrency or workflow_limit, workflow_limit)


# -- the overview --------------------------------------------------------------------------------


async def _refresh(context: StepContext, artifact: dict[str, Any]) -> int:
    """Read the window of iterations from the checkpoint on, and fold the ended ones below
    the new checkpoint into ``stats`` and ``rollup`` (each exactly once: the checkpoint only
    moves up). ``running_stats`` counts the window, as in Maestro. Returns how many
    iterations are still open (for the concurrency limit)."""
    overview = artifact["foreach_overview"]
    workflow_id = artifact["foreach_workflow_id"]
    checkpoint = int(overview["checkpoint"])
    launched = int(artifact["next_loop_index"])
    window = await context.children.statuses(workflow_id, checkpoint, launched)
    open_ids = [i for i, status in window if not is_terminal(status)]
    new_checkpoint = min(open_ids) if open_ids else launched + 1
    stats = dict(overview["stats"])
    for status, n in count(normal_status(s) for i, s in window if i < new_checkpoint).items():
        stats[status] = stats.get(status, 0) + n
    rollup = _deep(overview.get("rollup") or empty_rollup())
    for low in range(checkpoint, new_checkpoint, FOLD_PAGE):
        high = min(low + FOLD_PAGE, new_checkpoint) - 1
        for child_rollup in await context.children.rollups(workflow_id, low, high):
            add_rollup(rollup, child_rollup)
    running_rollup = empty_rollup()
    for child_rollup in await context.children.rollups(workflow_id, new_checkpoint, launched):
        add_rollup(running_rollup, child_rollup)
    artifact["foreach_overview"] = {
        "checkpoint": new_checkpoint,
        "stats": stats,
        "running_stats": count(normal_status(s) for i, s in window if i >= new_checkpoint),
        "rollup": rollup,
        "running_rollup": running_rollup,
        "details": foreach_details(overview.get("details"), window),
    }
    return len(open_ids)


def _open_window(artifact: dict[str, Any]) -> int:
    """Iterations from the checkpoint to the last launched one (strict ordering keeps this
    within the concurrency, so iterations end roughly in order)."""
    launched = int(artifact["next_loop_index"])
    return max(launched - int(artifact["foreach_overview"]["checkpoint"]) + 1, 0)


def _copy(artifact: dict[str, Any]) -> dict[str, Any]:
    copied = dict(artifact)
    copied["foreach_overview"] = dict(copied.get("foreach_overview") or {})
    return copied


def _deep(rollup: dict[str, Any]) -> dict[str, Any]:
    fresh = empty_rollup()
    add_rollup(fresh, rollup)
    return fresh


# -- endings -------------------------------------------------------------------------------------


async def _on_failure(
    context: StepContext, step: ForeachStep, artifact: dict[str, Any], running: int
) -> StepResult:
    """A failed iteration: no more launches; FAIL_IMMEDIATELY also stops the running ones."""
    if step.failure_mode is FailureMode.FAIL_IMMEDIATELY and running:
        await _stop_iterations(context, artifact, "an iteration of its foreach step failed")
        running = await _refresh(context, artifact)
    if running:
        await context.children.wait(_POLL_SECONDS)
        return StepResult(
            state=State.CONTINUE,
            artifacts={ARTIFACT: artifact},
            next_poll_seconds=_AT_ONCE,
        )
    return _finished(artifact)


def _finished(artifact: dict[str, Any]) -> StepResult:
    stats = artifact["foreach_overview"]["stats"]
    if stats.get("FAILED"):
        state = State.FATAL_ERROR
    elif stats.get("TIMED_OUT"):
        state = State.TIMED_OUT
    elif stats.get("STOPPED"):
        state = State.STOPPED
    else:
        state = State.DONE
    done = sum(stats.values())
    return StepResult(
        state=state,
        artifacts={ARTIFACT: artifact},
        timeline=[f"Foreach step finished its {done} iterations: {state.value}"],
    )


async def _stop_iterations(context: StepContext, artifact: dict[str, Any], reason: str) -> None:
    workflow_id = artifact["foreach_workflow_id"]
    low = int(artifact["foreach_overview"]["checkpoint"])
    # Up to the last iteration, not the last one launched as the artifact knows it: a launch
    # interrupted by the stop may have created iterations the artifact never heard of.
    high = int(artifact["total_loop_count"])
    for _ in range(_STOP_ATTEMPTS):
        if not await context.children.stop(workflow_id, low, high, reason):
            return
        await context.children.wait(_STOP_POLL_SECONDS)


def _fatal(message: str) -> StepResult:
    return StepResult(state=State.FATAL_ERROR, timeline=[message])
