"""Announced signals and the time and signal triggers in memory."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from maestoso.store.memory.base import MemoryBase, copied, round_trip
from maestoso.store.records import JobEvent
from maestoso.store.triggering import (
    ParamCondition,
    SignalInstanceRow,
    SignalTriggerRow,
    TimeTriggerRow,
)

_LONG_BOUND = 1 << 63
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class SignalMethods(MemoryBase):
    """The ``SignalStore`` part of ``MemoryStore``."""

    async def add_signal(
        self, signal: SignalInstanceRow, events: list[JobEvent]
    ) -> SignalInstanceRow | None:
        for value in signal.params.values():
            _check_value(value)
        await round_trip()
        tables = self._tables
        if (signal.name, signal.instance_id) in tables.signal_ids:
            return None
        by_seq = tables.signals.setdefault(signal.name, {})
        seq_id = max(by_seq, default=0) + 1
        stored = replace(copied(signal), seq_id=seq_id)
        by_seq[seq_id] = stored
        tables.signal_ids[(signal.name, signal.instance_id)] = seq_id
        self._enqueue([_with_seq_id(event, seq_id) for event in events])
        return copied(stored)

    async def get_signal(self, name: str, seq_id: int | None = None) -> SignalInstanceRow | None:
        await round_trip()
        by_seq = self._tables.signals.get(name, {})
        if seq_id is None:
            seq_id = max(by_seq, default=0)
        return copied(by_seq.get(seq_id))

    async def match_signal(
        self, name: str, conditions: list[ParamCondition], *, after: int = 0
    ) -> int | None:
        await round_trip()
        return self._match(name, conditions, after)

    def _match(self, name: str, conditions: list[ParamCondition], after: int) -> int | None:
        for condition in conditions:
            if condition.operator not in _OPERATORS:
                raise ValueError(f"unknown signal operator [{condition.operator}]")
            _check_value(condition.value)
        by_seq = self._tables.signals.get(name, {})
        for seq_id in sorted(s for s in by_seq if s > after):
            if all(_meets(by_seq[seq_id].params, c) for c in conditions):
                return seq_id
        return None


class TriggerMethods(SignalMethods):
    """The ``TriggerStore`` part of ``MemoryStore``."""

    async def replace_triggers(
        self,
        workflow_id: str,
        *,
        time_triggers: list[TimeTriggerRow],
        signal_triggers: list[SignalTriggerRow],
    ) -> None:
        await round_trip()
        tables = self._tables
        kept = {(workflow_id, r.trigger_uuid, r.trigger_index): r for r in time_triggers}
        for key in [k for k in tables.time_triggers if k[0] == workflow_id and k not in kept]:
            del tables.time_triggers[key]
        for key, row in kept.items():
            current = tables.time_triggers.get(key)
            # A trigger already there keeps its watermark; its definition is refreshed.
            stored = copied(row) if current is None else replace(current, definition=row.definition)
            tables.time_triggers[key] = replace(copied(stored), workflow_id=workflow_id)
        uuids = {row.trigger_uuid for row in signal_triggers}
        for stale in [k for k in tables.signal_triggers if k[0] == workflow_id]:
            if stale[1] not in uuids:
                del tables.signal_triggers[stale]
        for trigger in signal_triggers:
            signals = sorted(set(trigger.signals))
            latest = [max(tables.signals.get(name, {}), default=0) for name in signals]
            tables.signal_triggers.setdefault(
                (workflow_id, trigger.trigger_uuid),
                SignalTriggerRow(
                    workflow_id=workflow_id,
                    trigger_uuid=trigger.trigger_uuid,
                    definition=copied(trigger.definition),
                    signals=signals,
                    checkpoints=latest,
                ),
            )

    async def list_time_triggers(self, workflow_id: str) -> list[TimeTriggerRow]:
        await round_trip()
        rows = self._tables.time_triggers
        return [copied(rows[k]) for k in sorted(k for k in rows if k[0] == workflow_id)]

    async def list_signal_triggers(self, workflow_id: str) -> list[SignalTriggerRow]:
        await round_trip()
        rows = self._tables.signal_triggers
        return [copied(rows[k]) for k in sorted(k for k in rows if k[0] == workflow_id)]

    async def triggered_workflows(self) -> list[str]:
        await round_trip()
        tables = self._tables
        found = {key[0] for key in tables.time_triggers} | {
            key[0] for key in tables.signal_triggers
        }
        for workflow_id, workflow in tables.workflows.items():
            active = tables.versions.get(workflow_id, {}).get(workflow.active_version_id)
            if active is not None and active.trigger_uuids is not None:
                found.add(workflow_id)
        return sorted(found)

    async def due_time_triggers(self, now: int, *, limit: int) -> list[TimeTriggerRow]:
        await round_trip()
        rows = self._tables.time_triggers
        due = sorted(
            (row.next_fire_time, key)
            for key, row in rows.items()
            if row.next_fire_time is not None and row.next_fire_time <= now
        )
        return [copied(rows[key]) for _, key in due[:limit]]

    async def next_time_trigger_fire(self) -> int | None:
        await round_trip()
        times = [r.next_fire_time for r in self._tables.time_triggers.values()]
        return min((t for t in times if t is not None), default=None)

    async def advance_time_trigger(
        self,
        row: TimeTriggerRow,
        *,
        watermark: int,
        next_fire_time: int | None,
        events: list[JobEvent],
    ) -> bool:
        await round_trip()
        key = (row.workflow_id, row.trigger_uuid, row.trigger_index)
        current = self._tables.time_triggers.get(key)
        if current is None or current.watermark != row.watermark:
            return False
        self._tables.time_triggers[key] = replace(
            current, watermark=watermark, next_fire_time=next_fire_time
        )
        self._enqueue(events)
        return True

    async def subscribed_triggers(self, signal_name: str) -> list[tuple[str, str]]:
        await round_trip()
        rows = self._tables.signal_triggers
        return sorted(key for key, row in rows.items() if signal_name in row.signals)

    async def fire_signal_trigger(
        self,
        workflow_id: str,
        trigger_uuid: str,
        *,
        base: tuple[str, int],
        lookups: dict[str, list[ParamCondition]],
        events: Callable[[dict[str, int]], list[JobEvent]],
    ) -> dict[str, int] | None:
        await round_trip()
        row = self._tables.signal_triggers.get((workflow_id, trigger_uuid))
        if row is None:
            return None
        marks = dict(zip(row.signals, row.checkpoints, strict=True))
        name, seq_id = base
        if name not in marks or marks[name] >= seq_id:
            return None  # consumed already, or no longer part of the trigger
        matched = {name: seq_id}
        for other, conditions in lookups.items():
            found = None if other not in marks else self._match(other, conditions, marks[other])
            if found is None:
                return None
            matched[other] = found
        to_enqueue = events(matched)
        checkpoints = [matched.get(signal, mark) for signal, mark in marks.items()]
        self._tables.signal_triggers[(workflow_id, trigger_uuid)] = replace(
            row, checkpoints=checkpoints
        )
        self._enqueue(to_enqueue)
        return dict(matched)


def _check_value(value: object) -> None:
    """Signal params are strings or longs, as the SQL store indexes them."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"signal params are strings or longs, not {value!r}")
    if isinstance(value, int) and not -_LONG_BOUND <= value < _LONG_BOUND:
        raise ValueError(f"{value} does not fit in a long")


def _meets(params: dict[str, object], condition: ParamCondition) -> bool:
    if condition.param not in params:
        return False
    value = params[condition.param]
    # A string never compares with a long (their encodings occupy separate ranges on SQL).
    if isinstance(value, str) != isinstance(condition.value, str):
        return False
    return _OPERATORS[condition.operator](value, condition.value)


def _with_seq_id(event: JobEvent, seq_id: int) -> JobEvent:
    if event.payload.get("seq_id") != 0:
        return event
    return replace(event, payload={**event.payload, "seq_id": seq_id})
