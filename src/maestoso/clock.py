"""Where time comes from, so that tests can move it.

Every wait that is part of engine timing (timeouts, retry backoff, polling, heartbeats, lease
renewals, the queue's next-available wait, time triggers) goes through a ``Clock``: the real
one delegates to asyncio; ``FakeClock`` keeps virtual time, so a test of a one-hour timeout or
a daily cron runs in milliseconds.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
import weakref
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol, TypeVar

T = TypeVar("T")

_NS = 1_000_000_000
_FOREVER = 2**62
"""Nanoseconds: a cap on delays so that a huge timeout does not overflow anything."""
_MAX_YIELDS = 200
"""Loop iterations a settle waits at most for the ready queue to drain (a task that spins on
``sleep(0)`` would otherwise keep it busy for ever)."""
_MAX_QUIET_ROUNDS = 50
"""Quiet periods a settle waits at most for the tasks to stop moving: a task that polls
something real without ever waiting on the clock would otherwise stop time for good."""


class Clock(Protocol):
    """A source of wall-clock time in epoch milliseconds and of monotonic seconds, and the
    waits measured against it."""

    def now_ms(self) -> int: ...

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None:
        """Return after ``seconds`` (at once if not positive)."""
        ...

    async def wait_for(self, awaitable: Awaitable[T], seconds: float | None) -> T:
        """``awaitable``'s result; ``TimeoutError`` (and it is cancelled) after ``seconds``."""
        ...

    def timeout(self, seconds: float | None) -> AbstractAsyncContextManager[object]:
        """A block cancelled after ``seconds``, which then raises ``TimeoutError``."""
        ...


class SystemClock:
    """The real clock."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(seconds, 0.0))

    async def wait_for(self, awaitable: Awaitable[T], seconds: float | None) -> T:
        return await asyncio.wait_for(awaitable, seconds)

    def timeout(self, seconds: float | None) -> AbstractAsyncContextManager[object]:
        return asyncio.timeout(seconds)


@dataclass(order=True, slots=True)
class _Timer:
    deadline: int
    seq: int
    fire: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class FakeClock:
    """Virtual time: it moves only when told to (``advance``), or, with ``auto_advance``, by
    itself to the next deadline whenever the event loop has nothing else to do.

    Time is kept in integer nanoseconds so that chained waits add up exactly (three sleeps of
    0.1 s end at the same instant as one advance of 0.3 s). Waiters are timers keyed by their
    virtual deadline; timers with the same deadline fire in the order they were created.

    Whether the loop "has nothing else to do" cannot be asked of asyncio, so it is observed:
    the clock yields until the loop's ready queue is empty (``BaseEventLoop._ready``, private
    but stable since 3.4), then, if ``quiet_seconds`` is positive, waits that long in real
    time and checks that no task moved on to another awaitable meanwhile (tasks in a real
    ``asyncio.sleep``, such as a test polling for a result, are left out). The real pause is
    what covers work on other threads, invisible to the loop (a SQLite query runs in
    aiosqlite's thread): use about 10 ms with a database store, 0 (the default) with purely
    in-memory collaborators. It is a heuristic: a query slower than the pause lets time jump
    while it runs; ``advance`` moves time only when the test says so.
    """

    def __init__(
        self,
        now_ms: int = 1_600_000_000_000,
        *,
        auto_advance: bool = False,
        quiet_seconds: float = 0.0,
    ) -> None:
        self._start_ms = now_ms
        self._ns = 0
        self._timers: list[_Timer] = []
        self._cancelled = 0
        self._seq = itertools.count()
        self._auto = auto_advance
        self._quiet = quiet_seconds
        self._watcher: asyncio.Task[None] | None = None
        self._scheduled: asyncio.Event | None = None
        _track_work_elsewhere()  # auto_advance may be turned on later

    # -- reading -------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return self._start_ms + self._ns // 1_000_000

    def monotonic(self) -> float:
        return self._ns / _NS

    def next_deadline(self) -> float | None:
        """The monotonic time of the earliest pending waiter, if any."""
        timer = self._peek()
        return None if timer is None else timer.deadline / _NS

    def deadlines(self) -> list[float]:
        """The monotonic times of the pending waiters, earliest first."""
        return sorted(timer.deadline / _NS for timer in self._timers if not timer.cancelled)

    @property
    def auto_advance(self) -> bool:
        """Whether time jumps by itself to the next deadline when the loop is idle. Turning it
        on mid-test lets a test first look at a state that time would otherwise rush past."""
        return self._auto

    @auto_advance.setter
    def auto_advance(self, on: bool) -> None:
        self._auto = on
        if not on and self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None
        elif on and self._peek() is not None:
            self._watch()

    def pending(self) -> int:
        """How many waiters are pending."""
        return sum(1 for timer in self._timers if not timer.cancelled)

    # -- waiting -------------------------------------------------------------------------------

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if math.isinf(seconds):
            await future  # no timer: auto-advance must not jump to the end of time
            return

        def wake() -> None:
            if not future.done():
                future.set_result(None)

        timer = self._schedule(seconds, wake)
        try:
            await future
        finally:
            self._cancel(timer)

    async def wait_for(self, awaitable: Awaitable[T], seconds: float | None) -> T:
        async with self.timeout(seconds):
            return await awaitable

    def timeout(self, seconds: float | None) -> AbstractAsyncContextManager[object]:
        return _VirtualTimeout(self, seconds)

    # -- moving --------------------------------------------------------------------------------

    async def advance(self, seconds: float) -> None:
        """Move time ``seconds`` forward, waking due waiters in deadline order and letting the
        loop settle after each, so that what they do (sleeping again included) happens within
        the span too."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        target = self._ns + round(seconds * _NS)
        await self._settle()
        while (timer := self._peek()) is not None and timer.deadline <= target:
            self._fire_at(timer.deadline)
            await self._settle()
        self._ns = max(self._ns, target)
        await self._settle()

    def shift(self, seconds: float) -> None:
        """Move time forward without waking anyone (for code outside an event loop); waiters
        that became due wake on the next ``advance`` (``advance(0)`` will do)."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self._ns += round(seconds * _NS)

    async def aclose(self) -> None:
        """Stop auto-advancing (it also stops by itself when no waiter is left)."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None and not watcher.done():
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)

    # -- internals -----------------------------------------------------------------------------

    def _schedule(self, seconds: float, fire: Callable[[], None]) -> _Timer:
        delay = min(max(round(seconds * _NS), 0), _FOREVER)
        timer = _Timer(self._ns + delay, next(self._seq), fire)
        heapq.heappush(self._timers, timer)
        if self._auto:
            self._watch()
        return timer

    def _watch(self) -> None:
        """Start the auto-advancing task if it is not running, and tell it to look again."""
        if self._scheduled is None or self._watcher is None or self._watcher.done():
            self._scheduled = asyncio.Event()
            loop = asyncio.get_running_loop()
            self._watcher = loop.create_task(self._auto_advance(), name="fake-clock")
        self._scheduled.set()

    def _cancel(self, timer: _Timer) -> None:
        if timer.cancelled:
            return
        timer.cancelled = True
        self._cancelled += 1
        # Cancelled timers leave the heap lazily; a loop that waits with a long timeout and is
        # woken early each time would otherwise grow it without end.
        if self._cancelled > 64 and self._cancelled * 2 > len(self._timers):
            self._timers = [t for t in self._timers if not t.cancelled]
            heapq.heapify(self._timers)
            self._cancelled = 0

    def _peek(self) -> _Timer | None:
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
            self._cancelled = max(self._cancelled - 1, 0)
        return self._timers[0] if self._timers else None

    def _fire_at(self, deadline: int) -> None:
        """Move to ``deadline`` and fire every timer due then."""
        self._ns = max(self._ns, deadline)
        while (timer := self._peek()) is not None and timer.deadline <= self._ns:
            heapq.heappop(self._timers)
            timer.cancelled = True
            timer.fire()

    async def _auto_advance(self) -> None:
        assert self._scheduled is not None
        while True:
            self._scheduled.clear()
            await self._settle()
            if self._scheduled.is_set():
                continue  # someone started waiting meanwhile: look again
            timer = self._peek()
            if timer is None:
                return  # nothing to wait for: the next waiter starts a new watcher
            self._fire_at(timer.deadline)

    async def _settle(self) -> None:
        """Until the loop has nothing ready but this task, no work of it is in flight on
        another thread (``working_elsewhere``), and, with ``quiet_seconds``, no task moved on
        during that much real time."""
        loop = asyncio.get_running_loop()
        for _ in range(_MAX_QUIET_ROUNDS):
            while _elsewhere.get(loop):
                await asyncio.sleep(0.001)  # real time: the other thread is working
            for _ in range(_MAX_YIELDS):
                await asyncio.sleep(0)
                if not _ready(loop):
                    break
            if self._quiet <= 0:
                return
            before = _waits(loop)
            await asyncio.sleep(self._quiet)
            if not _ready(loop) and _waits(loop) == before:
                return


_elsewhere: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, int] = weakref.WeakKeyDictionary()
_watched = False
"""Whether a virtual clock exists in this process: only one that moves by itself reads
``_elsewhere``, so without one ``working_elsewhere`` (around every database call) costs
nothing."""


def _track_work_elsewhere() -> None:
    global _watched
    _watched = True


class working_elsewhere:
    """Mark work that the running loop waits for on another thread (a worker pool), which
    the loop itself cannot see: a ``FakeClock`` does not move time while any is in flight."""

    __slots__ = ("_loop",)

    def __enter__(self) -> None:
        self._loop = asyncio.get_running_loop() if _watched else None
        if self._loop is not None:
            _elsewhere[self._loop] = _elsewhere.get(self._loop, 0) + 1

    def __exit__(self, *_: object) -> None:
        if self._loop is not None:
            _elsewhere[self._loop] -= 1


def _ready(loop: asyncio.AbstractEventLoop) -> int:
    """How many callbacks wait to run (``BaseEventLoop._ready``, present since 3.4)."""
    return len(getattr(loop, "_ready", ()))


def _waits(loop: asyncio.AbstractEventLoop) -> set[tuple[int, int]]:
    """What each other task is awaiting (a task that moved on awaits another future), leaving
    out tasks in a real-time ``asyncio.sleep``: a test polling the store every few
    milliseconds is an observer, and would otherwise never let the loop look quiet."""
    me = asyncio.current_task(loop)
    sleeping = {
        id(arg)
        for handle in getattr(loop, "_scheduled", ())
        for arg in getattr(handle, "_args", None) or ()
        if isinstance(arg, asyncio.Future)
    }
    waits = set()
    for task in asyncio.all_tasks(loop):
        waiter = getattr(task, "_fut_waiter", None)
        if task is not me and id(waiter) not in sleeping:
            waits.add((id(task), id(waiter)))
    return waits


class _VirtualTimeout:
    """``asyncio.timeout`` whose deadline is a virtual timer: asyncio does the cancelling
    and the ``TimeoutError`` conversion; the clock only decides when."""

    def __init__(self, clock: FakeClock, seconds: float | None) -> None:
        self._clock = clock
        self._seconds = seconds
        self._scope = asyncio.timeout(None)
        self._timer: _Timer | None = None

    async def __aenter__(self) -> _VirtualTimeout:
        await self._scope.__aenter__()
        if self._seconds is not None and not math.isinf(self._seconds):
            if self._seconds <= 0:
                self._expire()
            else:
                self._timer = self._clock._schedule(self._seconds, self._expire)
        return self

    def _expire(self) -> None:
        if not self._scope.expired():
            try:
                self._scope.reschedule(asyncio.get_running_loop().time())
            except RuntimeError:  # already leaving the block
                pass

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        if self._timer is not None:
            self._clock._cancel(self._timer)
        await self._scope.__aexit__(exc_type, exc, traceback)
        return None
