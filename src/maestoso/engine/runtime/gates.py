"""Controls on when a step may go on: breakpoints (a step waits in PAUSED until resumed),
tag permits (at most N steps carrying a tag run at once, across workflows) and each
workflow's ``step_concurrency``.

Breakpoints and permits live in the database, so every node sees them. Waiting steps are
woken in-process when a permit is released or an attempt resumed here, by a notification
when another node changed breakpoints (``wake_all``), and re-check on a short poll for the
permits other nodes released.
``step_concurrency`` is counted in memory, and while other nodes are alive (``clustered``)
in the database too, as a permit held under the workflow's name (``step_concurrency_name``):
two more transactions per step, which a single node does not pay. Steps that started before
a node was joined stay uncounted in the database until they end, so just after a join the
limit can be passed by as many steps as were running then.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from maestoso.clock import Clock
from maestoso.errors import MaestosoError
from maestoso.models import Step
from maestoso.store.controls import BreakpointRow
from maestoso.store.coordination import Topic
from maestoso.store.port import Store
from maestoso.store.records import InstanceRow

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
CACHE_SECONDS = 2.0
DEFAULT_STEP_CONCURRENCY = 20
STEP_CONCURRENCY_PREFIX = "maestoso.step_concurrency/"
"""Tag permits may not be named so (``TagPermits`` refuses it)."""


def step_concurrency_name(workflow_id: str) -> str:
    return STEP_CONCURRENCY_PREFIX + workflow_id


@dataclass(frozen=True, slots=True)
class AttemptKey:
    workflow_id: str
    step_id: str
    version: int
    instance_id: int
    run_id: int
    attempt_id: int

    def keys(self) -> tuple[int, int, int, int]:
        return self.version, self.instance_id, self.run_id, self.attempt_id


@dataclass(slots=True)
class Controls:
    store: Store
    clock: Clock
    shared: bool = False
    """Whether other nodes may use the database (they are told of breakpoint changes)."""
    clustered: Callable[[], bool] = lambda: False
    """Whether other nodes are alive now (step concurrency is then counted in the database)."""
    _in_db: set[str] = field(default_factory=set)
    """Steps whose step-concurrency permit is held in the database."""
    _with_breakpoints: set[str] = field(default_factory=set)
    _refreshed: float = -1.0
    _resumed: dict[AttemptKey, asyncio.Event] = field(default_factory=dict)
    _waiters: list[asyncio.Future[None]] = field(default_factory=list)
    _running: dict[str, int] = field(default_factory=dict)

    # -- breakpoints --------------------------------------------------------------------------

    async def breakpoint_hit(self, workflow_id: str, step_id: str) -> bool:
        """Whether a breakpoint stops this step (a cached check first: most have none)."""
        if time.monotonic() - self._refreshed > CACHE_SECONDS:
            self._with_breakpoints = await self.store.workflows_with_breakpoints()
            self._refreshed = time.monotonic()
        if workflow_id not in self._with_breakpoints:
            return False
        rows = await self.store.list_breakpoints(workflow_id, step_id, system_generated=False)
        return bool(rows)

    def breakpoints_changed(self) -> None:
        self._refreshed = -1.0

    async def changed(self) -> None:
        """Breakpoints or paused attempts changed here: tell the other nodes' steps too."""
        self.breakpoints_changed()
        if self.shared:
            try:
                await self.store.notify(Topic.CONTROLS)
            except MaestosoError as exc:  # the change is made; their poll sees it
                logger.warning("could not tell the other nodes of a breakpoint: %s", exc)

    def wake_all(self) -> None:
        """Another node changed breakpoints or paused attempts (or the listener reconnected):
        every waiting step looks again."""
        self.breakpoints_changed()
        for event in self._resumed.values():
            event.set()
        self._release_waiters()

    async def pause(self, key: AttemptKey, recorded: Callable[[], Awaitable[None]]) -> None:
        """Record the attempt as paused, call ``recorded``, then wait until it is resumed."""
        row = BreakpointRow(
            workflow_id=key.workflow_id,
            step_id=key.step_id,
            system_generated=True,
            version=key.version,
            instance_id=key.instance_id,
            run_id=key.run_id,
            step_attempt_id=key.attempt_id,
            created_by=None,
            create_time=self.clock.now_ms(),
        )
        await self.store.save_breakpoint(row)
        await recorded()
        event = self._resumed.setdefault(key, asyncio.Event())
        try:
            while True:
                event.clear()  # before the check, so that a wake-up during it is kept
                if not await self._still_paused(key):
                    break
                try:
                    await self.clock.wait_for(event.wait(), POLL_SECONDS)
                except TimeoutError:
                    continue
        finally:
            self._resumed.pop(key, None)

    async def _still_paused(self, key: AttemptKey) -> bool:
        rows = await self.store.list_breakpoints(
            key.workflow_id, key.step_id, system_generated=True
        )
        return any(
            (r.version, r.instance_id, r.run_id, r.step_attempt_id) == key.keys() for r in rows
        )

    def resumed(self, keys: Iterable[AttemptKey]) -> None:
        for key in keys:
            event = self._resumed.get(key)
            if event is not None:
                event.set()

    # -- tag permits and step concurrency ------------------------------------------------------

    async def try_acquire(
        self, step_uuid: str, tags: list[str], workflow_id: str, step_concurrency: int
    ) -> list[str]:
        """Take what the step needs to start, or nothing: the limits that are full."""
        concurrency = f"step_concurrency {step_concurrency} of [{workflow_id}]"
        if self._running.get(workflow_id, 0) >= step_concurrency:
            return [concurrency]
        clustered = self.shared and self.clustered()
        if tags or clustered:
            own = {step_concurrency_name(workflow_id): step_concurrency} if clustered else {}
            full = await self.store.acquire_permits(step_uuid, tags, self.clock.now_ms(), own)
            if full:
                return [concurrency if t in own else f"tag permit [{t}]" for t in full]
            if clustered:
                self._in_db.add(step_uuid)
        self._running[workflow_id] = self._running.get(workflow_id, 0) + 1
        return []

    async def acquire(
        self, step_uuid: str, tags: list[str], workflow_id: str, step_concurrency: int
    ) -> None:
        """Wait until the step may start (woken by releases here, polling for other nodes)."""
        while await self.try_acquire(step_uuid, tags, workflow_id, step_concurrency):
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await self.clock.wait_for(waiter, POLL_SECONDS)
            except TimeoutError:
                pass
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)

    def hold(self, workflow_id: str) -> None:
        """Count a step that resumed RUNNING after a restart (its permits are still held)."""
        self._running[workflow_id] = self._running.get(workflow_id, 0) + 1

    async def release(
        self, step_uuid: str, tags: list[str], workflow_id: str, *, resumed: bool = False
    ) -> None:
        """Give back what the step took; a ``resumed`` one may hold permits from before."""
        if tags or step_uuid in self._in_db or (resumed and self.shared):
            await self.store.release_permits(step_uuid)
        self._in_db.discard(step_uuid)
        count = self._running.get(workflow_id, 0) - 1
        if count > 0:
            self._running[workflow_id] = count
        else:
            self._running.pop(workflow_id, None)
        self._release_waiters()

    def _release_waiters(self) -> None:
        # Every waiter tries again: which of them may go depends on its own tags and workflow.
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


@dataclass(slots=True)
class StepGates:
    """The gates one step passes before its work starts: a breakpoint, then its permits."""

    controls: Controls
    instance: InstanceRow
    step: Step
    holding: bool = False
    """Whether the attempt holds its tag permits and a step concurrency slot."""
    resumed: bool = False
    """Whether it held them before this node resumed it."""

    async def pause_at_breakpoint(
        self,
        attempt_id: int,
        *,
        settled: Callable[[], Awaitable[None]],
        paused: Callable[[], Awaitable[None]],
    ) -> bool:
        """If a breakpoint holds the step: wait until what made it ready is committed
        (``settled``), record the attempt as paused, write its PAUSED row (``paused``) and
        wait until it is resumed. Whether it did. A client that sees the row PAUSED finds the
        attempt among the paused ones."""
        if not await self.controls.breakpoint_hit(self.instance.workflow_id, self.step.id):
            return False
        await settled()
        instance = self.instance
        key = AttemptKey(
            instance.workflow_id,
            self.step.id,
            instance.version_id,
            instance.instance_id,
            instance.run_id,
            attempt_id,
        )
        await self.controls.pause(key, paused)
        return True

    async def acquire(
        self, step_uuid: str, waiting: Callable[[list[str]], Awaitable[None]]
    ) -> None:
        """Take the step's tag permits and a concurrency slot, waiting as long as it takes
        (``waiting`` records why, once)."""
        limit = self.instance.record.run_properties.step_concurrency
        request = (
            step_uuid,
            self._tags(),
            self.instance.workflow_id,
            int(limit or DEFAULT_STEP_CONCURRENCY),
        )
        full = await self.controls.try_acquire(*request)
        if full:
            await waiting(full)
            await self.controls.acquire(*request)
        self.holding = True

    def hold(self) -> None:
        """A resumed attempt holds what it held before the crash."""
        self.controls.hold(self.instance.workflow_id)
        self.holding = self.resumed = True

    async def release(self, step_uuid: str) -> None:
        if self.holding:
            self.holding = False
            await self.controls.release(
                step_uuid, self._tags(), self.instance.workflow_id, resumed=self.resumed
            )

    def _tags(self) -> list[str]:
        tags = getattr(self.step, "tags", None) or []
        return [t if isinstance(t, str) else t.name for t in tags]
