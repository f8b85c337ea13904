"""Sending a delivery: one attempt per ``DELIVER`` event, retried with backoff on the clock.

A failed attempt is recorded on the delivery (attempts, last error) and its event comes back
after the backoff; after the last attempt, or an error no retry can mend, the delivery is
``FAILED`` and kept. The event stream keeps each instance's order: a status change waits
while an earlier one of the same instance is still pending.
"""

from __future__ import annotations

import logging
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

    def backoff(self, attempts: int) -> float:
        """The pause after the ``attempts``-th failed attempt."""
        delay: float = self._retry_seconds * 2.0 ** min(attempts - 1, 30)
        return min(delay, self._retry_max_seconds)

    async def on_deliver(self, event: Deliver) -> None:
        row = await self._store.get_delivery(event.delivery_id)
        if row is None or row.status is not DeliveryStatus.PENDING:
            return  # sent already (the event handled again after a crash), or given up
        notifier = self._notifiers.get(row.notifier)
        if notifier is None:
            await self._give_up(row, f"no notifier [{row.notifier}] is configured")
            return
        if row.notifier not in ALERT_CHANNELS and await self._store.earlier_pending_delivery(row):
            raise RetryLater(min(self._retry_seconds, 1.0), "an earlier change is not sent yet")
        try:
            await notifier.send(Message.from_json(row.message))
        except PermanentError as exc:
            await self._give_up(row, str(exc))
            return
        except Exception as exc:
            await self._failed(row, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS])
            return
        await self._store.record_delivery_attempt(
            row.delivery_id, status=DeliveryStatus.SENT, error=None
        )

    async def _failed(self, row: DeliveryRow, error: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self._max_attempts:
            await self._give_up(row, error)
            return
        await self._store.record_delivery_attempt(
            row.delivery_id, status=DeliveryStatus.PENDING, error=error
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
        await self._store.record_delivery_attempt(
            row.delivery_id, status=DeliveryStatus.FAILED, error=error
        )
