"""The request bodies of the API, for ``/openapi.json``: schema and example per operation.

The routers read their bodies themselves (to cap their size, accept YAML and report errors
in Maestro's shape), so FastAPI cannot see them; this table declares them instead. A test
checks that every POST and PUT that reads a body is in it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from maestoso.models import PropertiesUpdate, Tag, WorkflowCreateRequest
from maestoso.models.restart import StepInstanceRestartRequest, WorkflowInstanceRestartRequest
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.templates import JobTemplateCreateRequest

WF = "/api/v3/workflows"
INSTANCE = f"{WF}/{{workflow_id}}/instances/{{instance_id}}"

_CREATE_EXAMPLE = {
    "properties": {"owner": "alice"},
    "workflow": {
        "id": "hello",
        "params": {"name": {"value": "world", "type": "STRING"}},
        "steps": [
            {
                "step": {
                    "id": "greet",
                    "type": "Shell",
                    "params": {"command": {"value": "echo hello ${name}", "type": "STRING"}},
                }
            }
        ],
    },
}
_YAML_EXAMPLE = """Workflow:
  id: hello
  owner: alice
  name: world
  jobs:
    - job: {id: greet, type: NoOp}
"""
_TEMPLATE_EXAMPLE = {
    "owner": "alice",
    "status": "alpha",
    "support": "data-team",
    "definition": {
        "job_type": "greet",
        "step_type": "Shell",
        "version": "v1",
        "params": {
            "command": {
                "value": "echo hello ${who}",
                "type": "STRING",
                "internal_mode": "PROVIDED",
            },
            "who": {"value": "world", "type": "STRING", "internal_mode": "OPTIONAL"},
        },
    },
}
_TEMPLATE_YAML_EXAMPLE = """owner: alice
status: alpha
support: data-team
definition:
  job_type: greet
  step_type: Shell
  version: v1
  params:
    command: {value: "echo hello ${who}", type: STRING, internal_mode: PROVIDED}
"""
_START_EXAMPLE = {
    "initiator": {"type": "MANUAL"},
    "run_params": {"name": {"value": "maestoso", "type": "STRING"}},
}


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


_BACKFILL = _object(
    {
        "start_time": {"type": "integer", "description": "epoch ms, included"},
        "end_time": {"type": "integer", "description": "epoch ms, included"},
        "dry_run": {"type": "boolean", "default": False},
    },
    ["start_time", "end_time"],
)
_SIGNAL = {
    **_object(
        {
            "name": {"type": "string"},
            "params": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
            "request_id": {"type": "string"},
            "request_time": {"type": "integer"},
        },
        ["name"],
    ),
    "additionalProperties": True,
}
_BREAKPOINT = _object(
    {"workflow_id": {"type": "string"}, "step_id": {"type": "string"}},
    ["workflow_id", "step_id"],
)
_PERMIT = _object(
    {"tag": {"type": "string"}, "max_allowed": {"type": "integer", "minimum": 0}},
    ["tag", "max_allowed"],
)
_OUTPUT_DATA = _object(
    {
        "external_job_id": {"type": "string"},
        "external_job_type": {"type": "string", "default": "TITUS"},
        "workflow_id": {"type": "string"},
        "params": {"type": "object"},
        "artifacts": {"type": "object"},
    },
    ["external_job_id"],
)

_NODE_PATH = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "properties": {
            "workflow_id": {"type": "string"},
            "instance_id": {"type": "integer", "minimum": 1},
            "step_id": {"type": "string"},
        },
    },
}
_NODE_PATH_EXAMPLE = [{"workflow_id": "etl", "instance_id": 1}, {"step_id": "load"}]

Body = tuple[type[BaseModel] | dict[str, Any], Any] | tuple[str, str]
"""A model or a JSON schema, and an example; or ``("yaml", example)`` for YAML text."""

REQUEST_BODIES: dict[tuple[str, str], Body] = {
    ("post", WF): (WorkflowCreateRequest, _CREATE_EXAMPLE),
    ("put", f"{WF}/actions/validate"): (WorkflowCreateRequest, _CREATE_EXAMPLE),
    ("post", f"{WF}/yaml"): ("yaml", _YAML_EXAMPLE),
    ("put", f"{WF}/actions/validate/yaml"): ("yaml", _YAML_EXAMPLE),
    ("post", f"{WF}/{{workflow_id}}/properties"): (
        PropertiesUpdate,
        {"properties": {"owner": "bob"}, "reset_run_strategy_rule": False},
    ),
    ("post", f"{WF}/{{workflow_id}}/properties/tag"): (Tag, {"name": "daily"}),
    ("post", f"{WF}/{{workflow_id}}/versions/{{version}}/actions/start"): (
        WorkflowStartRequest,
        _START_EXAMPLE,
    ),
    ("post", f"{WF}/{{workflow_id}}/versions/{{version}}/actions/start-batch"): (
        {"type": "array", "items": {"$ref": "#/components/schemas/WorkflowStartRequest"}},
        [_START_EXAMPLE],
    ),
    ("post", f"{INSTANCE}/actions/restart"): (
        WorkflowInstanceRestartRequest,
        {"restart_policy": "RESTART_FROM_INCOMPLETE"},
    ),
    ("post", f"{INSTANCE}/steps/{{step_id}}/actions/restart"): (
        StepInstanceRestartRequest,
        {"restart_policy": "RESTART_FROM_SPECIFIC"},
    ),
    ("post", f"{WF}/{{workflow_id}}/actions/backfill"): (
        _BACKFILL,
        {"start_time": 1704067200000, "end_time": 1704153600000, "dry_run": True},
    ),
    ("post", "/api/v3/signals"): (_SIGNAL, {"name": "table_ready", "params": {"day": 20240101}}),
    ("post", f"{WF}/steps/breakpoints"): (
        _BREAKPOINT,
        {"workflow_id": "hello", "step_id": "greet"},
    ),
    ("post", "/api/v3/tag-permits"): (_PERMIT, {"tag": "etl", "max_allowed": 5}),
    ("put", "/api/v3/output-data"): (
        _OUTPUT_DATA,
        {"external_job_id": "job-1", "workflow_id": "hello", "params": {}},
    ),
    ("post", "/api/v3/job-templates"): (JobTemplateCreateRequest, _TEMPLATE_EXAMPLE),
    ("get", f"{WF}/instances/inline-workflow-id"): (_NODE_PATH, _NODE_PATH_EXAMPLE),
    ("get", "/api/v3/instances/inline-workflow-id"): (_NODE_PATH, _NODE_PATH_EXAMPLE),
    ("post", "/api/v3/job-templates/yaml"): ("yaml", _TEMPLATE_YAML_EXAMPLE),
}
