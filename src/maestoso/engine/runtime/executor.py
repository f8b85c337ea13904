"""The node's flow executor (Maestro's group actors): it owns flow groups and runs their flows.

A node claims its share of the groups (a lease with a generation in the database; see
``group_leases``), resumes the unfinished runs of each group it claims, and runs them. On
SIGTERM it stops its flows, unregisters and releases every group, so the other nodes claim
them at once. A group whose lease is lost (another node took it) has its flows dropped here
without any further write: the fence on every write already refuses them, and the new owner
resumes them from the database.

Database outages. A flow that fails (a write or read the database did not answer) is launched
again from the database after a pause that doubles from ``RELAUNCH_FIRST_SECONDS`` up to
``RELAUNCH_MAX_SECONDS``, for as long as this node holds the flow's group. A node whose
heartbeats keep failing gives a group up *before* its lease can have ended (when less than
one heartbeat of it is left): it stops that group's flows (fenced by itself), since another
node may claim the group as soon as the lease ends, and the heartbeat loop claims the group
again, with a new generation, once the database answers. Either way a flow resumes from what
the database holds: a step whose RUNNING row was written is re-attached to its work, and a
step started but never recorded is started again under the same attempt, which a Shell
command's launch marker turns into a re-attach (see ``maestoso.runtimes.process``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import zlib
from collections.abc import Callable

from maestoso import metrics
from maestoso.engine.runtime.children import ChildrenHub, SubworkflowStarter
from maestoso.engine.runtime.context import EngineContext
from maestoso.engine.runtime.flow import FlowActor
from maestoso.engine.runtime.group_leases import GroupLeases, brief
from maestoso.engine.runtime.messages import Message, Terminate
from maestoso.models.statuses import WorkflowStatus
from maestoso.store.records import Fence, InstanceRow, JsonDict

logger = logging.getLogger(__name__)

DEFAULT_GROUPS = 64
DEFAULT_LEASE_SECONDS = 12.0
DEFAULT_HEARTBEAT_SECONDS = 3.0
"""A dead node's groups are claimed within a lease and a heartbeat: 15 s."""
RELAUNCH_FIRST_SECONDS = 0.5
RELAUNCH_MAX_SECONDS = 5.0
"""A failed flow is launched again after 0.5 s, 1 s, 2 s, 4 s, then every 5 s."""


def group_of(reference: str, groups: int) -> int:
    """The flow group of a run: a stable hash of its reference over the number of groups."""
    return zlib.crc32(reference.encode()) % max(groups, 1)


class FlowExecutor(GroupLeases):
    def __init__(
        self,
        engine: EngineContext,
        *,
        starter: SubworkflowStarter,
        owner: str,
        groups: int = DEFAULT_GROUPS,
        lease_ms: int = int(DEFAULT_LEASE_SECONDS * 1000),
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        info: JsonDict | None = None,
        claimed: Callable[[], None] = lambda: None,
    ) -> None:
        """``info`` is what the node tells of itself in the nodes' view; ``claimed`` is called
        after groups were claimed (events routed to them may wait)."""
        self.engine = engine
        self.children = ChildrenHub(engine, self, starter)
        self.owner = owner
        self.groups = max(groups, 1)
        self._lease_ms = lease_ms
        self._heartbeat_seconds = heartbeat_seconds
        self._info = info or {}
        self._claimed = claimed
        self._start_time = 0
        self._poke = asyncio.Event()
        self._fences: dict[int, Fence] = {}
        self._renewed: dict[int, int] = {}
        """When each held group's lease was last written (epoch ms): it ends a lease later."""
        self._flows: dict[tuple[str, int, int], FlowActor] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self._relaunching: set[asyncio.Task[None]] = set()
        self._failures: dict[tuple[str, int, int], tuple[int, float]] = {}
        """Recent failures of each flow: how many in a row, and when the last one was."""
        self.idle = asyncio.Event()
        self.idle.set()
        metrics.watch(metrics.GROUPS_OWNED.labels(owner), self, lambda e: len(e._fences))
        metrics.watch(metrics.FLOWS_RUNNING.labels(owner), self, lambda e: e.running)

    @property
    def running(self) -> int:
        return len(self._flows)

    async def start(self) -> None:
        """Join: register, claim this node's share of the free groups and resume their runs."""
        self._start_time = self.engine.clock.now_ms()
        await self._register()
        await self._balance()
        self._heartbeat = asyncio.create_task(self._beat(), name="flow-group-heartbeat")
        await self._announce()  # the others hand this node its share over

    async def stop(self) -> None:
        """Leave: stop the actors (their runs stay IN_PROGRESS), unregister and release the
        groups, for the other nodes to claim at once."""
        if self._heartbeat is not None:
            # Let a heartbeat in flight finish its transaction (or roll it back) first: an
            # UPDATE of the group row left open would make the release below wait on its lock.
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
        for task in list(self._relaunching):
            task.cancel()
        flows = list(self._flows.values())
        for flow in flows:
            if flow.task is not None:
                flow.task.cancel()
        await asyncio.gather(*(f.task for f in flows if f.task), return_exceptions=True)
        try:
            await self.engine.store.remove_node(self.owner)
        except Exception:  # its registration expires on its own
            logger.warning("could not unregister node %s", self.owner)
        for fence in self._fences.values():
            try:
                await self.engine.store.release_group(fence)
            except Exception:  # the lease expires on its own
                logger.warning("could not release flow group %s", fence.group_id)
        if self._fences:
            logger.info("node %s left: released %d flow groups", self.owner, len(self._fences))
        self._fences.clear()
        await self._announce()

    def owns(self, group_id: int) -> bool:
        return group_id in self._fences

    def launch(self, instance: InstanceRow) -> bool:
        """Run ``instance`` here if this node owns its group; False otherwise."""
        fence = self._fences.get(instance.group_id)
        key = (instance.workflow_id, instance.instance_id, instance.run_id)
        if fence is None or key in self._flows:
            return fence is not None
        flow = FlowActor(self.engine, self.children, instance, fence, self._exited)
        self._flows[key] = flow
        self.idle.clear()
        flow.start()
        return True

    def terminate(self, key: tuple[str, int, int], status: WorkflowStatus, reason: str) -> bool:
        """Ask a running flow to stop (STOPPED) or fail (FAILED); False if it is not here."""
        flow = self._flows.get(key)
        if flow is None:
            return False
        flow.post(Terminate(status, reason))
        return True

    async def ended(self, key: tuple[str, int, int], timeout: float) -> None:
        """Until the flow of ``key`` has exited here (at once if none runs), or ``timeout``."""
        flow = self._flows.get(key)
        if flow is None or flow.task is None:
            return
        done = asyncio.ensure_future(asyncio.wait([flow.task]))
        try:
            await self.engine.clock.wait_for(done, timeout)
        except TimeoutError:
            pass

    def deliver(self, key: tuple[str, int, int], message: Message) -> bool:
        """Hand a message to a running flow; False if it does not run here."""
        flow = self._flows.get(key)
        if flow is None:
            return False
        flow.post(message)
        return True

    # -- flows that failed ---------------------------------------------------------------------

    def _exited(self, flow: FlowActor) -> None:
        if self._flows.get(flow.key) is flow:
            del self._flows[flow.key]
        if flow.crashed and self._fences.get(flow.instance.group_id) == flow.fence:
            delay = self._next_delay(flow.key)
            task = asyncio.create_task(self._relaunch(flow.key, flow.fence, delay))
            self._relaunching.add(task)
        else:
            self._failures.pop(flow.key, None)
            self._settle()

    def _next_delay(self, key: tuple[str, int, int]) -> float:
        """The pause before launching a failed flow again: doubled by each failure that
        follows the last one closely, up to ``RELAUNCH_MAX_SECONDS``."""
        now = self.engine.clock.monotonic()
        count, last = self._failures.get(key, (0, now))
        if now - last > 2 * RELAUNCH_MAX_SECONDS:  # it ran well for a while: start over
            count = 0
        self._failures[key] = (count + 1, now)
        return backoff_seconds(count)

    async def _relaunch(self, key: tuple[str, int, int], fence: Fence, delay: float) -> None:
        """Launch a failed flow again from the database after ``delay``, and after longer
        pauses while the database does not answer, as long as ``fence`` holds here."""
        try:
            for failures in itertools.count(1):
                await self.engine.clock.sleep(delay)
                if self._fences.get(fence.group_id) != fence:
                    return  # the group's next claim resumes it
                try:
                    row = await self.engine.store.get_instance(*key)
                except Exception as exc:
                    log = logger.warning if failures == 1 else logger.debug
                    log("flow %s cannot be read back yet: %s", key, brief(exc))
                    delay = backoff_seconds(failures)
                    continue
                if row is not None and not WorkflowStatus.from_stored(row.status).is_terminal:
                    if self._fences.get(fence.group_id) == fence:
                        self.launch(row)
                return
        finally:
            self._relaunching.discard(asyncio.current_task())
            self._settle()

    def _settle(self) -> None:
        if not self._flows and not self._relaunching:
            self.idle.set()

    async def _fence(self, group_id: int, reason: str, level: int = logging.ERROR) -> None:
        """Stop this node's flows of the group: it no longer owns it (their runs stay as the
        database holds them, for whichever node claims the group next)."""
        logger.log(level, "flow group %s: %s; stopping its flows", group_id, reason)
        self._fences.pop(group_id, None)
        self._renewed.pop(group_id, None)
        flows = [flow for flow in self._flows.values() if flow.instance.group_id == group_id]
        for flow in flows:
            del self._flows[flow.key]
            self._failures.pop(flow.key, None)
            if flow.task is not None:
                flow.task.cancel()
        await asyncio.gather(*(f.task for f in flows if f.task), return_exceptions=True)
        self._settle()


def backoff_seconds(failures: int) -> float:
    """The pause after ``failures`` failures in a row (0 for the first)."""
    return float(min(RELAUNCH_FIRST_SECONDS * 2 ** min(failures, 16), RELAUNCH_MAX_SECONDS))
