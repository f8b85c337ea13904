"""``/api/v3/views/flatten``: Maestro's flattened foreach views (its extensions service).

Iterations of a step nested in foreach steps, paged by iteration rank (``first``/``last``
1..200, ``cursor`` as returned), filtered by the step's ``statuses`` and by ``loopParams`` (a
base64url JSON object of loop param names to values); one iteration; and a summary.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from maestoso.api.services import engine_node
from maestoso.engine.node import EngineNode
from maestoso.engine.reads.flatten import Scope

PREFIX = "/api/v3/views/flatten/workflows/{workflow_id}/instances/{instance_id}/runs/{run_id}"
router = APIRouter(prefix=PREFIX, tags=["flattened foreach views (Maestro's extensions)"])
Node = Annotated[EngineNode, Depends(engine_node)]
JSON = dict[str, Any]


@router.get("/steps/{step_id}", summary="A page of the iterations of a step inside foreach steps")
async def step_iterations(
    workflow_id: str,
    instance_id: int,
    run_id: int,
    step_id: str,
    node: Node,
    first: Annotated[int | None, Query()] = None,
    last: Annotated[int | None, Query()] = None,
    cursor: Annotated[str | None, Query()] = None,
    statuses: Annotated[list[str] | None, Query()] = None,
    loop_params: Annotated[str | None, Query(alias="loopParams")] = None,
) -> JSON:
    return await node.flattened.iterations(
        Scope(workflow_id, instance_id, run_id, step_id),
        first=first,
        last=last,
        cursor=cursor,
        statuses=statuses,
        loop_params=loop_params,
    )


@router.get("/steps/{step_id}/iterations/{iteration_id}", summary="One iteration of a step")
async def step_iteration(
    workflow_id: str, instance_id: int, run_id: int, step_id: str, iteration_id: str, node: Node
) -> JSON:
    scope = Scope(workflow_id, instance_id, run_id, step_id)
    return await node.flattened.iteration(scope, iteration_id)


@router.get("/steps/{step_id}/summary", summary="Counts, a representative iteration, loop values")
async def step_iterations_summary(
    workflow_id: str,
    instance_id: int,
    run_id: int,
    step_id: str,
    node: Node,
    status_count: Annotated[bool, Query(alias="statusCount")] = False,
    representative: bool = True,
    value_count: Annotated[int, Query(alias="valueCount", ge=0, le=1000)] = 5,
) -> JSON:
    return await node.flattened.summary(
        Scope(workflow_id, instance_id, run_id, step_id),
        status_count=status_count,
        representative=representative,
        value_count=value_count,
    )
