"""What each route needs: one table, read by the ``authorize`` dependency of every route.

A route missing from the table needs the viewer role to read (GET) and the admin role for
anything else, so that a route added without a thought for access is closed, not open (a
test checks that every route of the application is in the table).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from maestoso.dsl.requests import parse_json, parse_model
from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.engine.services.access import AccessService, Grant, Principal, Role
from maestoso.errors import MaestosoError
from maestoso.models import WorkflowCreateRequest

Check = Callable[[Request, Principal | None, AccessService], Awaitable[None]]

WORKFLOWS = "/api/v3/workflows"
WORKFLOW = WORKFLOWS + "/{workflow_id}"
INSTANCE = WORKFLOW + "/instances/{instance_id}"
STEP = INSTANCE + "/steps/{step_id}"
BREAKPOINTS = WORKFLOWS + "/steps/breakpoints"


@dataclass(frozen=True, slots=True)
class Rule:
    check: Check | None
    """None: public (no identity needed)."""
    summary: str

    @property
    def public(self) -> bool:
        return self.check is None


def role(needed: Role, what: str) -> Rule:
    async def check(request: Request, principal: Principal | None, access: AccessService) -> None:
        access.require_role(principal, needed, what)

    return Rule(check, f"{needed.value} role")


def grant(needed: Grant, what: str, *, source: str = "path") -> Rule:
    """The grant on the workflow the call names: in the path, the ``workflowId`` query
    parameter or the JSON body's ``workflow_id``."""

    async def check(request: Request, principal: Principal | None, access: AccessService) -> None:
        workflow_id = await _workflow_of(request, source)
        if workflow_id is None:
            access.require_role(principal, Role.OPERATOR, what)
            return
        request.state.audit_workflow_id = workflow_id
        instance = request.path_params.get("instance_id")
        instance_id = int(instance) if isinstance(instance, str) and instance.isdigit() else None
        await access.require_grant(principal, workflow_id, needed, what, instance_id)
        if needed is Grant.MANAGE and source == "path" and request.url.path.endswith("/properties"):
            body = await _json(request)
            if isinstance(body, dict):
                access.check_properties(body)

    return Rule(check, f"{needed.value} grant on the workflow")


async def _create(request: Request, principal: Principal | None, access: AccessService) -> None:
    access.require_role(principal, Role.OPERATOR, "push workflows")
    body = await request.body()
    is_yaml = request.url.path.rstrip("/").endswith("/yaml")
    data = None if is_yaml else _loads(body)
    if not access.enforced:  # only the audit's workflow id, the cheap way
        workflow = data.get("workflow") if isinstance(data, dict) else None
        workflow_id = workflow.get("id") if isinstance(workflow, dict) else None
        if isinstance(workflow_id, str):
            request.state.audit_workflow_id = workflow_id
        return
    try:
        if is_yaml:
            text = body.decode("utf-8", errors="replace")
            parsed = parse_model(WorkflowCreateRequest, parse_workflow_yaml(text))
        elif isinstance(data, dict):
            parsed = parse_model(WorkflowCreateRequest, data)
        else:
            return
    except MaestosoError:
        return  # not a definition: the handler answers 400 and stores nothing
    request.state.audit_workflow_id = parsed.workflow.id
    await access.check_create(principal, parsed)


async def _workflow_audit(
    request: Request, principal: Principal | None, access: AccessService
) -> None:
    await access.may_read_audit_of(principal, str(request.path_params["workflow_id"]))


CREATE = Rule(_create, "operator role; on an existing workflow the manage grant")
READ = role(Role.VIEWER, "read")
ADMIN = role(Role.ADMIN, "do this")
PUBLIC = Rule(None, "public")

RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    # definitions
    ("POST", WORKFLOWS): CREATE,
    ("POST", WORKFLOWS + "/yaml"): CREATE,
    ("PUT", WORKFLOWS + "/actions/validate"): READ,
    ("PUT", WORKFLOWS + "/actions/validate/yaml"): READ,
    ("POST", WORKFLOW + "/properties"): grant(Grant.MANAGE, "change the properties"),
    ("POST", WORKFLOW + "/properties/tag"): grant(Grant.MANAGE, "tag"),
    ("DELETE", WORKFLOW + "/properties/tag/{tag_name}"): grant(Grant.MANAGE, "untag"),
    ("PUT", WORKFLOW + "/actions/deactivate"): grant(Grant.MANAGE, "deactivate"),
    ("PUT", WORKFLOW + "/versions/{version}/actions/activate"): grant(Grant.MANAGE, "activate"),
    ("DELETE", WORKFLOW): grant(Grant.OWN, "delete"),
    # runs
    ("POST", WORKFLOW + "/versions/{version}/actions/start"): grant(Grant.OPERATE, "start runs"),
    ("POST", WORKFLOW + "/versions/{version}/actions/start-batch"): grant(
        Grant.OPERATE, "start runs"
    ),
    ("POST", WORKFLOW + "/actions/backfill"): grant(Grant.OPERATE, "backfill runs"),
    ("POST", INSTANCE + "/actions/restart"): grant(Grant.OPERATE, "restart runs"),
    ("PUT", INSTANCE + "/actions/unblock"): grant(Grant.OPERATE, "unblock runs"),
    ("PUT", INSTANCE + "/runs/{run_id}/actions/unblock"): grant(Grant.OPERATE, "unblock runs"),
    ("PUT", WORKFLOW + "/actions/unblock"): grant(Grant.OPERATE, "unblock runs"),
    **{
        ("PUT", path): grant(Grant.OPERATE, f"{verb} runs")
        for verb in ("stop", "kill")
        for path in (
            f"{INSTANCE}/actions/{verb}",
            f"{INSTANCE}/runs/{{run_id}}/actions/{verb}",
            f"{WORKFLOW}/actions/{verb}",
        )
    },
    # steps
    ("POST", STEP + "/actions/restart"): grant(Grant.OPERATE, "restart steps"),
    ("PUT", STEP + "/actions/stop"): grant(Grant.OPERATE, "stop steps"),
    ("PUT", STEP + "/actions/kill"): grant(Grant.OPERATE, "kill steps"),
    ("PUT", STEP + "/actions/skip"): grant(Grant.OPERATE, "skip steps"),
    ("PUT", STEP + "/actions/bypass"): grant(Grant.OPERATE, "bypass signals of steps"),
    ("POST", BREAKPOINTS): grant(Grant.OPERATE, "set breakpoints", source="body"),
    ("DELETE", BREAKPOINTS): grant(Grant.OPERATE, "remove breakpoints", source="query"),
    (
        "PUT",
        BREAKPOINTS + "/{workflow_id}/instances/{instance_id}/runs/{run_id}/steps/{step_id}"
        "/attempts/{attempt_id}/actions/resume",
    ): grant(Grant.OPERATE, "resume paused steps"),
    # across workflows
    ("POST", "/api/v3/signals"): role(Role.OPERATOR, "announce signals"),
    ("PUT", "/api/v3/output-data"): role(Role.OPERATOR, "publish output data"),
    ("POST", "/api/v3/tag-permits"): role(Role.ADMIN, "change tag permits"),
    ("DELETE", "/api/v3/tag-permits/{tag}"): role(Role.ADMIN, "remove tag permits"),
    # job templates supply commands to other users' steps: admins keep them
    ("POST", "/api/v3/job-templates"): role(Role.ADMIN, "change job templates"),
    ("POST", "/api/v3/job-templates/yaml"): role(Role.ADMIN, "change job templates"),
    ("DELETE", "/api/v3/job-templates/{job_type}"): role(Role.ADMIN, "remove job templates"),
    ("GET", "/api/v3/plugins"): READ,
    # the audit log
    ("GET", "/api/v3/audit"): role(Role.ADMIN, "read the audit log"),
    ("GET", WORKFLOW + "/audit"): Rule(_workflow_audit, "operate grant on the workflow"),
}


def rule_for(method: str, template: str | None) -> Rule:
    method = "GET" if method == "HEAD" else method
    found = RULES.get((method, template or ""))
    if found is not None:
        return found
    return READ if method == "GET" else ADMIN


async def _workflow_of(request: Request, source: str) -> str | None:
    if source == "path":
        value: Any = request.path_params.get("workflow_id")
    elif source == "query":
        value = request.query_params.get("workflowId")
    else:
        body = await _json(request)
        value = body.get("workflow_id") if isinstance(body, dict) else None
    return value if isinstance(value, str) and value else None


async def _json(request: Request) -> Any:
    # ``body()`` keeps the bytes: the handler reads them again.
    return _loads(await request.body())


def _loads(body: bytes) -> Any:
    try:
        return parse_json(body) if body.strip() else None
    except (MaestosoError, ValueError, RecursionError):
        return None  # the handler answers 400


__all__ = ["RULES", "Rule", "rule_for"]
