"""The signal and trigger parts of the store port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from maestoso.store.records import JobEvent, JsonDict


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalInstanceRow:
    """One announced signal (``maestro_signal_instance``)."""

    name: str
    seq_id: int
    """Its number among the signals of its name, from 1; 0 before it is stored."""
    instance_id: str
    """The dedup id: a second signal of the same name and id is not stored."""
    params: JsonDict
    """Indexed (matchable) params: strings and longs only."""
    payload: JsonDict | None
    request_time: int
    create_time: int

    def to_json(self) -> JsonDict:
        """Maestro's ``SignalInstance`` JSON."""
        body: JsonDict = {
            "name": self.name,
            "seq_id": self.seq_id,
            "instance_id": self.instance_id,
            "params": self.params,
            "payload": self.payload,
            "request_time": self.request_time,
            "create_time": self.create_time,
        }
        return {key: value for key, value in body.items() if value is not None}


@dataclass(frozen=True, slots=True)
class ParamCondition:
    """``param <operator> value`` over a signal's indexed params."""

    param: str
    operator: str
    """``=``, ``>``, ``>=``, ``<`` or ``<=``."""
    value: str | int


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalTriggerRow:
    """A signal trigger of a workflow's active version (``maestro_signal_trigger``)."""

    workflow_id: str
    trigger_uuid: str
    definition: JsonDict
    signals: list[str]
    """The signal names, sorted."""
    checkpoints: list[int]
    """The last consumed ``seq_id`` of each of ``signals`` (0: none yet)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeTriggerRow:
    """One time trigger of a workflow's active version (``maestro_time_trigger``)."""

    workflow_id: str
    trigger_uuid: str
    trigger_index: int
    definition: JsonDict
    """``{"trigger": <the time trigger>, ...}`` plus what firing needs (catch-up policy)."""
    watermark: int
    """The last scheduled time handled (fired or skipped), epoch ms."""
    next_fire_time: int | None
    """When the next scheduled time is due (jitter included); None: never again."""


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
