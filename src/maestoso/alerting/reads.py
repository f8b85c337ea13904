"""What alerting adds to a run as the API shows it: its ``eta`` and its deliveries.

Deliveries join the run's timeline when it is read, not by writing the run: the run's row
belongs to its flow (fenced writes), and a delivery's status changes after the run ended.
"""

from __future__ import annotations

from typing import Any

from maestoso.alerting.deadlines import deadline
from maestoso.alerting.decide import run_alerting
from maestoso.alerting.history import Predictions
from maestoso.models.naming import is_inline
from maestoso.store.deliveries import DeliveryRow, DeliveryStore
from maestoso.store.records import InstanceRow


def delivery_json(row: DeliveryRow) -> dict[str, Any]:
    message = row.message
    return {
        "delivery_id": row.delivery_id,
        "notifier": row.notifier,
        "alert_type": row.alert_type,
        "workflow_id": row.workflow_id,
        "workflow_instance_id": row.instance_id,
        "workflow_run_id": row.run_id,
        "step_id": row.step_id or None,
        "to": message.get("to") or [],
        "title": message.get("title", ""),
        "resolve": bool(message.get("resolve")),
        "status": row.status.value,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "create_time": row.create_time,
        "modify_time": row.modify_time,
    }


def timeline_entry(row: DeliveryRow) -> dict[str, Any]:
    to = ", ".join(row.message.get("to") or []) or row.notifier
    message = f"{row.alert_type} alert {row.status.value.lower()} by {row.notifier} to [{to}]"
    if row.attempts > 1:
        message += f" after {row.attempts} attempts"
    if row.last_error and row.status.value != "SENT":
        message += f": {row.last_error}"
    level = "WARN" if row.status.value == "FAILED" else "INFO"
    return {"timestamp": row.modify_time, "type": "LOG", "level": level, "message": message}


class RunAlerts:
    def __init__(self, store: DeliveryStore, predictions: Predictions) -> None:
        self._store = store
        self._predictions = predictions

    async def deliveries(self, workflow_id: str, instance_id: int) -> list[dict[str, Any]]:
        return [
            delivery_json(row)
            for row in await self._store.list_deliveries(workflow_id, instance_id)
        ]

    async def annotate(self, row: InstanceRow, run: dict[str, Any]) -> dict[str, Any]:
        """``run`` (Maestro's JSON of ``row``) with its ``eta`` while it runs (its ``tct`` as
        ``deadline_time`` when it has one) and its alert deliveries in its timeline (the event
        stream's are left out: one per status change)."""
        if is_inline(row.workflow_id):
            return run  # a loop iteration: its loop step's run is the one estimated
        eta = await self._predictions.read(row)
        if eta is not None:
            run["eta"] = eta.to_json()
            alerting = run_alerting(row, workflow_disabled=False)
            if alerting is not None and alerting.tct is not None:
                # the moment the estimate is judged against, so a reader need not work out a
                # completed_by_hour in its time zone again
                due = deadline(alerting.tct, row.start_time or row.create_time)
                run["eta"]["deadline_time"] = due
        rows = await self._store.list_deliveries(row.workflow_id, row.instance_id)
        entries = [
            timeline_entry(d)
            for d in rows
            if d.run_id == row.run_id and d.alert_type != "STATUS_CHANGE"
        ]
        if entries:
            timeline = [*(run.get("timeline") or []), *entries]
            run["timeline"] = sorted(timeline, key=lambda e: e.get("timestamp") or 0)
        return run
