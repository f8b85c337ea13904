"""This server's own step types in YAML DSL documents (``type: Shell``).

Maestro's YAML parser knows only Maestro's step types and reads any other ``type`` as a job
template (the DSL module keeps that, to convert documents exactly as Maestro does). The
client and the SDK write for this server, where ``Shell`` and ``Python`` are step types:
they turn such template steps back into typed steps after the conversion.
"""

from __future__ import annotations

from typing import Any

NATIVE_STEP_TYPES = {"shell": "Shell", "python": "Python"}


def with_native_steps(request: dict[str, Any]) -> dict[str, Any]:
    """``request`` (a converted create request) with its native template steps typed."""
    workflow = request.get("workflow")
    if isinstance(workflow, dict) and isinstance(workflow.get("steps"), list):
        workflow["steps"] = [_typed(item) for item in workflow["steps"]]
    return request


def _typed(item: Any) -> Any:
    if not isinstance(item, dict) or len(item) != 1:
        return item
    ((kind, body),) = item.items()
    if not isinstance(body, dict):
        return item
    if isinstance(body.get("steps"), list):
        body["steps"] = [_typed(child) for child in body["steps"]]
    native = NATIVE_STEP_TYPES.get(str(body.get("sub_type", "")).lower())
    if kind != "template" or native is None:
        return item
    step = {key: value for key, value in body.items() if key != "sub_type"}
    return {"step": {"id": step.pop("id"), "type": native, **step}}
