"""``subworkflow``: run an instance of another workflow, and (``sync``, the default) take its
outcome as the step's.

The child starts through its workflow's run strategy, with the parent's workflow params
(unless ``explicit_params``) and the step's own params as run params. Its identity is the
``maestro_subworkflow`` artifact, so a step resumed after a crash follows the same child;
starting is idempotent too (the request id is derived from the attempt).
"""

from __future__ import annotations

from typing import Any

from maestoso.errors import PlatformError
from maestoso.models import SubworkflowStep
from maestoso.runtimes.base import ChildRun, State, StepContext, StepResult
from maestoso.runtimes.loops import as_definition, inherited, normal_status, user_params

ARTIFACT = "maestro_subworkflow"
_ID = "subworkflow_id"
_VERSION = "subworkflow_version"
_STATE_OF = {
    "CREATED": State.CONTINUE,
    "IN_PROGRESS": State.CONTINUE,
    "PAUSED": State.CONTINUE,
    "SUCCEEDED": State.DONE,
    "FAILED": State.FATAL_ERROR,  # no retry for a subworkflow, as in Maestro
    "STOPPED": State.STOPPED,
    "TIMED_OUT": State.TIMED_OUT,
}
_POLL_SECONDS = 3.0
_AT_ONCE = 0.001
"""Call again at once (a zero delay would read as "the default")."""
_STOP_POLL_SECONDS = 0.1
_STOP_ATTEMPTS = 600


class SubworkflowRuntime:
    default_poll_seconds = _POLL_SECONDS

    async def start(self, context: StepContext) -> StepResult:
        step = context.step
        assert isinstance(step, SubworkflowStep)
        params = context.params
        run_params = {
            **({} if step.explicit_params else inherited(context.workflow_params)),
            **user_params(step, context.step_params, _ID, _VERSION),
        }
        try:
            child = await context.children.start_workflow(
                str(params[_ID]),
                str(params.get(_VERSION) or "active"),
                {name: as_definition(param) for name, param in run_params.items()},
                sync=step.sync is not False,
            )
        except PlatformError:  # the database did not answer: the flow starts the step again
            raise
        except Exception as exc:  # a missing workflow or version, a bad param: the step fails
            return StepResult(
                state=State.FATAL_ERROR,
                timeline=[f"Failed to start subworkflow step runtime with an error: {exc}"],
            )
        return StepResult(
            state=State.CONTINUE,
            artifacts={ARTIFACT: _artifact(child)},
            timeline=[f"Started a subworkflow with uuid: {child.uuid}"],
            next_poll_seconds=_AT_ONCE,
        )

    async def execute(self, context: StepContext) -> StepResult:
        step = context.step
        assert isinstance(step, SubworkflowStep)
        if step.sync is False:
            return StepResult(state=State.DONE)
        artifact = dict(context.artifacts[ARTIFACT])
        child = await _child(context, artifact)
        if child is None:
            return StepResult(
                state=State.FATAL_ERROR,
                timeline=[f"Cannot find the subworkflow instance {_identity(artifact)}"],
            )
        status = normal_status(child.status)
        state = _STATE_OF.get(status, State.FATAL_ERROR)
        artifact = _with_overview(artifact, child.runtime_overview)
        if state is State.CONTINUE:
            await context.children.wait(_POLL_SECONDS)
            return StepResult(
                state=state, artifacts={ARTIFACT: artifact}, next_poll_seconds=_AT_ONCE
            )
        return StepResult(
            state=state,
            artifacts={ARTIFACT: artifact},
            timeline=[
                f"Step is in {state.value} status because its subworkflow instance "
                f"is in {status} status"
            ],
        )

    async def terminate(self, context: StepContext) -> StepResult:
        artifact = context.artifacts.get(ARTIFACT)
        if not artifact:
            return StepResult(state=State.STOPPED)
        artifact = dict(artifact)
        for _ in range(_STOP_ATTEMPTS):
            left = await context.children.stop(
                artifact[_ID],
                artifact["subworkflow_instance_id"],
                artifact["subworkflow_instance_id"],
                "its upstream subworkflow step is terminated",
            )
            if not left:
                break
            await context.children.wait(_STOP_POLL_SECONDS)
        child = await _child(context, artifact)
        if child is not None:
            artifact = _with_overview(artifact, child.runtime_overview)
        return StepResult(
            state=State.STOPPED,
            artifacts={ARTIFACT: artifact},
            timeline=[f"Terminated the running subworkflow instance: {_identity(artifact)}"],
        )


def _artifact(child: ChildRun) -> dict[str, Any]:
    return {
        "subworkflow_id": child.workflow_id,
        "subworkflow_version_id": child.version_id,
        "subworkflow_instance_id": child.instance_id,
        "subworkflow_run_id": child.run_id,
        "subworkflow_uuid": child.uuid,
        "type": "SUBWORKFLOW",
    }


def _with_overview(artifact: dict[str, Any], overview: dict[str, Any] | None) -> dict[str, Any]:
    # Maestro's key order: the overview comes before the type.
    fields = {k: v for k, v in artifact.items() if k not in ("subworkflow_overview", "type")}
    if overview is not None:
        fields["subworkflow_overview"] = overview
    return {**fields, "type": "SUBWORKFLOW"}


async def _child(context: StepContext, artifact: dict[str, Any]) -> ChildRun | None:
    return await context.children.get(
        artifact[_ID], artifact["subworkflow_instance_id"], artifact["subworkflow_run_id"]
    )


def _identity(artifact: dict[str, Any]) -> str:
    return (
        f"[{artifact[_ID]}][{artifact['subworkflow_instance_id']}]"
        f"[{artifact['subworkflow_run_id']}]"
    )
