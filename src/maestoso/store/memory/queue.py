"""The job-event queue and flow-group leases in memory."""

from __future__ import annotations

from maestoso.store.memory.base import MemoryBase, Message, check_limit, copied, round_trip
from maestoso.store.records import Fence, GroupRow, JobEvent, QueuedEvent


class QueueMethods(MemoryBase):
    """The ``QueueStore`` part of ``MemoryStore``."""

    async def enqueue(self, events: list[JobEvent]) -> None:
        await round_trip()
        self._enqueue(events)

    async def claim_events(
        self, *, owner: str, now: int, lease_ms: int, limit: int, queue_ids: list[int] | None = None
    ) -> list[QueuedEvent]:
        if limit < 0 or lease_ms < 0:
            raise ValueError(f"limit and lease must not be negative, got {limit}, {lease_ms}")
        await round_trip()
        ready = [
            message
            for message in self._tables.queue.values()
            if not message.parked
            and message.available_at <= now
            and message.owned_until < now
            and (queue_ids is None or message.event.queue_id in queue_ids)
        ]
        ready.sort(key=lambda m: (m.available_at, m.msg_id))
        claimed = []
        until = now + lease_ms
        for message in ready[:limit]:
            message.owned_until, message.owner = until, owner
            message.attempts += 1
            # As on SQL: a claim moves the event past its lease, so that an expired lease
            # makes it available again without another write.
            message.available_at = until + 1
            claimed.append(_queued(message, attempts=message.attempts - 1))
        return sorted(claimed, key=lambda e: e.msg_id)

    async def complete_event(self, msg_id: int) -> None:
        await round_trip()
        self._tables.queue.pop(msg_id, None)

    async def retry_event(self, msg_id: int, *, available_at: int, error: str) -> None:
        await round_trip()
        message = self._released(msg_id, error)
        if message is not None:
            message.available_at = available_at

    async def park_event(self, msg_id: int, *, error: str) -> None:
        await round_trip()
        message = self._released(msg_id, error)
        if message is not None:
            message.parked = True

    def _released(self, msg_id: int, error: str) -> Message | None:
        message = self._tables.queue.get(msg_id)
        if message is not None:
            message.owned_until, message.owner, message.last_error = 0, None, error
        return message

    async def parked_events(self, limit: int = 100) -> list[tuple[QueuedEvent, str]]:
        check_limit(limit)
        await round_trip()
        parked = sorted((m for m in self._tables.queue.values() if m.parked), key=_msg_id)
        return [(_queued(m, attempts=m.attempts), m.last_error or "") for m in parked[:limit]]

    async def next_available_time(self, queue_ids: list[int] | None = None) -> int | None:
        await round_trip()
        times = [
            m.available_at
            for m in self._tables.queue.values()
            if not m.parked and (queue_ids is None or m.event.queue_id in queue_ids)
        ]
        return min(times, default=None)


class GroupMethods(MemoryBase):
    """The ``FlowGroupStore`` part of ``MemoryStore``."""

    async def claim_group(
        self, group_id: int, *, owner: str, now: int, lease_ms: int
    ) -> Fence | None:
        await round_trip()
        current = self._tables.groups.get(group_id)
        if current is not None and not (
            current.owner is None or current.owned_until < now or current.owner == owner
        ):
            return None
        generation = 1 if current is None else current.generation + 1
        self._tables.groups[group_id] = GroupRow(
            group_id=group_id,
            generation=generation,
            owner=owner,
            heartbeat_time=now,
            owned_until=now + lease_ms,
        )
        return Fence(group_id=group_id, generation=generation)

    async def heartbeat_group(self, fence: Fence, *, now: int, lease_ms: int) -> bool:
        await round_trip()
        current = self._held(fence)
        if current is None:
            return False
        self._tables.groups[fence.group_id] = GroupRow(
            group_id=current.group_id,
            generation=current.generation,
            owner=current.owner,
            heartbeat_time=now,
            owned_until=now + lease_ms,
        )
        return True

    async def release_group(self, fence: Fence) -> None:
        await round_trip()
        current = self._held(fence)
        if current is not None:
            self._tables.groups[fence.group_id] = GroupRow(
                group_id=current.group_id,
                generation=current.generation,
                owner=None,
                heartbeat_time=current.heartbeat_time,
                owned_until=0,
            )

    async def list_groups(self) -> list[GroupRow]:
        await round_trip()
        groups = self._tables.groups
        return [copied(groups[group_id]) for group_id in sorted(groups)]

    def _held(self, fence: Fence) -> GroupRow | None:
        current = self._tables.groups.get(fence.group_id)
        if current is None or current.generation != fence.generation:
            return None
        return current


def _msg_id(message: Message) -> int:
    return message.msg_id


def _queued(message: Message, *, attempts: int) -> QueuedEvent:
    event = message.event
    return QueuedEvent(
        msg_id=message.msg_id,
        queue_id=event.queue_id,
        type=event.type,
        payload=copied(event.payload),
        attempts=attempts,
        owned_until=message.owned_until,
        create_time=message.create_time,
    )
