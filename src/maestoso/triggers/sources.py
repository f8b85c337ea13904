"""Signal sources: watchers of an outside system (a file appearing, an HTTP endpoint
changing) that announce signals, so that signal triggers start workflows from it.

A source runs as long as the server does, under a supervisor that restarts it (after a
pause) when it fails: a broken source is logged, never fatal to the server. Every node of a
cluster runs every source, so a source names each event with a ``request_id``: the same event
announced by two nodes, or again after a restart, is stored once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Protocol

from maestoso.clock import Clock
from maestoso.errors import ConflictError
from maestoso.triggers.signals import SignalService

logger = logging.getLogger("maestoso.signal_sources")

RESTART_SECONDS = 30.0
"""How long a failed source rests before it is run again."""


class SignalContext(Protocol):
    """What a signal source is given to announce with."""

    @property
    def source(self) -> str:
        """The source's name (its entry point's)."""
        ...

    async def announce(
        self,
        name: str,
        params: Mapping[str, str | int] | None = None,
        *,
        request_id: str | None = None,
    ) -> bool:
        """Announce signal ``name`` with ``params`` (strings or longs, as Maestro's). False
        when a signal of this name and ``request_id`` (default: from the name and params) was
        announced already. Raises ``maestoso.errors.ValidationError`` for a bad signal."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait on the server's clock (cancelled when the server stops)."""
        ...


class SignalSource(Protocol):
    """One watcher, built by its plugin's factory from the server settings."""

    async def run(self, context: SignalContext) -> None:
        """Watch and announce until cancelled. Returning ends the source; raising restarts
        it after a pause."""
        ...


class _Context:
    def __init__(self, source: str, service: SignalService, clock: Clock) -> None:
        self.source = source
        self._service = service
        self._clock = clock

    async def announce(
        self,
        name: str,
        params: Mapping[str, str | int] | None = None,
        *,
        request_id: str | None = None,
    ) -> bool:
        body: dict[str, object] = {"name": name, "params": dict(params or {})}
        if request_id is not None:
            body["request_id"] = request_id
        try:
            stored = await self._service.announce(body)
        except ConflictError:
            return False
        logger.info("signal source [%s] announced [%s] (%d)", self.source, name, stored.seq_id)
        return True

    async def sleep(self, seconds: float) -> None:
        await self._clock.sleep(seconds)


class SignalSources:
    """Runs the sources for as long as the server runs."""

    def __init__(
        self,
        sources: Mapping[str, SignalSource],
        service: SignalService,
        clock: Clock,
        *,
        restart_seconds: float = RESTART_SECONDS,
    ) -> None:
        self._sources = dict(sources)
        self._service = service
        self._clock = clock
        self._restart_seconds = restart_seconds
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for name, source in self._sources.items():
            task = asyncio.create_task(self._supervise(name, source), name=f"signal-source-{name}")
            self._tasks.append(task)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _supervise(self, name: str, source: SignalSource) -> None:
        context = _Context(name, self._service, self._clock)
        while True:
            try:
                await source.run(context)
            except Exception:
                logger.exception(
                    "signal source [%s] failed; it runs again in %ss", name, self._restart_seconds
                )
            else:
                logger.info("signal source [%s] finished", name)
                return
            await self._clock.sleep(self._restart_seconds)
