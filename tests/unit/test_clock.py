"""FakeClock: virtual sleeps, timeouts and advancing, by hand and by itself."""

from __future__ import annotations

import asyncio
import time

import pytest

from maestoso import clock as clock_module
from maestoso.clock import FakeClock, SystemClock, working_elsewhere

START = 1_600_000_000_000


async def test_time_starts_where_told_and_moves_in_step() -> None:
    clock = FakeClock(START)
    assert (clock.now_ms(), clock.monotonic()) == (START, 0.0)
    await clock.advance(1.5)
    assert (clock.now_ms(), clock.monotonic()) == (START + 1500, 1.5)
    clock.shift(0.25)
    assert (clock.now_ms(), clock.monotonic()) == (START + 1750, 1.75)
    with pytest.raises(ValueError):
        await clock.advance(-1)


async def test_sleepers_wake_in_deadline_order_at_their_deadline() -> None:
    clock = FakeClock(START)
    woke: list[tuple[str, int]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now_ms() - START))

    tasks = [
        asyncio.create_task(sleeper(name, seconds))
        for name, seconds in [("c", 3), ("a", 1), ("b", 2), ("a2", 1)]
    ]
    await clock.advance(0)
    assert clock.pending() == 4 and clock.next_deadline() == 1.0
    assert clock.deadlines() == [1.0, 1.0, 2.0, 3.0]
    await clock.advance(1.999)
    assert woke == [("a", 1000), ("a2", 1000)]
    await clock.advance(10)
    assert woke == [("a", 1000), ("a2", 1000), ("b", 2000), ("c", 3000)]
    assert clock.now_ms() == START + 11_999
    await asyncio.gather(*tasks)


async def test_a_sleep_of_nothing_returns_at_once() -> None:
    clock = FakeClock(START)
    await clock.sleep(0)
    await clock.sleep(-5)
    assert clock.pending() == 0


async def test_a_cancelled_sleeper_leaves_no_timer_and_others_still_wake() -> None:
    clock = FakeClock(START)
    cancelled = asyncio.create_task(clock.sleep(1))
    kept = asyncio.create_task(clock.sleep(2))
    await clock.advance(0)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert clock.pending() == 1 and clock.next_deadline() == 2.0
    await clock.advance(2)
    assert kept.done() and clock.pending() == 0


async def test_advance_runs_a_chain_of_sleeps_and_work_within_the_span() -> None:
    clock = FakeClock(START)
    beats: list[float] = []

    async def heartbeat() -> None:
        while True:
            await clock.sleep(0.1)
            await asyncio.sleep(0)  # some work between the sleeps
            beats.append(clock.monotonic())

    task = asyncio.create_task(heartbeat())
    await clock.advance(0.3)
    assert beats == [0.1, 0.2, 0.3]  # integer nanoseconds: three 0.1 s end at 0.3 exactly
    await clock.advance(0.05)
    assert len(beats) == 3
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert clock.pending() == 0


async def test_wait_for_returns_the_result_when_it_completes_in_time() -> None:
    clock = FakeClock(START)

    async def work() -> str:
        await clock.sleep(5)
        return "done"

    waiting = asyncio.create_task(clock.wait_for(work(), 10))
    await clock.advance(5)
    assert await waiting == "done"
    assert clock.pending() == 0  # the timeout's timer went with it


async def test_wait_for_times_out_and_cancels_the_awaitable() -> None:
    clock = FakeClock(START)
    cancelled = asyncio.Event()

    async def work() -> str:
        try:
            await clock.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "late"

    waiting = asyncio.create_task(clock.wait_for(work(), 10))
    await clock.advance(9.999)
    assert not waiting.done()
    await clock.advance(0.001)
    with pytest.raises(TimeoutError):
        await waiting
    assert cancelled.is_set() and clock.pending() == 0


async def test_wait_for_an_event_times_out_and_none_means_no_limit() -> None:
    clock = FakeClock(START)
    event = asyncio.Event()
    timed = asyncio.create_task(clock.wait_for(event.wait(), 1))
    unlimited = asyncio.create_task(clock.wait_for(event.wait(), None))
    await clock.advance(3600)
    with pytest.raises(TimeoutError):
        await timed
    assert not unlimited.done()
    event.set()
    assert await unlimited is True


async def test_a_timeout_of_nothing_expires_at_once() -> None:
    clock = FakeClock(START)
    with pytest.raises(TimeoutError):
        await clock.wait_for(asyncio.Event().wait(), 0)


async def test_the_timeout_block_raises_timeout_error_and_the_caller_is_not_cancelled() -> None:
    clock = FakeClock(START)

    async def bounded() -> str:
        try:
            async with clock.timeout(2):
                await clock.sleep(3)
        except TimeoutError:
            await clock.sleep(1)  # still usable afterwards: the cancel was absorbed
            return "timed out"
        return "finished"

    task = asyncio.create_task(bounded())
    await clock.advance(10)
    assert await task == "timed out"
    assert clock.monotonic() == 10.0


async def test_a_timeout_that_does_not_expire_lets_the_block_finish() -> None:
    clock = FakeClock(START)

    async def bounded() -> str:
        async with clock.timeout(2):
            await clock.sleep(1)
        return "finished"

    task = asyncio.create_task(bounded())
    await clock.advance(5)
    assert await task == "finished" and clock.pending() == 0


async def test_auto_advance_jumps_to_each_deadline_when_nothing_else_runs() -> None:
    clock = FakeClock(START, auto_advance=True)
    began = time.monotonic()
    stamps: list[int] = []
    for seconds in (3600, 86_400, 0.5):
        await clock.sleep(seconds)
        stamps.append(clock.now_ms() - START)
    assert stamps == [3_600_000, 90_000_000, 90_000_500]
    assert time.monotonic() - began < 1.0


async def test_auto_advance_waits_for_runnable_work_before_jumping() -> None:
    clock = FakeClock(START, auto_advance=True)
    seen: list[tuple[str, float]] = []

    async def busy() -> None:
        for _ in range(50):  # runnable all along: time must not move under it
            await asyncio.sleep(0)
        seen.append(("busy", clock.monotonic()))
        await clock.sleep(1)
        seen.append(("busy slept", clock.monotonic()))

    async def sleeper() -> None:
        await clock.sleep(2)
        seen.append(("sleeper", clock.monotonic()))

    await asyncio.gather(busy(), sleeper())
    assert seen == [("busy", 0.0), ("busy slept", 1.0), ("sleeper", 2.0)]


async def test_auto_advance_times_out_a_wait_that_nothing_ends() -> None:
    clock = FakeClock(START, auto_advance=True)
    with pytest.raises(TimeoutError):
        await clock.wait_for(asyncio.Event().wait(), 3600)
    assert clock.monotonic() == 3600.0
    await clock.aclose()


async def test_auto_advance_lets_thread_work_finish_before_jumping() -> None:
    # Work on another thread is invisible to the loop: the quiet period covers it.
    clock = FakeClock(START, auto_advance=True, quiet_seconds=0.05)

    async def worker() -> float:
        await asyncio.to_thread(time.sleep, 0.01)
        await asyncio.to_thread(time.sleep, 0.01)
        return clock.monotonic()

    async def timer() -> None:
        await clock.sleep(60)

    finished, _ = await asyncio.gather(worker(), timer())
    assert finished == 0.0 and clock.monotonic() == 60.0


async def test_the_system_clock_waits_in_real_time() -> None:
    clock = SystemClock()
    await clock.sleep(0.001)
    assert await clock.wait_for(asyncio.sleep(0, "x"), 1) == "x"
    with pytest.raises(TimeoutError):
        async with clock.timeout(0.001):
            await asyncio.Event().wait()


async def test_auto_advance_can_be_turned_on_and_off_mid_way() -> None:
    clock = FakeClock(START)
    sleeper = asyncio.create_task(clock.sleep(60))
    await clock.advance(0)
    await asyncio.sleep(0.01)  # real time passes; virtual time does not
    assert not sleeper.done() and clock.monotonic() == 0.0
    clock.auto_advance = True
    await sleeper
    assert clock.monotonic() == 60.0
    clock.auto_advance = False
    later = asyncio.create_task(clock.sleep(1))
    await asyncio.sleep(0.01)
    assert not later.done()
    await clock.advance(1)
    assert later.done()


async def test_a_real_time_poller_does_not_keep_auto_advance_from_jumping() -> None:
    clock = FakeClock(START, auto_advance=True, quiet_seconds=0.01)
    polls = 0

    async def poller() -> None:
        nonlocal polls
        while True:
            polls += 1
            await asyncio.sleep(0.002)

    watching = asyncio.create_task(poller())
    try:
        await clock.wait_for(clock.sleep(30), 60)
    finally:
        watching.cancel()
    assert clock.monotonic() == 30.0 and polls > 0


async def test_infinite_waits_have_no_deadline_and_cancelled_timers_are_dropped() -> None:
    clock = FakeClock(START)
    forever = asyncio.create_task(clock.sleep(float("inf")))
    unbounded = asyncio.create_task(clock.wait_for(asyncio.Event().wait(), float("inf")))
    await clock.advance(10**6)
    assert not forever.done() and not unbounded.done() and clock.pending() == 0
    forever.cancel()
    unbounded.cancel()
    await asyncio.gather(forever, unbounded, return_exceptions=True)
    event = asyncio.Event()
    for _ in range(500):  # woken early each time, as the queue worker is
        waiting = asyncio.create_task(clock.wait_for(event.wait(), 3600))
        await asyncio.sleep(0)
        event.set()
        await waiting
        event.clear()
    assert clock.pending() == 0 and len(clock._timers) < 200


async def test_time_holds_while_work_is_elsewhere_even_when_advancing_is_turned_on_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(clock_module, "_watched", False)  # as in a process with no clock yet
    clock = FakeClock(START)
    clock.auto_advance = True

    async def work() -> None:
        with working_elsewhere():
            await asyncio.to_thread(time.sleep, 0.3)

    worker = asyncio.create_task(work())
    await asyncio.sleep(0.01)
    sleeper = asyncio.create_task(clock.sleep(10))
    await asyncio.sleep(0.1)
    assert not sleeper.done(), "time moved while a thread worked for the loop"
    await worker
    await asyncio.wait_for(sleeper, 5)
    assert clock.now_ms() == START + 10_000
