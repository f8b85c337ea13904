"""Maestro's hidden inline endpoints: the workflow id of a foreach's iterations for a node
path, and the path from an iteration back to its non-inline root.

``GET /api/v3/workflows/instances/inline-workflow-id`` (Maestro's path; also served at
``/api/v3/instances/inline-workflow-id``) takes the node path as its JSON body, as Maestro
does, and answers the id as text.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from maestoso.api.bodies import json_body
from maestoso.api.services import engine_node
from maestoso.engine.node import EngineNode

router = APIRouter(tags=["instances"])
Node = Annotated[EngineNode, Depends(engine_node)]
JSON = dict[str, Any]
_SUMMARY = (
    "The inline workflow id of the foreach iterations running a step; body: the node path "
    "[{workflow_id, instance_id}, {instance_id} of each enclosing iteration..., {step_id}]"
)


async def _inline_workflow_id(request: Request, node: Node) -> PlainTextResponse:
    return PlainTextResponse(await node.inline.inline_workflow_id(await json_body(request)))


router.get(
    "/api/v3/workflows/instances/inline-workflow-id",
    summary=_SUMMARY,
    response_class=PlainTextResponse,
)(_inline_workflow_id)
router.get(
    "/api/v3/instances/inline-workflow-id",
    summary=f"{_SUMMARY} (at Maestoso's instances prefix)",
    response_class=PlainTextResponse,
)(_inline_workflow_id)


@router.get(
    "/api/v3/workflows/{workflow_id}/instances/{instance_id}/inline-path",
    summary="The path from a foreach iteration's non-inline root down to the iteration",
)
async def inline_path(workflow_id: str, instance_id: int, node: Node) -> list[JSON]:
    return await node.inline.inline_path(workflow_id, instance_id)
