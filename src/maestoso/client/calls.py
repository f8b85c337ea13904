"""The REST calls of the client, as data: the sync and async clients only send them.

Paths are Maestro's ``/api/v3``; the two listings (``GET /api/v3/workflows`` and
``GET /api/v3/instances``) are Maestoso's extensions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

API = "/api/v3"


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None

    @property
    def query(self) -> dict[str, Any]:
        return {key: value for key, value in self.params.items() if value is not None}


def _wf(workflow_id: str) -> str:
    return f"{API}/workflows/{quote(workflow_id, safe='')}"


def _instance(workflow_id: str, instance_id: int) -> str:
    return f"{_wf(workflow_id)}/instances/{instance_id}"


def push(request: dict[str, Any]) -> Call:
    return Call("POST", f"{API}/workflows", json=request)


def validate(request: dict[str, Any]) -> Call:
    return Call("PUT", f"{API}/workflows/actions/validate", json=request)


def definition(workflow_id: str, version: str = "latest") -> Call:
    return Call("GET", f"{_wf(workflow_id)}/versions/{quote(version, safe='')}")


def list_workflows(**query: Any) -> Call:
    return Call("GET", f"{API}/workflows", params=query)


def list_instances(**query: Any) -> Call:
    return Call("GET", f"{API}/instances", params=query)


def start(workflow_id: str, version: str, body: dict[str, Any]) -> Call:
    path = f"{_wf(workflow_id)}/versions/{quote(version, safe='')}/actions/start"
    return Call("POST", path, json=body)


def run(workflow_id: str, instance_id: int, run_id: int | None) -> Call:
    which = "latest" if run_id is None else str(run_id)
    return Call("GET", f"{_instance(workflow_id, instance_id)}/runs/{which}")


def steps(workflow_id: str, instance_id: int, run_id: int | None) -> Call:
    which = "latest" if run_id is None else str(run_id)
    return Call("GET", f"{_instance(workflow_id, instance_id)}/runs/{which}/steps")


def logs(
    workflow_id: str,
    instance_id: int,
    step_id: str,
    *,
    run_id: int | None,
    attempt: int | None,
    stream: str,
    tail: int | None = None,
    follow: bool = False,
) -> Call:
    run_part = "latest" if run_id is None else str(run_id)
    attempt_part = "latest" if attempt is None else str(attempt)
    path = (
        f"{_instance(workflow_id, instance_id)}/runs/{run_part}/steps/"
        f"{quote(step_id, safe='')}/attempts/{attempt_part}/logs"
    )
    params = {"stream": stream, "tail": tail, "follow": "true" if follow else None}
    return Call("GET", path, params=params)


def terminate(workflow_id: str, instance_id: int | None, action: str) -> Call:
    """``action`` is ``stop``, ``kill`` or ``unblock``; without an instance, all of them."""
    base = _wf(workflow_id) if instance_id is None else _instance(workflow_id, instance_id)
    return Call("PUT", f"{base}/actions/{action}")


def restart(workflow_id: str, instance_id: int, from_beginning: bool) -> Call:
    policy = "RESTART_FROM_BEGINNING" if from_beginning else "RESTART_FROM_INCOMPLETE"
    path = f"{_instance(workflow_id, instance_id)}/actions/restart"
    return Call("POST", path, json={"restart_policy": policy})


def restart_step(workflow_id: str, instance_id: int, step_id: str) -> Call:
    """A new run from ``step_id`` (or a new attempt of it, if its run is still going)."""
    path = f"{_instance(workflow_id, instance_id)}/steps/{quote(step_id, safe='')}"
    body = {"restart_policy": "RESTART_FROM_SPECIFIC"}
    return Call("POST", f"{path}/actions/restart", json=body)


def step_action(workflow_id: str, instance_id: int, step_id: str, action: str) -> Call:
    """``action`` is ``stop``, ``kill``, ``skip`` or ``bypass``."""
    path = f"{_instance(workflow_id, instance_id)}/steps/{quote(step_id, safe='')}"
    return Call("PUT", f"{path}/actions/{action}")


def signal(name: str, params: dict[str, Any]) -> Call:
    return Call("POST", f"{API}/signals", json={"name": name, "params": params})


def backfill(workflow_id: str, start_ms: int, end_ms: int, dry_run: bool) -> Call:
    body = {"start_time": start_ms, "end_time": end_ms, "dry_run": dry_run}
    return Call("POST", f"{_wf(workflow_id)}/actions/backfill", json=body)


def deactivate(workflow_id: str) -> Call:
    return Call("PUT", f"{_wf(workflow_id)}/actions/deactivate")


def plugins() -> Call:
    return Call("GET", f"{API}/plugins")
