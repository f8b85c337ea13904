"""Starting instances and the stop and kill actions (``…/actions/…``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from maestoso.api.bodies import caller, json_body, model_body
from maestoso.api.services import engine_node, instance_service
from maestoso.dsl.requests import parse_model
from maestoso.engine.node import EngineNode
from maestoso.engine.services.instances import InstanceService
from maestoso.errors import ValidationError
from maestoso.models import UserRef
from maestoso.models.restart import StepInstanceRestartRequest, WorkflowInstanceRestartRequest
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.statuses import StepAction

router = APIRouter(prefix="/api/v3/workflows", tags=["instance actions"])

Service = Annotated[InstanceService, Depends(instance_service)]
Node = Annotated[EngineNode, Depends(engine_node)]
Caller = Annotated[UserRef, Depends(caller)]
JSON = dict[str, Any]
BATCH_LIMIT = 10


@router.post("/{workflow_id}/versions/{version}/actions/start", summary="Start an instance")
async def start(
    workflow_id: str, version: str, request: Request, service: Service, user: Caller
) -> JSON:
    body = await model_body(request, WorkflowStartRequest)
    return await service.start(workflow_id, version, body, user)


@router.post(
    "/{workflow_id}/versions/{version}/actions/start-batch",
    summary="Start up to 10 instances; body: a JSON array of start requests",
)
async def start_batch(
    workflow_id: str, version: str, request: Request, service: Service, user: Caller
) -> list[JSON]:
    data = await json_body(request)
    if not isinstance(data, list) or not 1 <= len(data) <= BATCH_LIMIT:
        raise ValidationError(
            f"the body must be a JSON array of 1 to {BATCH_LIMIT} start requests",
            ["body: expected an array of start requests"],
        )
    requests = [
        parse_model(WorkflowStartRequest, item, root=f"[{index}]")
        for index, item in enumerate(data)
    ]
    return [await service.start(workflow_id, version, item, user) for item in requests]


def _instance_action(action: str) -> Any:
    async def act(workflow_id: str, instance_id: int, service: Service, user: Caller) -> JSON:
        return await service.terminate(workflow_id, instance_id, None, action, user)

    return act


def _run_action(action: str) -> Any:
    async def act(
        workflow_id: str, instance_id: int, run_id: int, service: Service, user: Caller
    ) -> JSON:
        return await service.terminate(workflow_id, instance_id, run_id, action, user)

    return act


def _workflow_action(action: str) -> Any:
    async def act(workflow_id: str, service: Service, user: Caller) -> JSONResponse:
        event = await service.terminate_all(workflow_id, action, user)
        return JSONResponse(status_code=202, content=event)

    return act


@router.post(
    "/{workflow_id}/instances/{instance_id}/actions/restart", summary="Restart an instance"
)
async def restart(
    workflow_id: str, instance_id: int, request: Request, node: Node, user: Caller
) -> JSON:
    body = await model_body(request, WorkflowInstanceRestartRequest)
    return await node.step_actions.restart_instance(
        workflow_id,
        instance_id,
        body.restart_policy,
        user,
        run_params=body.run_params,
        request_id=body.request_id,
    )


@router.post(
    "/{workflow_id}/instances/{instance_id}/steps/{step_id}/actions/restart",
    summary="Restart a step: a new attempt in a running run, else a new run from the step",
)
async def restart_step(
    workflow_id: str,
    instance_id: int,
    step_id: str,
    request: Request,
    node: Node,
    user: Caller,
    blocking: bool = True,
) -> JSON:
    body = await model_body(request, StepInstanceRestartRequest)
    return await node.step_restarts.restart(
        workflow_id, instance_id, step_id, body, user, blocking=blocking
    )


def _step_action(action: StepAction) -> Any:
    async def act(
        workflow_id: str,
        instance_id: int,
        step_id: str,
        node: Node,
        user: Caller,
        blocking: bool = True,
    ) -> JSON:
        return await node.step_actions.act(
            workflow_id, instance_id, step_id, action, user, blocking=blocking
        )

    return act


for _step in (StepAction.STOP, StepAction.KILL, StepAction.SKIP):
    router.put(
        f"/{{workflow_id}}/instances/{{instance_id}}/steps/{{step_id}}/actions/{_step.lower()}",
        summary=f"{_step.title()} a step",
    )(_step_action(_step))


@router.put("/{workflow_id}/instances/{instance_id}/actions/unblock", summary="Unblock a run")
async def unblock(workflow_id: str, instance_id: int, service: Service, user: Caller) -> JSON:
    return await service.unblock(workflow_id, instance_id, None, user)


@router.put(
    "/{workflow_id}/instances/{instance_id}/runs/{run_id}/actions/unblock",
    summary="Unblock a run (the latest one)",
)
async def unblock_run(
    workflow_id: str, instance_id: int, run_id: int, service: Service, user: Caller
) -> JSON:
    return await service.unblock(workflow_id, instance_id, run_id, user)


@router.put("/{workflow_id}/actions/unblock", summary="Unblock every failed run")
async def unblock_all(workflow_id: str, service: Service, user: Caller) -> JSON:
    return await service.unblock_all(workflow_id, user)


for _action in ("STOP", "KILL"):
    _verb = _action.lower()
    router.put(
        f"/{{workflow_id}}/instances/{{instance_id}}/actions/{_verb}",
        summary=f"{_action.title()} the latest run of an instance",
    )(_instance_action(_action))
    router.put(
        f"/{{workflow_id}}/instances/{{instance_id}}/runs/{{run_id}}/actions/{_verb}",
        summary=f"{_action.title()} a run (the latest one)",
    )(_run_action(_action))
    router.put(
        f"/{{workflow_id}}/actions/{_verb}",
        status_code=202,
        summary=f"{_action.title()} every non-terminal instance",
    )(_workflow_action(_action))
