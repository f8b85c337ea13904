"""``/api/v3/workflows``: reading instances, runs and steps, and the two action maps.

The action maps are static paths that a ``/{workflow_id}/…`` pattern would also match, so
they are declared first and this router is included before the workflows router.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from maestoso.api.services import instance_reader
from maestoso.engine.reads.instances import (
    MAX_ID,
    InstanceReader,
    instance_action_map,
    step_action_map,
)

router = APIRouter(prefix="/api/v3/workflows", tags=["instances"])

Reader = Annotated[InstanceReader, Depends(instance_reader)]
First = Annotated[int | None, Query()]
Last = Annotated[int | None, Query()]
Cursor = Annotated[str | None, Query()]
InstanceId = Annotated[int, Path(le=MAX_ID)]
JSON = dict[str, Any]


@router.get("/instances/action-map", summary="The actions each instance status allows")
async def get_instance_action_map() -> dict[str, list[str]]:
    return instance_action_map()


@router.get("/steps/instances/action-map", summary="The actions each step status allows")
async def get_step_action_map() -> dict[str, list[str]]:
    return step_action_map()


@router.get("/{workflow_id}/instances", summary="Instances (their latest runs), newest first")
async def list_instances(
    workflow_id: str,
    reader: Reader,
    first: First = None,
    last: Last = None,
    cursor: Cursor = None,
    aggregated: bool = True,
) -> JSON:
    return await reader.list_instances(workflow_id, first, last, cursor, aggregated=aggregated)


@router.get(
    "/{workflow_id}/instances/{instance_id}/deliveries",
    summary="The instance's alert and event-stream deliveries: status, attempts, last error",
)
async def list_deliveries(workflow_id: str, instance_id: InstanceId, reader: Reader) -> list[JSON]:
    return await reader.list_deliveries(workflow_id, instance_id)


@router.get("/{workflow_id}/instances/{instance_id}", summary="An instance over all its runs")
async def get_instance(
    workflow_id: str, instance_id: InstanceId, reader: Reader, enriched: bool = True
) -> JSON:
    return await reader.get_instance(workflow_id, instance_id, enriched=enriched)


@router.get("/{workflow_id}/instances/{instance_id}/runs", summary="Runs, newest first")
async def list_runs(
    workflow_id: str,
    instance_id: InstanceId,
    reader: Reader,
    first: First = None,
    last: Last = None,
    cursor: Cursor = None,
) -> JSON:
    return await reader.list_runs(workflow_id, instance_id, first, last, cursor)


@router.get("/{workflow_id}/instances/{instance_id}/runs/{run}", summary="One run")
async def get_run(
    workflow_id: str,
    instance_id: InstanceId,
    run: str,
    reader: Reader,
    enriched: bool = True,
    aggregated: bool = False,
) -> JSON:
    return await reader.get_run(
        workflow_id, instance_id, run, enriched=enriched, aggregated=aggregated
    )


@router.get("/{workflow_id}/instances/{instance_id}/steps", summary="Every step, over all runs")
async def list_steps(workflow_id: str, instance_id: InstanceId, reader: Reader) -> list[JSON]:
    return await reader.list_steps(workflow_id, instance_id)


@router.get(
    "/{workflow_id}/instances/{instance_id}/steps/{step_id}", summary="A step, over all runs"
)
async def get_step_view(
    workflow_id: str, instance_id: InstanceId, step_id: str, reader: Reader, enriched: bool = True
) -> JSON:
    return await reader.get_step_view(workflow_id, instance_id, step_id, enriched=enriched)


@router.get(
    "/{workflow_id}/instances/{instance_id}/runs/{run}/steps", summary="Every step of a run"
)
async def list_run_steps(
    workflow_id: str, instance_id: InstanceId, run: str, reader: Reader
) -> list[JSON]:
    return await reader.list_run_steps(workflow_id, instance_id, run)


@router.get(
    "/{workflow_id}/instances/{instance_id}/runs/{run}/steps/{step_id}/attempts/{attempt}",
    summary="One attempt of a step",
)
async def get_step_attempt(
    workflow_id: str,
    instance_id: InstanceId,
    run: str,
    step_id: str,
    attempt: str,
    reader: Reader,
    enriched: bool = True,
) -> JSON:
    return await reader.get_step_attempt(
        workflow_id, instance_id, run, step_id, attempt, enriched=enriched
    )
