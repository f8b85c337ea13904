"""The time-trigger scheduler: a loop that fires what is due, driven by a ``Clock``.

``tick(now)`` does one round (tests call it with a fake clock); ``start`` runs rounds until
``stop``, sleeping until the earliest next firing (at most ``poll_seconds``), and re-syncs
every triggered workflow's rows at start and every ``reconcile_seconds``. Any number of
schedulers may run against one database: each scheduled time fires once whichever wins.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from maestoso.clock import Clock
from maestoso.errors import MaestosoError
from maestoso.triggers.firing import fire
from maestoso.triggers.subscriptions import TriggerSyncStore, sync_triggers

logger = logging.getLogger(__name__)


class TimeScheduler:
    def __init__(
        self,
        store: TriggerSyncStore,
        clock: Clock,
        wake: Callable[[], None] = lambda: None,
        *,
        poll_seconds: float = 1.0,
        reconcile_seconds: float = 60.0,
        batch: int = 100,
    ) -> None:
        self._store = store
        self._clock = clock
        self._wake = wake
        self._poll_seconds = poll_seconds
        self._reconcile_seconds = reconcile_seconds
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    async def tick(self, now: int | None = None) -> int:
        """Fire every trigger due at ``now`` (the clock's time by default); the number of
        starts enqueued by this scheduler."""
        now = self._clock.now_ms() if now is None else now
        started = 0
        while True:
            rows = await self._store.due_time_triggers(now, limit=self._batch)
            for row in rows:
                fired = await fire(self._store, row, now)
                started += fired or 0
            if len(rows) < self._batch:
                break
        if started:
            self._wake()
        return started

    async def reconcile(self) -> None:
        """Sync the trigger rows of every workflow that has triggers or had some."""
        for workflow_id in await self._store.triggered_workflows():
            await sync_triggers(self._store, self._clock, workflow_id)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="time-trigger-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        reconciled = float("-inf")
        while True:
            try:
                if self._clock.monotonic() - reconciled >= self._reconcile_seconds:
                    await self.reconcile()
                    reconciled = self._clock.monotonic()
                await self.tick()
                delay = await self._idle_seconds()
            except MaestosoError as exc:  # the database is away (an outage…)
                logger.warning("time triggers could not be fired (%s); trying again", exc.message)
                delay = self._poll_seconds
            except Exception:
                logger.exception("time triggers could not be fired; trying again")
                delay = self._poll_seconds
            await self._clock.sleep(delay)

    async def _idle_seconds(self) -> float:
        upcoming = await self._store.next_time_trigger_fire()
        if upcoming is None:
            return self._poll_seconds
        due = (upcoming - self._clock.now_ms()) / 1000
        return min(self._poll_seconds, max(due, 0.01))
