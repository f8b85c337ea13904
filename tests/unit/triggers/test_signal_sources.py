"""Signal sources under their supervisor, on virtual time: announcing, deduplicated by
request id, restarted after a failure, stopped with the server."""

from __future__ import annotations

import asyncio

import pytest

from maestoso.clock import FakeClock
from maestoso.errors import ValidationError
from maestoso.store.memory import MemoryStore
from maestoso.triggers.signals import SignalService
from maestoso.triggers.sources import SignalContext, SignalSources


class Flaky:
    """Announces the same event on each run; the first run then fails."""

    def __init__(self) -> None:
        self.announced: list[bool] = []

    async def run(self, context: SignalContext) -> None:
        self.announced.append(await context.announce("landed", {"file": "a.csv"}, request_id="a"))
        if len(self.announced) == 1:
            raise RuntimeError("the bucket went away")


class Forever:
    def __init__(self) -> None:
        self.cancelled = False

    async def run(self, context: SignalContext) -> None:
        try:
            while True:
                await context.sleep(60)
        except asyncio.CancelledError:
            self.cancelled = True
            raise


async def test_a_failed_source_runs_again_and_its_event_is_stored_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    store = MemoryStore(clock)
    source = Flaky()
    sources = SignalSources(
        {"bucket": source}, SignalService(store, clock), clock, restart_seconds=30
    )
    sources.start()
    await clock.advance(0)
    assert source.announced == [True]
    assert "signal source [bucket] failed" in caplog.text
    await clock.advance(29)
    assert source.announced == [True]  # resting
    await clock.advance(1)
    assert source.announced == [True, False]  # the same request id: not announced again
    stored = await store.get_signal("landed")
    assert stored is not None and stored.seq_id == 1 and stored.params == {"file": "a.csv"}
    await sources.stop()


async def test_stopping_cancels_a_running_source() -> None:
    clock = FakeClock()
    source = Forever()
    sources = SignalSources({"ticker": source}, SignalService(MemoryStore(clock), clock), clock)
    sources.start()
    await clock.advance(120)
    await sources.stop()
    assert source.cancelled


async def test_a_bad_signal_is_the_source_s_error() -> None:
    clock = FakeClock()
    seen: list[ValidationError] = []

    class Bad:
        async def run(self, context: SignalContext) -> None:
            try:
                await context.announce("", {"n": 1})
            except ValidationError as exc:
                seen.append(exc)

    sources = SignalSources({"bad": Bad()}, SignalService(MemoryStore(clock), clock), clock)
    sources.start()
    await clock.advance(0)
    await sources.stop()
    assert [e.message for e in seen] == ["signal name is required"]
