"""Alerting on one node: its queue worker (facts in, deliveries out) and its deadline watch."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from maestoso.alerting.decide import Decisions
from maestoso.alerting.dispatch import Dispatcher
from maestoso.alerting.facts import StatusFacts
from maestoso.alerting.history import Predictions
from maestoso.alerting.notifier import ALERT_CHANNELS, Notifier
from maestoso.alerting.reads import RunAlerts
from maestoso.alerting.settings import AlertSettings
from maestoso.alerting.watch import Watch
from maestoso.clock import Clock
from maestoso.models.events import Deliver, QueueId, StatusChanged
from maestoso.queue import QueueWorker, Route, Wakeup
from maestoso.store.port import Store


class Alerting:
    """Built from a list of notifiers, so that notifiers from elsewhere join by being in it.
    With none, the engine writes no facts; deliveries left by an earlier configuration fail
    with the reason that no notifier sends them."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        notifiers: Sequence[Notifier],
        settings: AlertSettings,
        *,
        owner: str,
        groups: int,
    ) -> None:
        self.notifiers = list(notifiers)
        self.wakeup = Wakeup()
        self.facts = StatusFacts(
            enabled=bool(self.notifiers),
            wake=self.wakeup.set,
            every_change=any(n.name not in ALERT_CHANNELS for n in self.notifiers),
        )
        self.predictions = Predictions(store, clock)
        self.reads = RunAlerts(store, self.predictions)
        decisions = Decisions(store, self.notifiers, settings.public_url)
        self.dispatcher = Dispatcher(
            store,
            self.notifiers,
            retry_seconds=settings.retry_seconds,
            retry_max_seconds=settings.retry_max_seconds,
            max_attempts=settings.max_attempts,
        )
        self.worker = QueueWorker(
            store,
            clock,
            [
                Route(StatusChanged, decisions.on_status_changed),
                Route(Deliver, self.dispatcher.on_deliver),
            ],
            owner=owner,
            wakeup=self.wakeup,
            queues=lambda: [QueueId.ALERT],
            poll_seconds=1.0,
            # Status changes come a few per step: handled in batches, their writes are few.
            gather_seconds=0.2,
            # A claim outlasts one send; a node killed mid-send delays that delivery no more.
            lease_ms=int((settings.timeout_seconds + 1) * 1000),
        )
        self.watch = Watch(
            store,
            clock,
            self.predictions,
            [n.name for n in self.notifiers],
            public_url=settings.public_url,
            groups=groups,
            interval=settings.watch_seconds,
            wake=self.wakeup.set,
        )
        self._watching: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.worker.start()
        if self.notifiers:
            self._watching = asyncio.create_task(self.watch.run(), name="alert-watch")

    async def stop(self) -> None:
        if self._watching is not None:
            self._watching.cancel()
            await asyncio.gather(self._watching, return_exceptions=True)
            self._watching = None
        await self.worker.stop()
        for notifier in self.notifiers:
            close = getattr(notifier, "close", None)  # not part of the protocol: optional
            if close is not None:
                await close()
