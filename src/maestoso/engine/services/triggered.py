"""Starting the runs triggers ask for (``START_TRIGGERED``), with Maestro's checks.

A triggered start always runs the active version. No active version: the event fails for good
(parked, for a person to see). A trigger uuid that is not the active version's (the version
changed since) or a trigger type disabled in the properties: the start is dropped, as Maestro
answers 409 and 422 and stops that trigger. This module also wires the trigger components
(time scheduler, signal matcher) into the node.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from maestoso.clock import Clock
from maestoso.engine.runtime.signal_hub import SignalHub, signal_refs
from maestoso.engine.services.instances import InstanceService
from maestoso.errors import NotFoundError
from maestoso.models.events import SignalAnnounced, StartTriggered
from maestoso.models.start import InitiatorType, WorkflowStartRequest
from maestoso.queue import Route
from maestoso.store.port import Store
from maestoso.triggers.matching import SignalMatcher
from maestoso.triggers.scheduler import TimeScheduler

logger = logging.getLogger(__name__)

TRIGGER_CALLER = "maestro-trigger"
_DISABLED_FLAG = {
    InitiatorType.TIME: "time_trigger_disabled",
    InitiatorType.SIGNAL: "signal_trigger_disabled",
}


class TriggeredStarts:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        instances: InstanceService,
        signals: SignalHub,
        wake: Callable[[], None],
    ) -> None:
        self._store = store
        self._instances = instances
        self._signals = signals
        self.scheduler = TimeScheduler(store, clock, wake)
        self.matcher = SignalMatcher(store, clock, wake, on_signal=signals.announce)

    @property
    def routes(self) -> list[Route[Any]]:
        return [
            Route(StartTriggered, self.on_start_triggered),
            Route(SignalAnnounced, self.matcher.on_signal_announced),
        ]

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()

    async def on_start_triggered(self, event: StartTriggered) -> None:
        workflow_id = event.workflow_id
        request = WorkflowStartRequest.model_validate(event.request)
        workflow = await self._store.get_workflow(workflow_id)
        if workflow is None:
            logger.info("triggered start of deleted workflow [%s] dropped", workflow_id)
            return
        if not workflow.active_version_id:
            raise NotFoundError(
                f"Triggered workflow [{workflow_id}] has no active version to start"
            )
        version = await self._store.get_version(workflow_id, workflow.active_version_id)
        if version is None:
            raise NotFoundError(f"Cannot find the active version of workflow [{workflow_id}]")
        reason = skip_reason(request, version.trigger_uuids, workflow.properties_snapshot)
        if reason is not None:
            logger.info("triggered start of [%s] dropped: %s", workflow_id, reason)
            return
        await self._signals.prefetch(signal_refs(request.initiator.to_json()))
        await self._instances.start(
            workflow_id,
            str(workflow.active_version_id),
            request,
            trigger_caller(workflow.properties_snapshot),
        )


def trigger_caller(properties: dict[str, Any]) -> str:
    """Triggers run as the workflow's owner (``maestro-trigger`` when it names none)."""
    owner = properties.get("owner")
    if isinstance(owner, dict):
        owner = owner.get("name")
    return owner if isinstance(owner, str) and owner else TRIGGER_CALLER


def skip_reason(
    request: WorkflowStartRequest, uuids: dict[str, Any] | None, properties: dict[str, Any]
) -> str | None:
    """Why the start must not happen (Maestro's 409 and 422), or None."""
    initiator = request.initiator
    uuid = initiator.extras.get("trigger_uuid")
    uuids = uuids or {}
    if initiator.type is InitiatorType.TIME:
        valid = uuid is not None and uuid == uuids.get("time_trigger_uuid")
    else:
        valid = uuid in (uuids.get("signal_trigger_uuids") or {})
    if not valid:
        return "Invalid trigger initiator due to mismatch trigger uuid."
    flag = _DISABLED_FLAG.get(initiator.type)
    if flag and properties.get(flag):
        return f"Trigger type [{initiator.type.value}] is disabled in the workflow properties."
    return None
