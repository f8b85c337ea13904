"""What every part of ``MemoryStore`` shares: the tables, the clock, fencing and enqueueing.

Each method does all its checks before its first write, so a failed call writes nothing, as
a rolled-back transaction would; and no method awaits between its first read and its last
write, so on one event loop every call is atomic. Each call yields to the loop once before it
starts, as a round trip to a database would, so that callers interleave as they do on SQL.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from typing import Any, TypeVar

from maestoso.clock import Clock, SystemClock
from maestoso.errors import FencedError
from maestoso.store.controls import BreakpointRow, TagPermitRow
from maestoso.store.deliveries import DeliveryRow
from maestoso.store.records import (
    Fence,
    GroupRow,
    InstanceRow,
    JobEvent,
    NodeRow,
    PropertiesChange,
    StepAttemptRow,
    TimelineEntry,
    VersionRow,
    WorkflowRow,
)
from maestoso.store.templates import JobTemplateRow
from maestoso.store.triggering import SignalInstanceRow, SignalTriggerRow, TimeTriggerRow

T = TypeVar("T")

InstanceKey = tuple[int, int]
"""``(instance_id, run_id)`` within a workflow."""
AttemptKey = tuple[int, str, int]
"""``(run_id, step_id, attempt_id)`` within an instance."""
BreakpointKey = tuple[str, str, bool, int, int, int, int]


@dataclass(slots=True)
class Message:
    """A row of the queue; mutable, and never handed out (claims return ``QueuedEvent``)."""

    msg_id: int
    event: JobEvent
    create_time: int
    available_at: int
    owned_until: int = 0
    owner: str | None = None
    attempts: int = 0
    parked: bool = False
    last_error: str | None = None


@dataclass(slots=True)
class Tables:
    """Every row the store holds. Rows are frozen records that nobody outside holds a
    reference to (they are copied in and out), so replacing one is the only way to change it."""

    workflows: dict[str, WorkflowRow] = field(default_factory=dict)
    versions: dict[str, dict[int, VersionRow]] = field(default_factory=dict)
    properties: dict[str, dict[int, PropertiesChange]] = field(default_factory=dict)
    timeline: dict[str, dict[tuple[int, str], TimelineEntry]] = field(default_factory=dict)
    next_internal_id: int = 10000
    instances: dict[str, dict[InstanceKey, InstanceRow]] = field(default_factory=dict)
    steps: dict[tuple[str, int], dict[AttemptKey, StepAttemptRow]] = field(default_factory=dict)
    queue: dict[int, Message] = field(default_factory=dict)
    next_msg_id: int = 1
    groups: dict[int, GroupRow] = field(default_factory=dict)
    nodes: dict[str, NodeRow] = field(default_factory=dict)
    signals: dict[str, dict[int, SignalInstanceRow]] = field(default_factory=dict)
    signal_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    time_triggers: dict[tuple[str, str, int], TimeTriggerRow] = field(default_factory=dict)
    signal_triggers: dict[tuple[str, str], SignalTriggerRow] = field(default_factory=dict)
    breakpoints: dict[BreakpointKey, BreakpointRow] = field(default_factory=dict)
    tag_permits: dict[str, TagPermitRow] = field(default_factory=dict)
    held_permits: dict[str, dict[str, int]] = field(default_factory=dict)
    output_data: dict[tuple[str, str], tuple[str | None, dict[str, Any]]] = field(
        default_factory=dict
    )
    tokens: dict[str, Any] = field(default_factory=dict)
    """``TokenRow`` by token id (see ``memory.security``)."""
    audit: list[Any] = field(default_factory=list)
    """``AuditEntry`` rows, oldest first."""
    job_templates: dict[tuple[str, str], JobTemplateRow] = field(default_factory=dict)
    deliveries: dict[int, DeliveryRow] = field(default_factory=dict)
    delivery_keys: dict[str, int] = field(default_factory=dict)
    next_delivery_id: int = 1


class MemoryBase:
    """The tables and the clock."""

    def __init__(
        self, clock: Clock | None = None, *, shared_with: MemoryBase | None = None
    ) -> None:
        """An empty store, or with ``shared_with`` a second handle on that store's rows (as
        a second node on one database: it may have its own clock). ``clock`` stamps the
        ``create_time`` of queued events (the system clock by default)."""
        self._tables: Tables = Tables() if shared_with is None else shared_with._tables
        self._clock: Clock = clock or SystemClock()

    async def close(self) -> None:
        """Nothing to release; the rows stay readable by other handles."""

    def _enqueue(self, events: list[JobEvent]) -> None:
        tables, now = self._tables, self._clock.now_ms()
        for event in events:
            msg_id = tables.next_msg_id
            tables.next_msg_id += 1
            tables.queue[msg_id] = Message(
                msg_id=msg_id, event=copied(event), create_time=now, available_at=event.available_at
            )

    def _check_fence(self, fence: Fence | None) -> None:
        if fence is None:
            return
        group = self._tables.groups.get(fence.group_id)
        if group is None or group.generation != fence.generation:
            held = "no longer exists" if group is None else f"is at generation {group.generation}"
            raise FencedError(
                f"flow group {fence.group_id} {held}: a write under generation "
                f"{fence.generation} is refused"
            )


async def round_trip() -> None:
    """Give other tasks their turn, as waiting for a database would."""
    await asyncio.sleep(0)


def copied(value: T) -> T:
    """A deep copy: rows are frozen, but their documents are dicts a caller could mutate."""
    return copy.deepcopy(value)


def check_limit(limit: int) -> None:
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
