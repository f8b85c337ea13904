"""Alert deliveries in the store (``maestoso_delivery``): one row per message to send.

A delivery is written with the ``DELIVER`` event that sends it, in one transaction, so a
message decided on is never lost; its unique key makes deciding twice (a handler run again
after a crash) write it once. Sending updates the row: its status, attempts and last error
are what the API shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    """Given up after its attempts; kept with its last error."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NewDelivery:
    key: str
    """Unique: a second delivery with the same key is not written."""
    notifier: str
    """The name of the notifier that sends it (``email``, ``slack``, ``pagerduty``, ``webhook``)."""
    alert_type: str
    """An ``AlertType``, or ``STATUS_CHANGE`` for the event stream."""
    workflow_id: str
    instance_id: int
    run_id: int
    step_id: str
    message: dict[str, Any]
    """What the notifier sends, as it reads it back (``alerting.notifier.Message``)."""
    group: str = ""
    """Deliveries of one ``add_deliveries`` call with the same non-empty group share one
    ``DELIVER`` event, the first inserted one's (its handler sends the group's)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryRow:
    delivery_id: int
    notifier: str
    alert_type: str
    workflow_id: str
    instance_id: int
    run_id: int
    step_id: str
    message: dict[str, Any]
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    create_time: int
    modify_time: int


def announced(inserted: list[tuple[int, NewDelivery]]) -> list[int]:
    """The inserted deliveries that get a ``DELIVER`` event: each ungrouped one, and the
    first of each group."""
    seen: set[str] = set()
    ids: list[int] = []
    for delivery_id, new in inserted:
        if not new.group or new.group not in seen:
            ids.append(delivery_id)
            seen.add(new.group)
    return ids


class DeliveryStore(Protocol):
    async def add_deliveries(self, deliveries: list[NewDelivery]) -> list[int]:
        """Insert the deliveries whose key is new, each with a ``DELIVER`` event on the alert
        queue (one per ``group``), in one transaction; the ids of those inserted, in the
        given order."""
        ...

    async def get_delivery(self, delivery_id: int) -> DeliveryRow | None: ...

    async def record_delivery_attempts(
        self, delivery_ids: list[int], *, status: DeliveryStatus, error: str | None
    ) -> None:
        """One more attempt of each, with its outcome (``error`` None on success)."""
        ...

    async def pending_deliveries(
        self, notifier: str, workflow_id: str, instance_id: int, *, limit: int = 100
    ) -> list[DeliveryRow]:
        """The deliveries of one notifier and instance still pending, oldest first: the
        event stream sends them in this order."""
        ...

    async def list_deliveries(
        self, workflow_id: str, instance_id: int | None = None, *, limit: int = 200
    ) -> list[DeliveryRow]:
        """A workflow's deliveries (of one instance when given), oldest first."""
        ...
