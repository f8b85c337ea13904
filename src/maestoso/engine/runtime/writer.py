"""Group commit: the step writes of many actors that arrive together go in one transaction.

Each actor awaits its own write. Writes queued while a transaction is in flight, or in the few
turns of the loop before it begins, are committed together, so under load the number of
commits stays small while a lone write is hardly delayed. If a shared transaction fails, its
writes are retried one by one so that one conflicting write (a fenced group, a lost
compare-and-set) fails only its own caller.

The writes of one run form a ``Chain``: they are committed in the order they were made, and
once one fails, those made after it fail too without being tried, so that the database never
holds a later write of a run without an earlier one (a run may go on before its writes are
committed: see ``FlowActor``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from maestoso.store.port import InstanceStore
from maestoso.store.records import Fence, IfQueued, InstanceUpdate, JobEvent, StepAttemptRow


class Facts(Protocol):
    """Status-change facts derived from a write, enqueued in its transaction."""

    def of(
        self, attempts: list[StepAttemptRow], updates: list[InstanceUpdate]
    ) -> list[JobEvent]: ...

    def committed(self) -> None: ...


GATHER_TURNS = 4
"""Turns of the event loop the writer lets pass before it takes a batch. On SQLite a commit
takes no turn at all (see ``store.sql.inline``), so without them each write would be
committed alone; in four turns, the writes of steps already under way (a chain of NoOps run
ahead of its commits, a fan-out) join the batch, and a lone write waits some microseconds."""


class _NoFacts:
    def of(self, attempts: list[StepAttemptRow], updates: list[InstanceUpdate]) -> list[JobEvent]:
        return []

    def committed(self) -> None:
        pass


@dataclass(slots=True)
class Write:
    attempts: list[StepAttemptRow] = field(default_factory=list)
    instance_updates: list[InstanceUpdate] = field(default_factory=list)
    events: list[JobEvent] = field(default_factory=list)
    if_queued: list[IfQueued] = field(default_factory=list)
    """Events enqueued only if their workflow has a queued run (see ``save_steps``)."""


@dataclass(slots=True)
class Chain:
    """The writes of one run, in order; ``failed`` is what failed the first that failed."""

    failed: BaseException | None = None


@dataclass(slots=True)
class _Pending:
    write: Write
    fence: Fence | None
    done: asyncio.Future[None]
    facts: list[JobEvent]
    chain: Chain | None


class StepWriter:
    def __init__(
        self,
        store: InstanceStore,
        *,
        max_batch: int = 500,
        wake: Callable[[], None] = lambda: None,
        facts: Facts | None = None,
        written: Callable[[list[StepAttemptRow]], None] = lambda attempts: None,
    ) -> None:
        self._store = store
        self._written = written
        """Told of the attempts of each commit."""
        self._facts: Facts = facts or _NoFacts()
        self._max_batch = max_batch
        self._wake = wake
        """Called after a commit that enqueued events of ``if_queued``."""
        self._pending: list[_Pending] = []
        self._flushing: asyncio.Task[None] | None = None

    async def write(self, write: Write, fence: Fence | None, chain: Chain | None = None) -> None:
        """Commit ``write`` (with others queued alongside); raises what its commit raised."""
        await self.submit(write, fence, chain)

    def submit(
        self, write: Write, fence: Fence | None, chain: Chain | None = None
    ) -> asyncio.Future[None]:
        """Queue ``write``; the future is done once it is committed (or has failed)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        facts = self._facts.of(write.attempts, write.instance_updates)
        self._pending.append(_Pending(write, fence, done, facts, chain))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return done

    async def _flush(self) -> None:
        while self._pending:
            for _ in range(GATHER_TURNS):
                await asyncio.sleep(0)
            batch, self._pending = (
                self._pending[: self._max_batch],
                self._pending[self._max_batch :],
            )
            by_fence: dict[Fence | None, list[_Pending]] = {}
            for pending in batch:
                by_fence.setdefault(pending.fence, []).append(pending)
            for fence, group in by_fence.items():
                await self._commit(fence, group)

    async def _commit(self, fence: Fence | None, group: list[_Pending]) -> None:
        group = [p for p in group if not _failed_earlier(p)]
        if not group:
            return
        try:
            await self._save(fence, group)
        except Exception as exc:
            if len(group) == 1:
                _settle(group[0], exc)
                return
            for pending in group:
                if _failed_earlier(pending):
                    continue
                try:
                    await self._save(fence, [pending])
                except Exception as single:
                    _settle(pending, single)
                else:
                    _settle(pending, None)
            return
        for pending in group:
            _settle(pending, None)

    async def _save(self, fence: Fence | None, group: list[_Pending]) -> None:
        facts = [f for p in group for f in p.facts]
        attempts = [a for p in group for a in p.write.attempts]
        enqueued = await self._store.save_steps(
            attempts,
            instance_updates=[u for p in group for u in p.write.instance_updates],
            events=[e for p in group for e in p.write.events] + facts,
            fence=fence,
            if_queued=[e for p in group for e in p.write.if_queued],
        )
        self._written(attempts)
        if enqueued:
            self._wake()
        if facts:
            self._facts.committed()


def _failed_earlier(pending: _Pending) -> bool:
    """Settle ``pending`` with its chain's failure, if an earlier write of it failed."""
    failed = pending.chain.failed if pending.chain is not None else None
    if failed is not None:
        _settle(pending, failed)
    return failed is not None


def _settle(pending: _Pending, error: BaseException | None) -> None:
    if error is not None and pending.chain is not None and pending.chain.failed is None:
        pending.chain.failed = error
    if pending.done.done():
        return
    if error is None:
        pending.done.set_result(None)
    else:
        pending.done.set_exception(error)
