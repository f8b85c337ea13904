"""Timeline events: what happened to a workflow or an instance, and who did it."""

from __future__ import annotations

from typing import Any, Literal

from maestoso.models.base import CaseInsensitiveEnum, MaestroModel
from maestoso.models.users import UserRef


class WorkflowAction(CaseInsensitiveEnum):
    VALIDATE = "VALIDATE"
    START = "START"
    START_BATCH = "START_BATCH"
    STOP = "STOP"
    KILL = "KILL"
    ACTIVATE = "ACTIVATE"
    DEACTIVATE = "DEACTIVATE"
    UNBLOCK = "UNBLOCK"
    DELETE = "DELETE"


class ActionEvent(MaestroModel):
    timestamp: int
    type: Literal["ACTION"] = "ACTION"
    action: WorkflowAction
    author: UserRef | None = None
    message: str | None = None
    reason: str | None = None
    info: dict[str, Any] | None = None


class LogEvent(MaestroModel):
    timestamp: int
    type: Literal["LOG"] = "LOG"
    level: str = "INFO"
    message: str


class WorkflowTimelineEntry(MaestroModel):
    """An entry of a workflow's own timeline (``GET …/timeline``)."""

    author: UserRef | None = None
    log: str
    timestamp: int


def log_event(now: int, message: str) -> dict[str, Any]:
    """A ``LOG`` entry of a workflow or step timeline, in Maestro's JSON."""
    return {"timestamp": now, "type": "LOG", "level": "INFO", "message": message}
