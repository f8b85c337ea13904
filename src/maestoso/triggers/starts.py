"""The ``START_TRIGGERED`` events triggers enqueue: a workflow id and a start request."""

from __future__ import annotations

from typing import Any

from maestoso.models.events import StartTriggered
from maestoso.models.naming import canonical, name_uuid
from maestoso.store.records import JobEvent
from maestoso.triggers.time import Schedule


def start_event(workflow_id: str, request: dict[str, Any]) -> JobEvent:
    return JobEvent.of(StartTriggered(workflow_id=workflow_id, request=request))


def time_start(schedule: Schedule, trigger_uuid: str, fire_time: int, now: int) -> JobEvent:
    """The start of one scheduled time, as Maestro's time trigger makes it: request id from
    the workflow, the trigger and the epoch second (so a time fires one instance however often
    it is asked), ``RUN_TS`` the fire time, failed params kept as a failed run."""
    workflow_id = schedule.workflow_id
    initiator: dict[str, Any] = {
        "type": "TIME",
        "trigger_uuid": trigger_uuid,
        "trigger_time": fire_time,
    }
    if schedule.trigger.get("timezone"):
        initiator["timezone"] = schedule.trigger["timezone"]
    request = {
        "initiator": initiator,
        "request_time": now,
        "request_id": name_uuid(f"{workflow_id}:{canonical(schedule.trigger)}:{fire_time // 1000}"),
        "run_params": {"RUN_TS": {"value": fire_time, "type": "LONG"}},
        "persist_failed_run": True,
    }
    return start_event(workflow_id, request)
