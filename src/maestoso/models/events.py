"""The job events of the durable queue: one kind each, with one payload type each.

An event is written in the transaction of the change that causes it and handled later by a
queue worker on some node. Its payload is stored as JSON in Maestro's field names; ``to_json``
and ``from_json`` are the only places that know them, so a handler reads typed fields and a
payload missing a field fails loudly when it is decoded, not halfway through its handling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any, ClassVar


class EventKind(StrEnum):
    START_WORKFLOW = "START_WORKFLOW"
    """Admit a workflow's queued instances per its run strategy."""
    INSTANCE_ACTION = "INSTANCE_ACTION"
    """Stop or kill one run on the node that runs it."""
    STEP_ACTION = "STEP_ACTION"
    """Stop, kill, skip or restart one step on the node that runs its flow."""
    START_TRIGGERED = "START_TRIGGERED"
    """Start a workflow's active version for a time or signal trigger."""
    SIGNAL_ANNOUNCED = "SIGNAL_ANNOUNCED"
    """A signal was stored: match it against the triggers and steps waiting for it."""
    LAUNCH_FLOW = "LAUNCH_FLOW"
    """Run a started run on the node that owns its flow group (it was started elsewhere)."""
    STATUS_CHANGED = "STATUS_CHANGED"
    """A workflow, run or step changed status: evaluate alerts, feed the event stream."""
    DELIVER = "DELIVER"
    """Send one stored alert delivery through its notifier."""


class QueueId(IntEnum):
    """Maestro's queue ids: a worker may claim some queues only."""

    START = 1
    ACTION = 2
    TRIGGER = 6
    ALERT = 7
    """Alerting's own queue, claimed by its own worker so that a slow receiver never holds
    up the engine's events."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StartWorkflow:
    kind: ClassVar[EventKind] = EventKind.START_WORKFLOW
    queue: ClassVar[QueueId] = QueueId.START

    workflow_id: str

    def to_json(self) -> dict[str, Any]:
        return {"workflow_id": self.workflow_id}

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> StartWorkflow:
        return cls(workflow_id=str(payload["workflow_id"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class LaunchFlow:
    kind: ClassVar[EventKind] = EventKind.LAUNCH_FLOW
    queue: ClassVar[QueueId] = QueueId.START

    workflow_id: str
    instance_id: int
    """0 in a start's own transaction: the store sets the instance id it allocates."""
    run_id: int

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id,
            "workflow_instance_id": self.instance_id,
            "workflow_run_id": self.run_id,
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> LaunchFlow:
        return cls(
            workflow_id=str(payload["workflow_id"]),
            instance_id=int(payload["workflow_instance_id"]),
            run_id=int(payload["workflow_run_id"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceAction:
    kind: ClassVar[EventKind] = EventKind.INSTANCE_ACTION
    queue: ClassVar[QueueId] = QueueId.ACTION

    workflow_id: str
    instance_id: int
    run_id: int
    action: str
    """``STOP`` or ``KILL``."""
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id,
            "workflow_instance_id": self.instance_id,
            "workflow_run_id": self.run_id,
            "workflow_action": self.action,
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> InstanceAction:
        return cls(
            workflow_id=str(payload["workflow_id"]),
            instance_id=int(payload["workflow_instance_id"]),
            run_id=int(payload["workflow_run_id"]),
            action=str(payload["workflow_action"]),
            reason=str(payload.get("reason", "")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StepActionEvent:
    kind: ClassVar[EventKind] = EventKind.STEP_ACTION
    queue: ClassVar[QueueId] = QueueId.ACTION

    workflow_id: str
    instance_id: int
    run_id: int
    step_id: str
    attempt_id: int
    action: str
    """``STOP``, ``KILL``, ``SKIP`` or ``RESTART``."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Fields of the request kept for the record (user, reason…)."""

    def to_json(self) -> dict[str, Any]:
        return {
            **self.extra,
            "workflow_id": self.workflow_id,
            "workflow_instance_id": self.instance_id,
            "workflow_run_id": self.run_id,
            "step_id": self.step_id,
            "step_attempt_id": self.attempt_id,
            "step_action": self.action,
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> StepActionEvent:
        known = {
            "workflow_id",
            "workflow_instance_id",
            "workflow_run_id",
            "step_id",
            "step_attempt_id",
            "step_action",
        }
        return cls(
            workflow_id=str(payload["workflow_id"]),
            instance_id=int(payload["workflow_instance_id"]),
            run_id=int(payload["workflow_run_id"]),
            step_id=str(payload["step_id"]),
            attempt_id=int(payload["step_attempt_id"]),
            action=str(payload["step_action"]),
            extra={k: v for k, v in payload.items() if k not in known},
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StartTriggered:
    kind: ClassVar[EventKind] = EventKind.START_TRIGGERED
    queue: ClassVar[QueueId] = QueueId.TRIGGER

    workflow_id: str
    request: Mapping[str, Any]
    """A ``WorkflowStartRequest`` in Maestro's JSON."""

    def to_json(self) -> dict[str, Any]:
        return {"workflow_id": self.workflow_id, "request": dict(self.request)}

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> StartTriggered:
        return cls(workflow_id=str(payload["workflow_id"]), request=dict(payload["request"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalAnnounced:
    kind: ClassVar[EventKind] = EventKind.SIGNAL_ANNOUNCED
    queue: ClassVar[QueueId] = QueueId.TRIGGER

    name: str
    seq_id: int
    """0 until the store gives the signal its sequence id, in the same transaction."""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "seq_id": self.seq_id}

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> SignalAnnounced:
        return cls(name=str(payload["name"]), seq_id=int(payload["seq_id"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChanged:
    kind: ClassVar[EventKind] = EventKind.STATUS_CHANGED
    queue: ClassVar[QueueId] = QueueId.ALERT

    workflow_id: str
    instance_id: int = 0
    """0 for a change of the workflow itself (a new version)."""
    run_id: int = 0
    step_id: str = ""
    """Empty for a change of the run (or of the workflow)."""
    attempt_id: int = 0
    status: str
    time: int
    """When the status changed, in epoch milliseconds."""
    error: str = ""
    """A summary of why a step or run failed."""
    version_id: int = 0
    """The new version, for a change of the workflow."""

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow_id": self.workflow_id,
            "workflow_version_id": self.version_id,
            "workflow_instance_id": self.instance_id,
            "workflow_run_id": self.run_id,
            "step_id": self.step_id,
            "step_attempt_id": self.attempt_id,
            "status": self.status,
            "event_time": self.time,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> StatusChanged:
        return cls(
            workflow_id=str(payload["workflow_id"]),
            instance_id=int(payload["workflow_instance_id"]),
            run_id=int(payload["workflow_run_id"]),
            step_id=str(payload["step_id"]),
            attempt_id=int(payload["step_attempt_id"]),
            status=str(payload["status"]),
            time=int(payload["event_time"]),
            error=str(payload.get("error", "")),
            version_id=int(payload.get("workflow_version_id", 0)),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Deliver:
    kind: ClassVar[EventKind] = EventKind.DELIVER
    queue: ClassVar[QueueId] = QueueId.ALERT

    delivery_id: int

    def to_json(self) -> dict[str, Any]:
        return {"delivery_id": self.delivery_id}

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> Deliver:
        return cls(delivery_id=int(payload["delivery_id"]))


EventPayload = (
    StartWorkflow
    | LaunchFlow
    | InstanceAction
    | StepActionEvent
    | StartTriggered
    | SignalAnnounced
    | StatusChanged
    | Deliver
)

PAYLOAD_TYPES: Mapping[EventKind, type[EventPayload]] = {
    payload.kind: payload
    for payload in (
        StartWorkflow,
        LaunchFlow,
        InstanceAction,
        StepActionEvent,
        StartTriggered,
        SignalAnnounced,
        StatusChanged,
        Deliver,
    )
}


def decode_payload(kind: str, payload: Mapping[str, Any]) -> EventPayload:
    """The typed payload of a stored event; ``ValueError``/``KeyError`` for a malformed one."""
    return PAYLOAD_TYPES[EventKind(kind)].from_json(payload)
