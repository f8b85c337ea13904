"""Notifications from the other nodes of a cluster, to the parts of this node they wake.

What another node commits (queue events, signals, breakpoints changed, bypasses, a node
joining or leaving) reaches this node as a ``Topic`` notification within milliseconds,
instead of at the next poll of whatever waits for it. After its connection comes back the
listener delivers ``Topic.EVERYTHING``: everything looks again. On a single node (SQLite)
there is nothing to listen to, and the in-process wake-ups are all there is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from maestoso.engine.runtime.gates import Controls
from maestoso.engine.runtime.signal_hub import SignalHub
from maestoso.queue import Wakeup
from maestoso.store.coordination import Listening, NotificationStore, Topic

logger = logging.getLogger(__name__)


class Wakeups:
    def __init__(
        self,
        store: NotificationStore,
        *,
        queue: Wakeup,
        signals: SignalHub,
        controls: Controls,
        nodes: Callable[[], None],
    ) -> None:
        self._store = store
        self._queue = queue
        self._signals = signals
        self._controls = controls
        self._nodes = nodes
        self._listening: Listening | None = None

    def start(self) -> None:
        self._listening = self._store.listen(self.deliver)

    async def stop(self) -> None:
        if self._listening is not None:
            await self._listening.close()
            self._listening = None

    def deliver(self, message: str) -> None:
        topic, _, detail = message.partition(":")
        everything = topic == Topic.EVERYTHING
        try:
            if everything or topic == Topic.QUEUE:
                self._queue.set()
            if everything or topic == Topic.CONTROLS:
                self._controls.wake_all()
            if everything or topic == Topic.NODES:
                self._nodes()
            if everything:
                self._signals.wake_all()
            elif topic == Topic.SIGNAL:
                self._signals.announce(detail)
            elif topic == Topic.BYPASS:
                workflow_id, instance_id, run_id, step_id = json.loads(detail)
                self._signals.request_bypass((workflow_id, instance_id, run_id, step_id))
        except (ValueError, TypeError) as exc:  # from a node of another version, perhaps
            logger.warning("notification [%s] not understood: %s", message[:200], exc)
