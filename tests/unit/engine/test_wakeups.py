"""Notifications from other nodes wake what waits for them on this node."""

from __future__ import annotations

import asyncio

import pytest

from maestoso.clock import FakeClock
from maestoso.engine.runtime.gates import Controls
from maestoso.engine.runtime.signal_hub import SignalHub
from maestoso.engine.runtime.wakeups import Wakeups
from maestoso.queue import Wakeup
from maestoso.store.memory import MemoryStore


class Woken:
    def __init__(self) -> None:
        clock = FakeClock()
        store = MemoryStore(clock)
        self.queue = Wakeup()
        self.signals = SignalHub(store, clock)
        self.controls = Controls(store, clock)
        self.rebalanced = 0
        self.wakeups = Wakeups(
            store,
            queue=self.queue,
            signals=self.signals,
            controls=self.controls,
            nodes=self.rebalance,
        )

    def rebalance(self) -> None:
        self.rebalanced += 1

    async def waiting_for(self, name: str) -> asyncio.Task[None]:
        task = asyncio.ensure_future(self.signals.wait([name], timeout=3600))
        await asyncio.sleep(0)
        return task


async def test_each_topic_wakes_its_waiters_only() -> None:
    woken = Woken()
    signal = await woken.waiting_for("ready")
    other = await woken.waiting_for("other")

    woken.wakeups.deliver("signal:ready")
    woken.wakeups.deliver("nodes")
    await asyncio.sleep(0)

    assert signal.done() and not other.done()
    assert woken.rebalanced == 1
    assert not woken.queue._event.is_set()
    woken.wakeups.deliver("queue")
    assert woken.queue._event.is_set()
    other.cancel()


async def test_everything_wakes_every_waiter() -> None:
    woken = Woken()
    waiting = [await woken.waiting_for(name) for name in ("a", "b")]

    woken.wakeups.deliver("*")
    await asyncio.sleep(0)

    assert all(task.done() for task in waiting)
    assert woken.queue._event.is_set() and woken.rebalanced == 1


async def test_a_bypass_names_its_step(caplog: pytest.LogCaptureFixture) -> None:
    woken = Woken()

    woken.wakeups.deliver('bypass:["wf", 1, 2, "step"]')
    woken.wakeups.deliver("bypass:not json")

    assert woken.signals._bypassed == {("wf", 1, 2, "step")}
    assert "not understood" in caplog.text
