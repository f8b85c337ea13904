"""The queue and flow-group parts of the store port: durable events and the leases that
share flows between nodes."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from maestoso.store.records import Fence, GroupRow, JobEvent, NodeRow, QueueBacklog, QueuedEvent


class QueueStore(Protocol):
    """The durable job-event queue (``maestro_queue``)."""

    async def enqueue(self, events: list[JobEvent]) -> None:
        """Add events on their own (the writes of a change enqueue theirs in its transaction).
        An event's ``create_time`` is the store's clock at enqueue time."""
        ...

    async def claim_events(
        self, *, owner: str, now: int, lease_ms: int, limit: int, queue_ids: list[int] | None = None
    ) -> list[QueuedEvent]:
        """Claim up to ``limit`` events that are available (``available_at <= now``), not
        parked, and not owned (``owned_until < now``), in the order they became available
        (``available_at``, then enqueue order); each becomes owned until ``now + lease_ms``
        and its attempt count goes up. Returned by ``msg_id``. Two claimers never get the
        same event while its lease runs. PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite:
        inside the single writer."""
        ...

    async def complete_event(self, msg_id: int) -> None:
        """Delete a handled event (a no-op if it is gone)."""
        ...

    async def retry_event(self, msg_id: int, *, available_at: int, error: str) -> None:
        """Release an event for another attempt at ``available_at``, keeping the error."""
        ...

    async def park_event(self, msg_id: int, *, error: str) -> None:
        """Set an event aside for good (kept with its error, never claimed again)."""
        ...

    async def parked_events(self, limit: int = 100) -> list[tuple[QueuedEvent, str]]:
        """Parked events and their last errors, oldest first; ``attempts`` is the number of
        claims it had."""
        ...

    async def next_available_time(self, queue_ids: list[int] | None = None) -> int | None:
        """The earliest time at which an unparked event (of ``queue_ids``, if given) can be
        claimed (its ``available_at``, or for a claimed one the end of its lease + 1), for
        timers; None if there is none."""
        ...

    async def queue_backlog(self, now: int) -> QueueBacklog:
        """How many events are due at ``now`` (and since when the oldest waits), and how many
        are parked: two counts over the queue's indexes, for the node's metrics."""
        ...


class FlowGroupStore(Protocol):
    """Ownership of flow groups (``maestro_flow_group``): a lease, a heartbeat, a generation."""

    async def claim_group(
        self, group_id: int, *, owner: str, now: int, lease_ms: int
    ) -> Fence | None:
        """Take the group if it is unowned, its lease expired, or already ``owner``'s;
        the generation goes up by one on every claim. None if another owner holds it."""
        ...

    async def heartbeat_group(self, fence: Fence, *, now: int, lease_ms: int) -> bool:
        """Extend the lease; False if the fence no longer holds (the group was taken)."""
        ...

    async def heartbeat_groups(self, fences: list[Fence], *, now: int, lease_ms: int) -> list[int]:
        """Extend the leases of every group whose fence holds, in one transaction; the ids
        of those groups (the others were taken)."""
        ...

    async def release_group(self, fence: Fence) -> None:
        """Give the group up (on shutdown), if the fence still holds: any owner may claim it
        at once. The generation stays until that claim, so stop writing before releasing."""
        ...

    async def list_groups(self) -> list[GroupRow]:
        """Every group ever claimed, by ``group_id``."""
        ...

    async def save_node(self, node: NodeRow) -> None:
        """Register a node or renew its heartbeat (``start_time`` stays the first one's)."""
        ...

    async def remove_node(self, node_id: str) -> None:
        """A node leaves (a no-op if it is not registered)."""
        ...

    async def list_nodes(self) -> list[NodeRow]:
        """Every registered node, alive or not, by ``node_id``."""
        ...

    async def groups_in_use(self, *, at_least: int) -> list[int]:
        """The groups, from ``at_least`` up, that hold resumable runs (IN_PROGRESS or
        PAUSED): runs stored under a larger group count than the one configured now."""
        ...


class Topic(StrEnum):
    """What a notification between nodes is about; ``topic`` or ``topic:detail``."""

    EVERYTHING = "*"
    """Anything may have changed (a listener reconnected)."""
    QUEUE = "queue"
    """Events were committed to the queue."""
    SIGNAL = "signal"
    """A signal of the name in the detail was announced."""
    BYPASS = "bypass"
    """A step waiting for signals (the detail, as JSON) is to go on without them."""
    CONTROLS = "controls"
    """Breakpoints or paused attempts changed."""
    NODES = "nodes"
    """A node joined or left: share the flow groups out again."""


class Listening(Protocol):
    async def close(self) -> None: ...


class NotificationStore(Protocol):
    """Wake-ups between the nodes of one database (PostgreSQL ``LISTEN/NOTIFY``); a store
    that only one process uses sends nothing and has nobody to listen to."""

    @property
    def shared(self) -> bool:
        """Whether other processes (nodes) may run flows on the same database."""
        ...

    async def notify(self, message: str) -> None:
        """Deliver ``message`` to every listener (the sender's own included)."""
        ...

    def listen(self, deliver: Callable[[str], None]) -> Listening | None:
        """Hand every notification to ``deliver`` until closed; None without other nodes.
        Delivery is best effort, so ``Topic.EVERYTHING`` comes after each (re)connection."""
        ...
