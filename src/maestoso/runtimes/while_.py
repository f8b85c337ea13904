"""``while``: run the nested steps again and again while ``condition`` holds.

The condition is evaluated before each iteration over the loop params (and the workflow's
and the step's params). After an iteration succeeds, every loop param takes the value of the
same-named param of the iteration's steps (the step with the highest step_instance_id wins),
as in Maestro. A failed iteration fails the step (FATAL_ERROR, no retry); a stopped or timed
out one ends it the same way. Iteration n is instance n of the inline workflow; the
``maestro_while`` artifact keeps the values each loop param took, and the rollup of the
iterations that ended.
"""

from __future__ import annotations

from typing import Any

from maestoso.clock import SystemClock
from maestoso.models import WhileStep
from maestoso.params import ParamError, off_loop
from maestoso.runtimes.base import Iteration, State, StepContext, StepResult
from maestoso.runtimes.loops import (
    ITERATION_LIMIT,
    LOOP_INDEX,
    LOOP_PARAMS,
    add_rollup,
    empty_rollup,
    evaluated,
    inherited,
    is_terminal,
    normal_status,
    rollup_of,
    user_params,
)
from maestoso.sel import SelError, evaluate

ARTIFACT = "maestro_while"
_POLL_SECONDS = 3.0
_AT_ONCE = 0.001
"""Call again at once (a zero delay would read as "the default")."""
_STOP_POLL_SECONDS = 0.1
_STOP_ATTEMPTS = 600
_ENDING = {"FAILED": State.FATAL_ERROR, "STOPPED": State.STOPPED, "TIMED_OUT": State.TIMED_OUT}
_TYPES = {bool: "BOOLEAN", int: "LONG", float: "DOUBLE", str: "STRING"}


class WhileRuntime:
    default_poll_seconds = _POLL_SECONDS

    async def start(self, context: StepContext) -> StepResult:
        loops = (context.step_params.get(LOOP_PARAMS) or {}).get("evaluated_result") or {}
        artifact = {
            "loop_workflow_id": context.children.inline_workflow_id("while"),
            "loop_identity": f"[{context.workflow_id}][{context.instance_id}]"
            f"[{context.run_id}][{context.step_id}][{context.attempt_id}]",
            "loop_run_id": 1,
            "run_policy": "START_FRESH_NEW_RUN",
            "run_id": context.run_id,
            "first_iteration": 1,
            "last_iteration": 0,
            "rollup": empty_rollup(),
            "loop_param_values": {name: [value] for name, value in loops.items()},
            "type": "WHILE",
        }
        return StepResult(
            state=State.CONTINUE, artifacts={ARTIFACT: artifact}, next_poll_seconds=_AT_ONCE
        )

    async def execute(self, context: StepContext) -> StepResult:
        artifact = dict(context.artifacts[ARTIFACT])
        last = int(artifact["last_iteration"])
        if last >= int(artifact["first_iteration"]):
            ended = await self._track(context, artifact, last)
            if ended is not None:
                return ended
        try:
            holds = await off_loop(_condition, context, artifact)
        except (SelError, ParamError) as exc:
            return _fatal(artifact, f"While condition failed to evaluate: {exc.message}")
        if not holds:
            return StepResult(
                state=State.DONE,
                artifacts={ARTIFACT: _ordered(artifact)},
                timeline=[
                    f"while step is done at iteration [{last}] because its next condition is false"
                ],
            )
        if last + 1 > ITERATION_LIMIT:
            return _fatal(
                artifact,
                f"While loop iteration count [{last + 1}] is over the loop size limit "
                f"[{ITERATION_LIMIT}] for step [{context.step_id}]",
            )
        await _launch(context, artifact, last + 1)
        return StepResult(
            state=State.CONTINUE, artifacts={ARTIFACT: artifact}, next_poll_seconds=_AT_ONCE
        )

    async def terminate(self, context: StepContext) -> StepResult:
        artifact = context.artifacts.get(ARTIFACT)
        if not artifact:
            return StepResult(state=State.STOPPED)
        last = int(artifact.get("last_iteration") or 0)
        for _ in range(_STOP_ATTEMPTS):
            # last + 1 too: a launch interrupted by the stop is not in the artifact yet.
            left = await context.children.stop(
                artifact["loop_workflow_id"],
                max(last, 1),
                last + 1,
                "its upstream while step is terminated",
            )
            if not left:
                break
            await context.children.wait(_STOP_POLL_SECONDS)
        return StepResult(
            state=State.STOPPED,
            artifacts={ARTIFACT: _ordered(dict(artifact))},
            timeline=["Stopped all iterations because while step is terminated"],
        )

    async def _track(
        self, context: StepContext, artifact: dict[str, Any], last: int
    ) -> StepResult | None:
        """Follow the running iteration: None once it succeeded (and its values are taken)."""
        child = await context.children.get(artifact["loop_workflow_id"], last)
        status = normal_status(child.status) if child is not None else "CREATED"
        artifact["last_status"] = status
        if not is_terminal(status):
            await context.children.wait(_POLL_SECONDS)
            return StepResult(
                state=State.CONTINUE, artifacts={ARTIFACT: artifact}, next_poll_seconds=_AT_ONCE
            )
        if artifact.get("_counted") != last:  # fold each iteration's rollup once
            add_rollup(artifact["rollup"], rollup_of(child.runtime_overview if child else None))
            artifact["last_overview"] = child.runtime_overview if child else None
            artifact["_counted"] = last
        if status in _ENDING:
            state = _ENDING[status]
            artifact.pop("_counted", None)
            return StepResult(
                state=state,
                artifacts={ARTIFACT: _ordered(artifact)},
                timeline=[
                    f"While step is in [{state.value}] status because its loop instance "
                    f"[{artifact['loop_workflow_id']}][{last}][1] is in [{status}] status"
                ],
            )
        if artifact.get("_carried") != last:
            await _carry(context, artifact, last)
            artifact["_carried"] = last
        return None


def _condition(context: StepContext, artifact: dict[str, Any]) -> bool:
    variables: dict[str, Any] = {
        name: param.get("evaluated_result") for name, param in context.workflow_params.items()
    }
    variables.update({k: v for k, v in context.params.items() if k != LOOP_PARAMS})
    variables.update(_current(artifact))
    step = context.step
    assert isinstance(step, WhileStep)
    text = step.condition.strip()
    text = text if text.endswith(";") else text + ";"
    return evaluate(text, variables, clock=SystemClock()).value is True


def _current(artifact: dict[str, Any]) -> dict[str, Any]:
    return {name: values[-1] for name, values in artifact["loop_param_values"].items()}


async def _carry(context: StepContext, artifact: dict[str, Any], iteration: int) -> None:
    """Each loop param takes the value of the same-named param of the iteration's steps."""
    current = _current(artifact)
    workflow_id = artifact["loop_workflow_id"]
    for params in await context.children.step_params(workflow_id, iteration):
        for name in current:
            if name in params:
                current[name] = params[name].get("evaluated_result")
    for name, value in current.items():
        artifact["loop_param_values"][name].append(value)


async def _launch(context: StepContext, artifact: dict[str, Any], iteration: int) -> None:
    step = context.step
    assert isinstance(step, WhileStep)
    now = context.now_ms()
    run_params = {
        **inherited(context.workflow_params),
        **user_params(step, context.step_params, LOOP_PARAMS),
        LOOP_INDEX: evaluated(LOOP_INDEX, iteration - 1, "LONG", now, "WHILE"),
    }
    for name, value in _current(artifact).items():
        run_params[name] = evaluated(name, value, _type_of(value), now, "WHILE")
    run_params["condition"] = evaluated("condition", True, "BOOLEAN", now, "WHILE")
    steps = [box.to_json() for box in step.steps]
    batch = [Iteration(instance_id=iteration, run_params=run_params)]
    await context.children.start_inline("while", artifact["loop_workflow_id"], steps, batch)
    artifact["last_iteration"] = iteration
    artifact["last_status"] = "CREATED"


def _type_of(value: Any) -> str:
    return _TYPES.get(type(value), "STRING")


def _ordered(artifact: dict[str, Any]) -> dict[str, Any]:
    """Maestro's key order, without the runtime's own bookkeeping."""
    order = (
        "loop_workflow_id",
        "loop_identity",
        "loop_run_id",
        "run_policy",
        "run_id",
        "first_iteration",
        "last_iteration",
        "last_status",
        "last_overview",
        "rollup",
        "loop_param_values",
        "type",
    )
    return {key: artifact[key] for key in order if key in artifact}


def _fatal(artifact: dict[str, Any], message: str) -> StepResult:
    return StepResult(
        state=State.FATAL_ERROR, artifacts={ARTIFACT: _ordered(artifact)}, timeline=[message]
    )
