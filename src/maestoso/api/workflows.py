"""``/api/v3/workflows``: definitions, versions, properties, activation, deletion."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from maestoso.api.bodies import caller, model_body, read_body
from maestoso.api.services import workflow_service
from maestoso.dsl.requests import parse_model
from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.engine.services.workflows import WorkflowService
from maestoso.engine.templates import yaml_resolver
from maestoso.models import PropertiesUpdate, Tag, UserRef, WorkflowCreateRequest

router = APIRouter(prefix="/api/v3/workflows", tags=["workflows"])

Service = Annotated[WorkflowService, Depends(workflow_service)]
Caller = Annotated[UserRef, Depends(caller)]
JSON = dict[str, Any]


async def _yaml_request(request: Request) -> WorkflowCreateRequest:
    text = (await read_body(request)).decode("utf-8", errors="replace")
    node = getattr(request.app.state.services, "node", None)
    resolver = await yaml_resolver(node.templates, text) if node is not None else None
    return parse_model(WorkflowCreateRequest, parse_workflow_yaml(text, resolve_step_type=resolver))


@router.post("", summary="Create a new version of a workflow")
async def create_workflow(request: Request, service: Service, user: Caller) -> JSON:
    body = await model_body(request, WorkflowCreateRequest)
    return {"workflow_definition": await service.create(body, user)}


@router.post("/yaml", summary="Create a new version of a workflow from the YAML DSL")
async def create_workflow_yaml(request: Request, service: Service, user: Caller) -> JSON:
    body = await _yaml_request(request)
    return {"workflow_definition": await service.create(body, user)}


def _validated(user: UserRef, now: int) -> JSON:
    return {
        "timestamp": now,
        "type": "ACTION",
        "action": "VALIDATE",
        "author": user,
        "message": "the workflow definition is valid.",
    }


@router.put("/actions/validate", summary="Validate a definition without storing it")
async def validate_workflow(request: Request, service: Service, user: Caller) -> JSON:
    service.validate(await model_body(request, WorkflowCreateRequest))
    return _validated(user, request.app.state.clock.now_ms())


@router.put("/actions/validate/yaml", summary="Validate a YAML DSL definition")
async def validate_workflow_yaml(request: Request, service: Service, user: Caller) -> JSON:
    service.validate(await _yaml_request(request))
    return _validated(user, request.app.state.clock.now_ms())


@router.post("/{workflow_id}/properties", summary="Change the properties of a workflow")
async def update_properties(
    workflow_id: str, request: Request, service: Service, user: Caller
) -> JSON:
    update = await model_body(request, PropertiesUpdate)
    return await service.update_properties(workflow_id, update, user)


@router.post("/{workflow_id}/properties/tag", summary="Add a tag to a workflow")
async def add_tag(workflow_id: str, request: Request, service: Service, user: Caller) -> JSON:
    return await service.add_tag(workflow_id, await model_body(request, Tag), user)


@router.delete("/{workflow_id}/properties/tag/{tag_name}", summary="Remove a tag")
async def delete_tag(workflow_id: str, tag_name: str, service: Service, user: Caller) -> JSON:
    return await service.delete_tag(workflow_id, tag_name, user)


@router.delete("/{workflow_id}", summary="Delete a workflow with all its data")
async def delete_workflow(workflow_id: str, service: Service, user: Caller) -> JSON:
    return await service.delete(workflow_id, user)


@router.get("/{workflow_id}/versions/pagination", summary="Versions, newest first")
async def list_versions(
    workflow_id: str,
    service: Service,
    first: Annotated[int | None, Query()] = None,
    last: Annotated[int | None, Query()] = None,
    cursor: Annotated[str | None, Query()] = None,
) -> JSON:
    return await service.list_versions(workflow_id, first, last, cursor)


@router.get("/{workflow_id}/versions/{version}", summary="One version of a workflow")
async def get_version(
    workflow_id: str, version: str, service: Service, enriched: bool = False
) -> JSON:
    return await service.get_definition(workflow_id, version, enriched=enriched)


@router.get("/{workflow_id}/properties-snapshot/{snapshot_id}", summary="A properties snapshot")
async def get_properties_snapshot(workflow_id: str, snapshot_id: str, service: Service) -> JSON:
    return await service.properties_snapshot(workflow_id, snapshot_id)


@router.get("/{workflow_id}/overview", summary="Versions and instance counts of a workflow")
async def get_overview(workflow_id: str, service: Service) -> JSON:
    return await service.overview(workflow_id)


@router.get("/{workflow_id}/timeline", summary="The most recent changes of a workflow")
async def get_timeline(workflow_id: str, service: Service) -> JSON:
    return await service.timeline(workflow_id)


@router.put("/{workflow_id}/actions/deactivate", summary="Deactivate a workflow")
async def deactivate(workflow_id: str, service: Service, user: Caller) -> JSON:
    return await service.deactivate(workflow_id, user)


@router.put("/{workflow_id}/versions/{version}/actions/activate", summary="Activate a version")
async def activate(workflow_id: str, version: str, service: Service, user: Caller) -> JSON:
    return await service.activate(workflow_id, version, user)
