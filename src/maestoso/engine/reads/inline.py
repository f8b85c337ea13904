"""Navigating into foreach iterations: Maestro's two hidden inline endpoints.

A foreach iteration runs as an inline instance of a workflow whose id is derived from its
parent: ``maestro_foreach_<base62(internal id)>_<range key(root instance)>_<md5(step@instance
@workflow)>``. ``inline_workflow_id`` computes that id for a node path (the root instance, then
the iteration of each enclosing foreach, then the step), so a client can read an iteration's
runs, steps and logs; ``inline_path`` walks back from an iteration to its non-inline root.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from maestoso.errors import NotFoundError, ValidationError
from maestoso.models import ForeachStep, Step, Workflow, unbox
from maestoso.models.naming import hash_key, is_inline, range_key
from maestoso.store.port import InstanceStore

FOREACH_PREFIX = "maestro_foreach"
_INFO_KEYS = ("workflow_id", "instance_id", "run_id", "step_id", "step_attempt_id")


def foreach_workflow_id(internal_id: int, root_instance_id: int, node: dict[str, Any]) -> str:
    """The inline workflow id of the iterations of ``node``'s foreach step."""
    digest = hashlib.md5(
        f"{node['step_id']}@{node['instance_id']}@{node['workflow_id']}".encode(),
        usedforsecurity=False,
    ).hexdigest()
    return f"{FOREACH_PREFIX}_{hash_key(internal_id)}_{range_key(root_instance_id)}_{digest}"


def path_to(steps: Sequence[Step], target: str) -> list[str] | None:
    """The ids of the foreach steps enclosing ``target``, then ``target`` (None if absent)."""
    for step in steps:
        if step.id == target:
            return [step.id]
        if isinstance(step, ForeachStep):
            inner = path_to([unbox(box) for box in step.steps], target)
            if inner is not None:
                return [step.id, *inner]
    return None


class InlinePaths:
    def __init__(self, store: InstanceStore) -> None:
        self._store = store

    async def inline_workflow_id(self, node_path: Any) -> str:
        """The inline workflow id whose instances run the last node's step; ``node_path`` is
        Maestro's list of ``UpstreamInitiator.Info``: the root ``{workflow_id,
        instance_id}``, then ``{instance_id}`` of each enclosing foreach's iteration, then
        ``{step_id}`` of the step looked for."""
        nodes = _nodes(node_path)
        root, current = nodes[0], nodes[-1]
        instance = await self._store.get_instance(
            str(root.get("workflow_id")), _int(root, "instance_id")
        )
        if instance is None:
            raise NotFoundError(
                f"Cannot find workflow instance [{root.get('workflow_id')}]"
                f"[{root.get('instance_id')}]"
            )
        workflow = Workflow.model_validate(instance.record.runtime_workflow)
        path = path_to(workflow.top_steps(), str(current.get("step_id"))) or []
        if len(path) != len(nodes) or len(path) < 2:
            raise ValidationError(
                f"Inline workflow step path {path} is invalid for the input path "
                f"{[dict(node) for node in nodes]}"
            )
        internal_id = instance.record.internal_id or 0
        workflow_id = instance.workflow_id
        for index in range(len(path) - 1):
            node = {
                "workflow_id": workflow_id,
                "instance_id": _int(nodes[index], "instance_id"),
                "step_id": path[index],
            }
            workflow_id = foreach_workflow_id(internal_id, instance.instance_id, node)
        return workflow_id

    async def inline_path(self, workflow_id: str, instance_id: int) -> list[dict[str, Any]]:
        """The ancestors of a foreach iteration from its non-inline root, then itself."""
        instance = await self._store.get_instance(workflow_id, instance_id)
        if instance is None:
            raise NotFoundError(f"Cannot find workflow instance [{workflow_id}][{instance_id}]")
        initiator = instance.initiator
        if str(initiator.get("type", "")).upper() != "FOREACH":
            raise ValidationError(
                "This endpoint only supports getting ForeachInitiator for an inline workflow "
                "instance."
            )
        ancestors = [dict(a) for a in initiator.get("ancestors") or []]
        start = 0
        for index, ancestor in enumerate(ancestors):
            if not is_inline(str(ancestor.get("workflow_id"))):
                start = index  # the closest non-inline ancestor
        path = [{k: a[k] for k in _INFO_KEYS if k in a} for a in ancestors[start:]]
        return [*path, {"workflow_id": workflow_id, "instance_id": instance_id}]


def _nodes(node_path: Any) -> list[dict[str, Any]]:
    if not isinstance(node_path, list) or not node_path:
        raise ValidationError(
            "the body must be a non-empty JSON array of nodes",
            ["body: [{workflow_id, instance_id}, ..., {step_id}]"],
        )
    for index, node in enumerate(node_path):
        if not isinstance(node, dict):
            raise ValidationError("each node must be an object", [f"[{index}]: an object"])
    if not node_path[0].get("workflow_id"):
        raise ValidationError("the first node names the root", ["[0].workflow_id: is required"])
    if not node_path[-1].get("step_id"):
        raise ValidationError("the last node names the step", ["[-1].step_id: is required"])
    return node_path


def _int(node: dict[str, Any], key: str) -> int:
    value = node.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ValidationError(f"{key} must be a number", [f"{key}: [{value}] is not a number"])
    return int(value)
