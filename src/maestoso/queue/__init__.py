"""The durable job-event queue: events written with the state change that causes them,
claimed by workers under a lease, retried with backoff, parked when they keep failing."""

from __future__ import annotations

from maestoso.queue.wakeup import Wakeup
from maestoso.queue.worker import QueueWorker, RetryLater, Route

__all__ = ["QueueWorker", "RetryLater", "Route", "Wakeup"]
