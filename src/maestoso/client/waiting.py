"""What both clients share around starting and waiting for a run."""

from __future__ import annotations

from typing import Any

from maestoso.client.errors import ClientError, ErrorBody
from maestoso.client.models import WorkflowInstance


def start_body(
    user: str, run_params: dict[str, Any] | None, request_id: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"initiator": {"type": "MANUAL", "user": user}}
    if run_params:
        body["run_params"] = run_params
    if request_id:
        body["request_id"] = request_id
    return body


def timed_out(instance: WorkflowInstance, timeout: float | None) -> ClientError:
    where = f"[{instance.workflow_id}][{instance.workflow_instance_id}]"
    message = f"instance {where} is still {instance.status.value} after {timeout} seconds"
    return ClientError(ErrorBody(status="TIMEOUT", message=message, retryable=True))
