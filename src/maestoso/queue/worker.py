"""A queue worker: claims job events and hands each to the handler of its type.

Nothing is dropped. A handler that raises is retried with exponential backoff while the error
is retryable and attempts remain; otherwise the event is parked with its error, for a person
to look at. Wake-ups are in-process (``wake``) so an event never waits for the next poll;
polling is only the safety net for events written by other nodes or made available later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from maestoso.clock import Clock
from maestoso.errors import DatabaseUnavailableError, MaestosoError
from maestoso.models.events import EventPayload
from maestoso.queue.wakeup import Wakeup
from maestoso.store.coordination import QueueStore
from maestoso.store.records import QueuedEvent

logger = logging.getLogger(__name__)

P = TypeVar("P", bound=EventPayload)

MAX_READ_BACKOFF_SECONDS = 5.0
"""The longest pause between two tries to read the queue while the database is away."""


@dataclass(frozen=True, slots=True)
class Route(Generic[P]):
    """Events of one kind, decoded to their payload type, go to one handler."""

    payload: type[P]
    handle: Callable[[P], Awaitable[None]]


class RetryLater(Exception):
    """Raised by a handler that cannot act yet: the event comes back after ``delay`` seconds
    without counting as a failure."""

    def __init__(self, delay: float, reason: str = "") -> None:
        super().__init__(reason or f"retry in {delay}s")
        self.delay = delay


class QueueWorker:
    def __init__(
        self,
        store: QueueStore,
        clock: Clock,
        routes: Iterable[Route[Any]],
        *,
        owner: str,
        wakeup: Wakeup | None = None,
        lease_ms: int = 30_000,
        batch: int = 100,
        poll_seconds: float = 2.0,
        max_attempts: int = 8,
        backoff_seconds: float = 1.0,
        queue_ids: list[int] | None = None,
        gather_seconds: float = 0.0,
    ) -> None:
        """``queue_ids``: claim events of these queues only (all when None).
        ``gather_seconds``: after handling a batch, let the next one gather that long, so
        that a steady trickle of events is handled in batches rather than one by one."""
        self._store = store
        self._clock = clock
        self._routes: dict[str, Route[Any]] = {r.payload.kind: r for r in routes}
        self._owner = owner
        self._lease_ms = lease_ms
        self._batch = batch
        self._poll_seconds = poll_seconds
        self._max_attempts = max_attempts
        self._backoff_seconds = backoff_seconds
        self._queue_ids = queue_ids
        self._gather_seconds = gather_seconds
        self._wakeup = wakeup or Wakeup()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look for events now (call after committing new ones)."""
        self._wakeup.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="queue-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def run_once(self) -> int:
        """Claim and handle one batch; the number of events handled."""
        events = await self._store.claim_events(
            owner=self._owner,
            now=self._clock.now_ms(),
            lease_ms=self._lease_ms,
            limit=self._batch,
            queue_ids=self._queue_ids,
        )
        if events:
            await asyncio.gather(*(self._handle_or_leave(event) for event in events))
        return len(events)

    async def _run(self) -> None:
        failures = 0
        while True:
            self._wakeup.clear()
            try:
                handled = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The database is away (an outage…): look again, less and less often.
                delay = min(self._backoff_seconds * 2**failures, MAX_READ_BACKOFF_SECONDS)
                failures = min(failures + 1, 16)
                logger.warning("queue not read (%s); again in %.1fs", _brief(exc), delay)
                await self._clock.sleep(delay)
                continue
            failures = 0
            if handled:
                if self._gather_seconds:
                    await self._clock.sleep(self._gather_seconds)
                continue
            idle = await self._idle_seconds()
            try:
                await self._clock.wait_for(self._wakeup.wait(), idle)
            except TimeoutError:
                pass

    async def _idle_seconds(self) -> float:
        try:
            upcoming = await self._store.next_available_time(self._queue_ids)
        except MaestosoError:
            return self._poll_seconds
        if upcoming is None:
            return self._poll_seconds
        due = (upcoming - self._clock.now_ms()) / 1000
        return min(self._poll_seconds, max(due, 0.001))

    async def _handle(self, event: QueuedEvent) -> None:
        route = self._routes.get(event.type)
        if route is None:
            await self._store.park_event(event.msg_id, error=f"no handler for [{event.type}]")
            return
        try:
            payload = route.payload.from_json(event.payload)
        except (KeyError, TypeError, ValueError) as exc:
            await self._store.park_event(event.msg_id, error=f"malformed payload: {exc!r}")
            return
        try:
            await route.handle(payload)
        except asyncio.CancelledError:
            raise
        except RetryLater as later:
            available = self._clock.now_ms() + int(later.delay * 1000)
            await self._store.retry_event(event.msg_id, available_at=available, error=str(later))
            return
        except Exception as exc:
            await self._failed(event, exc)
            return
        await self._store.complete_event(event.msg_id)

    async def _handle_or_leave(self, event: QueuedEvent) -> None:
        """Handle ``event``; if even its outcome cannot be written (the database is away),
        leave it: its lease ends and it is claimed again."""
        try:
            await self._handle(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning(
                "event %s %s: its outcome could not be saved (%s); claimed again later",
                event.msg_id,
                event.type,
                _brief(exc),
            )

    async def _failed(self, event: QueuedEvent, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"
        retryable = not isinstance(exc, MaestosoError) or exc.retryable
        attempts = event.attempts + 1
        # An outage is no fault of the event's: it is never parked for one.
        outage = isinstance(exc, DatabaseUnavailableError)
        if retryable and (attempts < self._max_attempts or outage):
            delay = self._backoff_seconds * 2 ** min(attempts - 1, 16)
            if outage:
                delay = min(delay, MAX_READ_BACKOFF_SECONDS)
            logger.warning(
                "event %s %s failed (%s); retry in %.1fs", event.msg_id, event.type, error, delay
            )
            available = self._clock.now_ms() + int(delay * 1000)
            await self._store.retry_event(event.msg_id, available_at=available, error=error)
        else:
            logger.error(
                "event %s %s parked after %d attempts: %s",
                event.msg_id,
                event.type,
                attempts,
                error,
            )
            await self._store.park_event(event.msg_id, error=error)


def _brief(exc: BaseException) -> str:
    return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
