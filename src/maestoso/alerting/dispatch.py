"""Sending deliveries: each ``DELIVER`` event sends its delivery, retried with backoff on the
clock.

A failed attempt is recorded on the delivery (attempts, last error) and its event comes back
after the backoff; after the last attempt, or an error no retry can mend, the delivery is
``FAILED`` and kept.

The event stream keeps each instance's order: an event sends its instance's pending changes
one after the other, unless an older change is pending, whose event does that (a change that
keeps failing holds the later ones back instead of each retrying on its own). An event that
drains is completed only when the drain is done, so a crash or a failure leaves it to drain
again.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence

from maestoso.alerting.notifier import ALERT_CHANNELS, Message, Notifier, PermanentError
from maestoso.models.events import Deliver
from maestoso.queue import RetryLater
from maestoso.store.deliveries import DeliveryRow, DeliveryStatus, DeliveryStore

logger = logging.getLogger(__name__)

ERROR_CHARS = 500


class Dispatcher:
    def __init__(
        self,
        store: DeliveryStore,
        notifiers: Sequence[Notifier],
        *,
        retry_seconds: float,
        retry_max_seconds: float,
        max_attempts: int,
    ) -> None:
        self._store = store
        self._notifiers = {n.name: n for n in notifiers}
        self._retry_seconds = retry_seconds
        self._retry_max_seconds = retry_max_seconds
        self._max_attempts = max_attempts
        self._streams: weakref.WeakValueDictionary[tuple[str, str, int], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def backoff(self, attempts: int) -> float:
        """The pause after the ``attempts``-th failed attempt."""
        delay: float = self._retry_seconds * 2.0 ** min(attempts - 1, 30)
        return min(delay, self._retry_max_seconds)

    async def on_deliver(self, event: Deliver) -> None:
        row = await self._store.get_delivery(event.delivery_id)
        if row is None:
            return  # its workflow was deleted
        if row.notifier in ALERT_CHANNELS:
            if row.status is DeliveryStatus.PENDING:  # else sent before a crash, or given up
                await self._send(row)
            return
        key = (row.notifier, row.workflow_id, row.instance_id)
        lock = self._streams.get(key)
        if lock is None:
            lock = self._streams[key] = asyncio.Lock()
        async with lock:
            await self._drain(row)

    async def _drain(self, row: DeliveryRow) -> None:
        """Send the instance's pending changes in order, unless an older one than ``row`` is
        pending: its event drains. ``row`` itself may be sent already: an event that drained
        and failed on a later change comes back to finish the drain."""
        while True:
            pending = await self._store.pending_deliveries(
                row.notifier, row.workflow_id, row.instance_id
            )
            if not pending or pending[0].delivery_id < row.delivery_id:
                return
            sent: list[int] = []
            try:
                for earliest in pending:
                    if await self._attempt(earliest):
                        sent.append(earliest.delivery_id)
            finally:
                # One write for the whole drain (a crash before it sends them again).
                await self._store.record_delivery_attempts(
                    sent, status=DeliveryStatus.SENT, error=None
                )

    async def _send(self, row: DeliveryRow) -> None:
        if await self._attempt(row):
            await self._store.record_delivery_attempts(
                [row.delivery_id], status=DeliveryStatus.SENT, error=None
            )

    async def _attempt(self, row: DeliveryRow) -> bool:
        """One attempt: True if sent; a failure is recorded, and raises ``RetryLater`` if it
        may pass."""
        notifier = self._notifiers.get(row.notifier)
        if notifier is None:
            await self._give_up(row, f"no notifier [{row.notifier}] is configured")
            return False
        try:
            await notifier.send(Message.from_json(row.message))
        except PermanentError as exc:
            await self._give_up(row, str(exc))
            return False
        except Exception as exc:
            await self._failed(row, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS])
            return False
        return True

    async def _failed(self, row: DeliveryRow, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self._max_attempts:
            await self._give_up(row, error)
            return
        await self._store.record_delivery_attempts(
            [row.delivery_id], status=DeliveryStatus.PENDING, error=error
        )
        delay = self.backoff(attempts)
        logger.warning(
            "delivery %s (%s) failed: %s; again in %.1fs",
            row.delivery_id,
            row.notifier,
            error,
            delay,
        )
        raise RetryLater(delay, error)

    async def _give_up(self, row: DeliveryRow, error: str) -> None:
        logger.error("delivery %s (%s) failed for good: %s", row.delivery_id, row.notifier, error)
        await self._store.record_delivery_attempts(
            [row.delivery_id], status=DeliveryStatus.FAILED, error=error
        )
