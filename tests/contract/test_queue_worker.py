"""The queue worker over a real store: handling, retry with backoff, parking, wake-ups."""

from __future__ import annotations

import asyncio
from collections import Counter

from maestoso.clock import FakeClock, SystemClock
from maestoso.errors import PlatformError, ValidationError
from maestoso.models.events import StartWorkflow
from maestoso.queue import QueueWorker, RetryLater, Route
from maestoso.store import Store
from maestoso.store.records import JobEvent


def _event(workflow_id: str = "wf") -> JobEvent:
    return JobEvent.of(StartWorkflow(workflow_id=workflow_id))


async def _until(condition: object, timeout: float = 5.0) -> None:
    async def wait() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)

    await asyncio.wait_for(wait(), timeout)


async def test_events_are_handled_once_and_removed(store: Store) -> None:
    seen: Counter[int] = Counter()

    async def handle(event: StartWorkflow) -> None:
        seen[int(event.workflow_id)] += 1

    worker = QueueWorker(store, SystemClock(), [Route(StartWorkflow, handle)], owner="w")
    await store.enqueue([_event(str(n)) for n in range(20)])
    handled = await worker.run_once()
    assert handled == 20 and seen == Counter(range(20))
    assert await worker.run_once() == 0, "handled events are gone"


async def test_a_wake_up_does_not_wait_for_the_poll(store: Store) -> None:
    done = asyncio.Event()

    async def handle(event: StartWorkflow) -> None:
        done.set()

    worker = QueueWorker(
        store, SystemClock(), [Route(StartWorkflow, handle)], owner="w", poll_seconds=60
    )
    worker.start()
    try:
        await asyncio.sleep(0.05)  # the worker is now idle, with a 60 s poll
        await store.enqueue([_event()])
        worker.wake()
        await asyncio.wait_for(done.wait(), 2)
    finally:
        await worker.stop()


async def test_transient_failures_are_retried_then_succeed(store: Store) -> None:
    attempts: list[int] = []
    clock = FakeClock(auto_advance=True, quiet_seconds=0.01)
    times: list[float] = []

    async def flaky(event: StartWorkflow) -> None:
        attempts.append(len(attempts))
        times.append(clock.monotonic())
        if len(attempts) < 3:
            raise PlatformError("database blip")

    worker = QueueWorker(store, clock, [Route(StartWorkflow, flaky)], owner="w", poll_seconds=3600)
    await store.enqueue([_event()])
    worker.start()
    try:
        await _until(lambda: len(attempts) == 3)
        await clock.sleep(60)
    finally:
        await worker.stop()
        await clock.aclose()
    assert attempts == [0, 1, 2]
    assert times == [0.0, 1.0, 3.0], "backed off 1 s, then 2 s"
    assert await store.parked_events() == []
    assert await worker.run_once() == 0


async def test_user_errors_and_unknown_types_are_parked_not_dropped(store: Store) -> None:
    async def refuse(event: StartWorkflow) -> None:
        raise ValidationError("bad payload")

    worker = QueueWorker(store, SystemClock(), [Route(StartWorkflow, refuse)], owner="w")
    await store.enqueue([_event("a"), JobEvent(type="NOPE", payload={})])
    await worker.run_once()
    parked = await store.parked_events()
    assert sorted(event.type for event, _ in parked) == ["NOPE", "START_WORKFLOW"]
    errors = {event.type: error for event, error in parked}
    assert "bad payload" in errors["START_WORKFLOW"] and "no handler" in errors["NOPE"]
    assert await worker.run_once() == 0


async def test_a_message_that_keeps_failing_is_parked_after_its_attempts(store: Store) -> None:
    calls = 0

    async def broken(event: StartWorkflow) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("always")

    worker = QueueWorker(
        store,
        SystemClock(),
        [Route(StartWorkflow, broken)],
        owner="w",
        max_attempts=3,
        backoff_seconds=0.01,
        poll_seconds=0.02,
    )
    await store.enqueue([_event()])
    worker.start()
    try:
        await _until(lambda: calls == 3)
        await asyncio.sleep(0.1)
    finally:
        await worker.stop()
    assert calls == 3
    [(_, error)] = await store.parked_events()
    assert "RuntimeError: always" in error


async def test_retry_later_delays_without_counting_as_failure(store: Store) -> None:
    calls = 0

    async def not_yet(event: StartWorkflow) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RetryLater(0.05)

    clock = FakeClock()
    worker = QueueWorker(store, clock, [Route(StartWorkflow, not_yet)], owner="w")
    await store.enqueue([_event()])
    await worker.run_once()
    clock.shift(0.049)
    assert calls == 1 and await worker.run_once() == 0, "not available yet"
    clock.shift(0.001)
    assert await worker.run_once() == 1 and calls == 2


async def test_a_malformed_payload_is_parked_naming_the_problem(store: Store) -> None:
    async def handle(event: StartWorkflow) -> None:
        raise AssertionError("a malformed event must not reach its handler")

    worker = QueueWorker(store, SystemClock(), [Route(StartWorkflow, handle)], owner="w")
    await store.enqueue([JobEvent(type="START_WORKFLOW", payload={"workflow": "typo"})])
    await worker.run_once()
    [(event, error)] = await store.parked_events()
    assert (
        event.type == "START_WORKFLOW" and "malformed payload" in error and "workflow_id" in error
    )
