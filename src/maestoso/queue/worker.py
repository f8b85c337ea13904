"""A queue worker: claims job events and hands each to the handler of its type.

Nothing is dropped. A handler that raises is retried with exponential backoff while the error
is retryable and attempts remain; otherwise the event is parked with its error, for a person
to look at. Wake-ups are in-process (``wake``), and from other nodes through their
notifications, so an event never waits for the next poll; polling is only the safety net.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from maestoso import metrics
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
BACKLOG_SECONDS = 10.0
"""How often the queue's backlog is counted for the metrics."""


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
        queues: Callable[[], list[int] | None] = lambda: None,
        lease_ms: int = 30_000,
        batch: int = 100,
        poll_seconds: float = 2.0,
        max_attempts: int = 8,
        backoff_seconds: float = 1.0,
        gather_seconds: float = 0.0,
    ) -> None:
        """``gather_seconds``: after handling a batch, let the next one gather that long, so
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
        self._gather_seconds = gather_seconds
        self._wakeup = wakeup or Wakeup()
        self._queues = queues
        """The queues this worker claims from, asked each time (None: all of them)."""
        self._task: asyncio.Task[None] | None = None
        self._counted_at = -BACKLOG_SECONDS

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
            queue_ids=self._queues(),
        )
        if events:
            await asyncio.gather(*(self._handle_or_leave(event) for event in events))
        return len(events)

    async def _run(self) -> None:
        failures = 0
        while True:
            self._wakeup.clear()
            await self._count_backlog()
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

    async def _count_backlog(self) -> None:
        """Refresh the backlog gauges when ``BACKLOG_SECONDS`` have passed since the last
        count (a scrape never queries the database). The worker's own loop does it, with no
        timer of its own: the loop comes round at least every ``poll_seconds``."""
        if self._clock.monotonic() - self._counted_at < BACKLOG_SECONDS:
            return
        self._counted_at = self._clock.monotonic()
        now = self._clock.now_ms()
        try:
            backlog = await self._store.queue_backlog(now)
        except Exception as exc:  # an outage: the gauges keep their last values
            logger.debug("queue backlog not counted: %s", _brief(exc))
            return
        metrics.QUEUE_READY.set(backlog.ready)
        metrics.QUEUE_PARKED.set(backlog.parked)
        oldest = backlog.oldest_create_time
        metrics.QUEUE_OLDEST_AGE.set(0 if oldest is None else max(now - oldest, 0) / 1000)

    async def _idle_seconds(self) -> float:
        try:
            upcoming = await self._store.next_available_time(self._queues())
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
        began = time.perf_counter()
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
        finally:
            metrics.QUEUE_HANDLING.labels(event.type).observe(time.perf_counter() - began)
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
            metrics.QUEUE_FAILURES.labels(event.type, "retried").inc()
            await self._store.retry_event(event.msg_id, available_at=available, error=error)
        else:
            logger.error(
                "event %s %s parked after %d attempts: %s",
                event.msg_id,
                event.type,
                attempts,
                error,
            )
            metrics.QUEUE_FAILURES.labels(event.type, "parked").inc()
            await self._store.park_event(event.msg_id, error=error)


def _brief(exc: BaseException) -> str:
    return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
