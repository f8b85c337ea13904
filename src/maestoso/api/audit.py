"""The audit trail: every mutating call (POST, PUT, PATCH, DELETE under ``/api/``) recorded
with who, when, what, on which workflow, instance, run and step, how it ended and its request
id; and ``GET /api/v3/audit`` (admins) and ``GET /api/v3/workflows/{id}/audit`` to read it.

Refused calls are recorded too (401, 403, 4xx): an audit that only kept successes would hide
the attempts. Each answer carries its ``X-Request-Id`` (the caller's, when it sent a sane one).
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maestoso.api.auth import Security
from maestoso.engine.services.access import Principal
from maestoso.engine.services.audit import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, AuditLog
from maestoso.errors import PlatformError
from maestoso.store.security import AuditEntry

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
REQUEST_ID_HEADER = b"x-request-id"


class AuditTrail:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in _READS
            or not scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            _record(scope, status or 500, request_id)


def _record(scope: Scope, status: int, request_id: str) -> None:
    app: Any = scope.get("app")
    services = getattr(getattr(app, "state", None), "services", None)
    security = getattr(services, "security", None)
    if not isinstance(security, Security):
        return
    state: dict[str, Any] = scope.get("state") or {}
    principal = state.get("principal")
    params: dict[str, Any] = scope.get("path_params") or {}
    route = scope.get("route")
    template = getattr(route, "path", None) or scope["path"]
    client = scope.get("client")
    user, role = _caller(scope, principal, security)
    security.audit.record(
        AuditEntry(
            create_time=app.state.clock.now_ms(),
            user=user,
            role=role,
            method=scope["method"],
            path=scope["path"],
            action=f"{scope['method']} {template}",
            status=status,
            outcome=_outcome(status),
            request_id=request_id,
            workflow_id=state.get("audit_workflow_id") or _text(params.get("workflow_id")),
            instance_id=_number(params.get("instance_id")),
            run_id=_number(params.get("run_id", params.get("run"))),
            step_id=_text(params.get("step_id")),
            client=client[0] if client else None,
        )
    )


def _caller(scope: Scope, principal: Any, security: Security) -> tuple[str | None, str | None]:
    if isinstance(principal, Principal):
        return principal.name, principal.role.value if security.access.enforced else None
    if security.access.enforced:
        return None, None
    raw = dict(scope["headers"]).get(b"user", b"").decode("utf-8", errors="replace").strip()
    return raw or None, None


def _outcome(status: int) -> str:
    if status < 400:
        return "OK"
    if status == 401:
        return "UNAUTHENTICATED"
    if status == 403:
        return "FORBIDDEN"
    return "REJECTED" if status < 500 else "FAILED"


def _request_id(scope: Scope) -> str:
    given = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"").decode("latin-1")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


# -- reading it -------------------------------------------------------------------------------

router = APIRouter(tags=["audit (Maestoso extension)"])
JSON = dict[str, Any]
First = Annotated[
    int | None,
    Query(ge=1, le=PAGE_SIZE_MAX, description=f"Page size [default {PAGE_SIZE_DEFAULT}]."),
]
Cursor = Annotated[str | None, Query(description="The cursor of the previous page.")]


def _log(request: Request) -> AuditLog:
    security = getattr(request.app.state.services, "security", None)
    if not isinstance(security, Security):
        raise PlatformError("the audit log is not kept by this server")
    return security.audit


@router.get(
    "/api/v3/audit",
    summary="The audit log, newest first (admins; extension)",
    description="Not in Maestro. Every mutating call: `time`, `user`, `role`, `action` "
    "(method and route), `path`, `workflow_id`, `instance_id`, `run_id`, `step_id`, "
    "`status`, `outcome` (OK, UNAUTHENTICATED, FORBIDDEN, REJECTED, FAILED), `request_id`. "
    "`cursor` in the answer reads the next page; null on the last.",
)
async def read_audit(
    request: Request,
    user: Annotated[str | None, Query(description="Only this caller's calls.")] = None,
    workflow_id: Annotated[str | None, Query(description="Only calls on this workflow.")] = None,
    first: First = None,
    cursor: Cursor = None,
) -> JSON:
    return await _log(request).page(first=first, cursor=cursor, user=user, workflow_id=workflow_id)


@router.get(
    "/api/v3/workflows/{workflow_id}/audit",
    summary="The audit log of one workflow, newest first (extension)",
    description="Not in Maestro. As `/api/v3/audit`, for the admins and for the owner, "
    "managers and operators of the workflow.",
)
async def read_workflow_audit(
    workflow_id: str,
    request: Request,
    user: Annotated[str | None, Query(description="Only this caller's calls.")] = None,
    first: First = None,
    cursor: Cursor = None,
) -> JSON:
    return await _log(request).page(first=first, cursor=cursor, user=user, workflow_id=workflow_id)
