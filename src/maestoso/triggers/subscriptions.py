"""Which triggers are live: the time and signal triggers of each workflow's active version.

``sync_triggers`` makes a workflow's trigger rows match its active version and properties
(``time_trigger_disabled``, ``signal_trigger_disabled``). Definition changes call it at once;
the scheduler also runs it over every triggered workflow now and then, which repairs anything
a crash between a change and its sync left behind.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from maestoso.clock import Clock
from maestoso.store.port import DefinitionStore
from maestoso.store.records import VersionRow, WorkflowRow
from maestoso.store.triggering import SignalTriggerRow, TimeTriggerRow, TriggerStore
from maestoso.triggers.catch_up import catch_up_policy
from maestoso.triggers.time import Schedule, schedule_problem

logger = logging.getLogger(__name__)


class TriggerSyncStore(DefinitionStore, TriggerStore, Protocol):
    """What syncing needs of the store."""


async def sync_triggers(store: TriggerSyncStore, clock: Clock, workflow_id: str) -> None:
    """Make the workflow's trigger rows those of its active version (none when it has none)."""
    now = clock.now_ms()
    workflow = await store.get_workflow(workflow_id)
    version = None
    if workflow is not None and workflow.active_version_id:
        version = await store.get_version(workflow_id, workflow.active_version_id)
    if workflow is None or version is None:
        await store.replace_triggers(workflow_id, time_triggers=[], signal_triggers=[])
        return
    await store.replace_triggers(
        workflow_id,
        time_triggers=time_rows(workflow, version, now),
        signal_triggers=signal_rows(workflow, version),
    )


def live_since(workflow: WorkflowRow, now: int) -> int:
    """When the active version's triggers went live: its activation or the last change of
    the properties (which may have re-enabled them), whichever came last."""
    changed = workflow.properties_snapshot.get("create_time") or 0
    return min(now, max(workflow.activate_time or 0, int(changed)))


def time_rows(workflow: WorkflowRow, version: VersionRow, now: int) -> list[TimeTriggerRow]:
    uuid = (version.trigger_uuids or {}).get("time_trigger_uuid")
    if not uuid or workflow.properties_snapshot.get("time_trigger_disabled"):
        return []
    since = live_since(workflow, now)
    policy = catch_up_policy(version.metadata)
    rows = []
    for index, trigger in enumerate(version.definition.get("time_triggers") or []):
        schedule = Schedule(trigger, workflow.workflow_id, anchor=since)
        problem = schedule_problem(schedule, since)
        if problem:
            logger.warning(
                "workflow [%s] trigger %d not scheduled: %s", workflow.workflow_id, index, problem
            )
            continue
        scheduled = schedule.next_after(since)
        rows.append(
            TimeTriggerRow(
                workflow_id=workflow.workflow_id,
                trigger_uuid=uuid,
                trigger_index=index,
                definition={"trigger": trigger, "anchor": since, "catch_up": policy.to_json()},
                watermark=since,
                next_fire_time=None if scheduled is None else schedule.fire_time(scheduled),
            )
        )
    return rows


def signal_rows(workflow: WorkflowRow, version: VersionRow) -> list[SignalTriggerRow]:
    uuids: dict[str, Any] = (version.trigger_uuids or {}).get("signal_trigger_uuids") or {}
    if not uuids or workflow.properties_snapshot.get("signal_trigger_disabled"):
        return []
    triggers = version.definition.get("signal_triggers") or []
    rows = []
    for uuid, index in uuids.items():
        trigger = triggers[int(index)]
        rows.append(
            SignalTriggerRow(
                workflow_id=workflow.workflow_id,
                trigger_uuid=uuid,
                definition=trigger,
                signals=sorted(trigger.get("definitions") or {}),
                checkpoints=[],
            )
        )
    return rows
