"""``/api/v3/job-templates``: create (JSON or YAML), read, list and remove job templates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from maestoso.api.bodies import caller, json_body, read_body
from maestoso.api.services import engine_node
from maestoso.dsl.yaml_load import load_document
from maestoso.engine.node import EngineNode
from maestoso.engine.templates import JobTemplates
from maestoso.errors import ValidationError
from maestoso.models import UserRef
from maestoso.models.templates import DEFAULT_VERSION

PREFIX = "/api/v3/job-templates"
router = APIRouter(prefix=PREFIX, tags=["job templates"])

Caller = Annotated[UserRef, Depends(caller)]
JSON = dict[str, Any]


async def job_templates(node: Annotated[EngineNode, Depends(engine_node)]) -> JobTemplates:
    return node.templates


Templates = Annotated[JobTemplates, Depends(job_templates)]


def plain(data: Any) -> Any:
    """YAML data (which remembers lines) as plain JSON data."""
    if isinstance(data, dict):
        return {str(key): plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(item) for item in data]
    return data


def _object(data: Any) -> JSON:
    if not isinstance(data, dict):
        raise ValidationError(
            "the request body must be an object", [f"body: got {type(data).__name__}"]
        )
    return data


@router.post("", summary="Create or replace a job template version")
async def upsert_template(request: Request, templates: Templates, user: Caller) -> JSON:
    body = _object(await json_body(request))
    return await templates.upsert(body, user, request.app.state.clock.now_ms())


@router.post("/yaml", summary="Create or replace a job template version, in YAML")
async def upsert_template_yaml(request: Request, templates: Templates, user: Caller) -> JSON:
    text = (await read_body(request)).decode("utf-8", errors="replace")
    body = _object(plain(load_document(text)))
    return await templates.upsert(body, user, request.app.state.clock.now_ms())


@router.get("", summary="Every job template of a version")
async def list_templates(templates: Templates, version: str = DEFAULT_VERSION) -> list[JSON]:
    return await templates.list_all(version)


@router.get("/{job_type}", summary="One job template")
async def get_template(job_type: str, templates: Templates, version: str = DEFAULT_VERSION) -> JSON:
    return await templates.get(job_type, version)


@router.delete(
    "/{job_type}",
    summary="Remove one version of a job template, or every version when none is given",
    response_class=PlainTextResponse,
)
async def remove_template(
    job_type: str, templates: Templates, version: str | None = None
) -> PlainTextResponse:
    return PlainTextResponse(await templates.remove(job_type, version))
