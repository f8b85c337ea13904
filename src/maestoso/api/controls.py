"""Breakpoints (``/api/v3/workflows/steps/breakpoints``) and tag permits
(``/api/v3/tag-permits``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from maestoso.api.bodies import caller, json_body
from maestoso.api.services import engine_node
from maestoso.engine.node import EngineNode
from maestoso.errors import ValidationError
from maestoso.models import UserRef

router = APIRouter(tags=["breakpoints and tag permits"])
Node = Annotated[EngineNode, Depends(engine_node)]
Caller = Annotated[UserRef, Depends(caller)]
JSON = dict[str, Any]
BREAKPOINTS = "/api/v3/workflows/steps/breakpoints"


async def _object(request: Request) -> JSON:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise ValidationError("the request body must be a JSON object", ["body: an object"])
    return body


@router.post(BREAKPOINTS, summary="Set a breakpoint on a step (every attempt stops there)")
async def create_breakpoint(request: Request, node: Node, user: Caller) -> JSON:
    return await node.breakpoints.create(await _object(request), user)


@router.get(BREAKPOINTS, summary="The breakpoints of a workflow (or of one step)")
async def list_breakpoints(
    node: Node,
    workflow_id: Annotated[str, Query(alias="workflowId")],
    step_id: Annotated[str | None, Query(alias="stepId")] = None,
) -> list[JSON]:
    return await node.breakpoints.list_breakpoints(workflow_id, step_id)


@router.delete(BREAKPOINTS, summary="Remove a step's breakpoint, resuming its paused attempts")
async def delete_breakpoint(
    node: Node,
    user: Caller,
    workflow_id: Annotated[str, Query(alias="workflowId")],
    step_id: Annotated[str, Query(alias="stepId")],
    resume: bool = True,
) -> JSON:
    return await node.breakpoints.delete(workflow_id, step_id, user, resume=resume)


@router.get(f"{BREAKPOINTS}/paused-step-attempts", summary="Attempts paused at breakpoints")
async def paused_attempts(
    node: Node,
    workflow_id: Annotated[str, Query(alias="workflowId")],
    step_id: Annotated[str | None, Query(alias="stepId")] = None,
) -> list[JSON]:
    return await node.breakpoints.paused(workflow_id, step_id)


@router.put(
    f"{BREAKPOINTS}/{{workflow_id}}/instances/{{instance_id}}/runs/{{run_id}}/steps/{{step_id}}"
    "/attempts/{attempt_id}/actions/resume",
    summary="Resume one paused attempt",
)
async def resume_attempt(
    workflow_id: str,
    instance_id: int,
    run_id: int,
    step_id: str,
    attempt_id: int,
    node: Node,
    user: Caller,
) -> JSON:
    return await node.breakpoints.resume(
        workflow_id, instance_id, run_id, step_id, attempt_id, user
    )


@router.post("/api/v3/tag-permits", summary="Create or change a tag permit")
async def save_tag_permit(request: Request, node: Node, user: Caller) -> Response:
    await node.tag_permits.save(await _object(request), user)
    return Response(status_code=200)


@router.get("/api/v3/tag-permits/{tag}", summary="A tag permit")
async def get_tag_permit(tag: str, node: Node) -> JSON:
    return await node.tag_permits.get(tag)


@router.delete("/api/v3/tag-permits/{tag}", summary="Remove a tag permit")
async def delete_tag_permit(tag: str, node: Node) -> Response:
    await node.tag_permits.delete(tag)
    return Response(status_code=200)


@router.put("/api/v3/output-data", summary="Publish output params and artifacts of an external job")
async def put_output_data(request: Request, node: Node) -> Response:
    await node.output_data.save(await _object(request))
    return Response(status_code=200)
