"""The node's flow executor (Maestro's group actors): it owns flow groups and runs their flows.

A node claims groups (a lease with a generation in the database), resumes the unfinished
runs of each group it claims, and heartbeats its leases. A group whose lease is lost (another
node took it) has its flows dropped here without any further write: the fence on every write
already refuses them, and the new owner resumes them from the database.
"""

from __future__ import annotations

import asyncio
import logging
import zlib

from maestoso.engine.runtime.children import ChildrenHub, SubworkflowStarter
from maestoso.engine.runtime.context import EngineContext
from maestoso.engine.runtime.flow import FlowActor
from maestoso.engine.runtime.messages import Message, Terminate
from maestoso.models.statuses import WorkflowStatus
from maestoso.store.records import Fence, InstanceRow

logger = logging.getLogger(__name__)

DEFAULT_GROUPS = 3
RELAUNCH_SECONDS = 1.0


def group_of(reference: str, groups: int) -> int:
    """The flow group of a run: a stable hash of its reference over the number of groups."""
    return zlib.crc32(reference.encode()) % max(groups, 1)


class FlowExecutor:
    def __init__(
        self,
        engine: EngineContext,
        *,
        starter: SubworkflowStarter,
        owner: str,
        groups: int = DEFAULT_GROUPS,
        lease_ms: int = 60_000,
        heartbeat_seconds: float = 10.0,
    ) -> None:
        self.engine = engine
        self.children = ChildrenHub(engine, self, starter)
        self.owner = owner
        self.groups = groups
        self._lease_ms = lease_ms
        self._heartbeat_seconds = heartbeat_seconds
        self._fences: dict[int, Fence] = {}
        self._flows: dict[tuple[str, int, int], FlowActor] = {}
        self._heartbeat: asyncio.Task[None] | None = None
        self._relaunching: set[asyncio.Task[None]] = set()
        self.idle = asyncio.Event()
        self.idle.set()

    @property
    def running(self) -> int:
        return len(self._flows)

    async def start(self) -> None:
        """Claim every group that is free and resume its unfinished runs."""
        for group_id in range(self.groups):
            await self._claim(group_id)
        self._heartbeat = asyncio.create_task(self._beat(), name="flow-group-heartbeat")

    async def stop(self) -> None:
        """Leave: stop the actors (their runs stay IN_PROGRESS) and release the groups."""
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
        for fence in self._fences.values():
            try:
                await self.engine.store.release_group(fence)
            except Exception:  # the lease expires on its own
                logger.warning("could not release flow group %s", fence.group_id)
        self._fences.clear()

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

    def deliver(self, key: tuple[str, int, int], message: Message) -> bool:
        """Hand a message to a running flow; False if it does not run here."""
        flow = self._flows.get(key)
        if flow is None:
            return False
        flow.post(message)
        return True

    def _exited(self, flow: FlowActor) -> None:
        self._flows.pop(flow.key, None)
        if flow.crashed and self._fences.get(flow.instance.group_id) == flow.fence:
            self._relaunching.add(asyncio.create_task(self._relaunch(flow.key)))
        elif not self._flows:
            self.idle.set()

    async def _relaunch(self, key: tuple[str, int, int]) -> None:
        """Resume a flow that failed (a lost connection…) after a pause, if still unfinished."""
        try:
            await self.engine.clock.sleep(RELAUNCH_SECONDS)
            row = await self.engine.store.get_instance(*key)
            if row is not None and not WorkflowStatus.from_stored(row.status).is_terminal:
                self.launch(row)
        except Exception:  # the group's next claim resumes it
            logger.exception("could not resume flow %s", key)
        finally:
            self._relaunching.discard(asyncio.current_task())
            if not self._flows:
                self.idle.set()

    async def _claim(self, group_id: int) -> None:
        store = self.engine.store
        now = self.engine.clock.now_ms()
        fence = await store.claim_group(
            group_id, owner=self.owner, now=now, lease_ms=self._lease_ms
        )
        if fence is None:
            return
        self._fences[group_id] = fence
        for instance in await store.unfinished_instances([group_id]):
            self.launch(instance)

    async def _beat(self) -> None:
        while True:
            await self.engine.clock.sleep(self._heartbeat_seconds)
            for group_id, fence in list(self._fences.items()):
                now = self.engine.clock.now_ms()
                try:
                    held = await self.engine.store.heartbeat_group(
                        fence, now=now, lease_ms=self._lease_ms
                    )
                except Exception:
                    logger.exception("heartbeat of flow group %s failed", group_id)
                    continue
                if not held:
                    self._lose(group_id)
            for group_id in range(self.groups):
                if group_id not in self._fences:
                    await self._claim(group_id)

    def _lose(self, group_id: int) -> None:
        logger.error("flow group %s was taken by another node; dropping its flows", group_id)
        self._fences.pop(group_id, None)
        for flow in list(self._flows.values()):
            if flow.instance.group_id == group_id and flow.task is not None:
                flow.task.cancel()
