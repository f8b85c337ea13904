"""The signal and trigger parts of the store port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from maestoso.store.records import (
    JobEvent,
    ParamCondition,
    SignalInstanceRow,
    SignalTriggerRow,
    TimeTriggerRow,
)


class SignalStore(Protocol):
    """Announced signals and their indexed params (``maestro_signal_instance``/``_param``)."""

    async def add_signal(
        self, signal: SignalInstanceRow, events: list[JobEvent]
    ) -> SignalInstanceRow | None:
        """Store the signal with the next ``seq_id`` of its name, index its params and
        enqueue ``events`` (a payload key ``seq_id`` with value 0 gets the allocated id), in
        one transaction. None, with nothing written, when a signal of that name already has
        ``signal.instance_id``."""
        ...

    async def get_signal(self, name: str, seq_id: int | None = None) -> SignalInstanceRow | None:
        """One signal, or the latest of its name when ``seq_id`` is None."""
        ...

    async def match_signal(
        self, name: str, conditions: list[ParamCondition], *, after: int = 0
    ) -> int | None:
        """The lowest ``seq_id`` above ``after`` of a signal of ``name`` whose params meet
        every condition (a param of another type than the condition's value never does)."""
        ...


class TriggerStore(Protocol):
    """The time and signal triggers of active workflow versions."""

    async def replace_triggers(
        self,
        workflow_id: str,
        *,
        time_triggers: list[TimeTriggerRow],
        signal_triggers: list[SignalTriggerRow],
    ) -> None:
        """Make these the workflow's triggers: rows of other trigger uuids go, rows already
        there stay as they are (watermarks and checkpoints kept), new ones are added. A new
        signal trigger starts after the latest signal of each of its names (the given
        checkpoints are ignored)."""
        ...

    async def list_time_triggers(self, workflow_id: str) -> list[TimeTriggerRow]: ...

    async def list_signal_triggers(self, workflow_id: str) -> list[SignalTriggerRow]: ...

    async def triggered_workflows(self) -> list[str]:
        """Workflows that have trigger rows, or an active version with trigger uuids."""
        ...

    async def due_time_triggers(self, now: int, *, limit: int) -> list[TimeTriggerRow]:
        """Time triggers whose ``next_fire_time <= now``, the earliest first."""
        ...

    async def next_time_trigger_fire(self) -> int | None:
        """The earliest ``next_fire_time`` of all time triggers, for timers."""
        ...

    async def advance_time_trigger(
        self,
        row: TimeTriggerRow,
        *,
        watermark: int,
        next_fire_time: int | None,
        events: list[JobEvent],
    ) -> bool:
        """Move the trigger's watermark on and enqueue ``events``, in one transaction, if its
        watermark is still ``row.watermark``; else (another scheduler did it) False and
        nothing written."""
        ...

    async def subscribed_triggers(self, signal_name: str) -> list[tuple[str, str]]:
        """``(workflow_id, trigger_uuid)`` of the signal triggers listening to the name."""
        ...

    async def fire_signal_trigger(
        self,
        workflow_id: str,
        trigger_uuid: str,
        *,
        base: tuple[str, int],
        lookups: dict[str, list[ParamCondition]],
        events: Callable[[dict[str, int]], list[JobEvent]],
    ) -> dict[str, int] | None:
        """With the trigger row locked: unless ``base`` (a signal name and seq id) is already
        consumed, find for each other signal of ``lookups`` its first match after its
        checkpoint; when all match, move the checkpoints to the matched ids, enqueue
        ``events(ids)`` and return the ids. None (nothing written) when the trigger is gone,
        the base consumed, or a signal unmatched."""
        ...
