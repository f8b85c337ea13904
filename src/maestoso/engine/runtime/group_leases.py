"""The flow-group half of the executor: membership, shares, leases and their renewal.

A node registers itself (``maestoso_node``) and heartbeats its registration and its leases
(one statement for all its groups). Each heartbeat, and each notification that a node joined
or left, shares the groups out again (``membership``): a node above its share hands groups
over (stops their flows, then releases them), one below claims free or expired ones and
resumes their runs. Every ``RECONCILE_ROUNDS`` heartbeats it also launches any unfinished run
of its groups that is not running here: a run whose hand-over to this node was lost (a crash
between a transaction and the event that follows it) waits that long at most.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from maestoso import metrics
from maestoso.engine.runtime import membership
from maestoso.engine.runtime.context import EngineContext
from maestoso.engine.runtime.flow import FlowActor
from maestoso.store.coordination import Topic
from maestoso.store.records import Fence, InstanceRow, JsonDict, NodeRow

logger = logging.getLogger("maestoso.engine.runtime.executor")

RECONCILE_ROUNDS = 20
"""Every 20 heartbeats (a minute by default) the runs of the held groups are checked."""


class GroupLeases:
    """Mixed into ``FlowExecutor``, whose state it shares."""

    engine: EngineContext
    owner: str
    groups: int
    _lease_ms: int
    _heartbeat_seconds: float
    _info: JsonDict
    _claimed: Callable[[], None]
    _start_time: int
    _poke: asyncio.Event
    _fences: dict[int, Fence]
    _renewed: dict[int, int]
    _flows: dict[tuple[str, int, int], FlowActor]
    peers: int = 1
    """How many nodes were alive at the last heartbeat, this one included."""

    def launch(self, instance: InstanceRow) -> bool:
        raise NotImplementedError

    async def _fence(self, group_id: int, reason: str, level: int = logging.ERROR) -> None:
        raise NotImplementedError

    def owned_groups(self) -> list[int]:
        return sorted(self._fences)

    def rebalance_soon(self) -> None:
        """Share the groups out again now (a node joined or left)."""
        self._poke.set()

    async def _register(self) -> None:
        now = self.engine.clock.now_ms()
        node = NodeRow(
            node_id=self.owner,
            start_time=self._start_time,
            heartbeat_time=now,
            alive_until=now + self._lease_ms,
            info=self._info,
        )
        await self.engine.store.save_node(node)

    async def _announce(self) -> None:
        try:
            await self.engine.store.notify(Topic.NODES)
        except Exception as exc:  # the others see it at their next heartbeat
            logger.warning("could not tell the other nodes: %s", brief(exc))

    async def _balance(self) -> None:
        """Hand over what is above this node's share of the groups in use, or claim free
        groups up to it."""
        store, now = self.engine.store, self.engine.clock.now_ms()
        nodes = membership.live_nodes(await store.list_nodes(), now, self.owner)
        self.peers = len(nodes)
        # Runs stored under a larger group count than today's keep their groups in use.
        universe = [*range(self.groups), *await store.groups_in_use(at_least=self.groups)]
        share = membership.share_of(len(universe), nodes, self.owner)
        unused = [g for g in self._fences if g not in universe]
        held = {g: 0 for g in self._fences if g in universe}
        for flow in self._flows.values():
            if flow.instance.group_id in held:
                held[flow.instance.group_id] += 1
        surplus = membership.to_hand_over(held, len(held) - share)
        for group_id in [*unused, *surplus]:
            await self._hand_over(group_id)
        if surplus:
            logger.info(
                "node %s handed %d flow groups over (%d nodes, a share of %d)",
                self.owner,
                len(surplus),
                len(nodes),
                share,
            )
            await self._announce()
        if len(held) < share:
            rows = {row.group_id: row for row in await store.list_groups()}
            free = membership.claimable(
                (g for g in universe if g not in held), rows, now, self.owner
            )
            random.shuffle(free)  # nodes claiming together mostly try different groups
            await self._claim_some(free, share - len(held))

    async def _claim_some(self, candidates: list[int], wanted: int) -> None:
        store, now = self.engine.store, self.engine.clock.now_ms()
        claimed: list[int] = []
        for group_id in candidates:
            if len(claimed) >= wanted:
                break
            fence = await store.claim_group(
                group_id, owner=self.owner, now=now, lease_ms=self._lease_ms
            )
            if fence is not None:
                self._fences[group_id] = fence
                self._renewed[group_id] = now
                metrics.GROUP_CLAIMS.labels(self.owner).inc()
                claimed.append(group_id)
        if not claimed:
            return
        try:
            unfinished = await store.unfinished_instances(claimed)
        except BaseException:
            # Not resumed: claim them again (a new generation) at the next heartbeat.
            for group_id in claimed:
                self._fences.pop(group_id, None)
            raise
        logger.info(
            "node %s claimed flow groups %s and resumes %d runs",
            self.owner,
            claimed,
            len(unfinished),
        )
        for instance in unfinished:
            self.launch(instance)
        self._claimed()

    async def _hand_over(self, group_id: int) -> None:
        fence = self._fences.get(group_id)
        if fence is None:
            return
        await self._fence(group_id, "handed over to another node", level=logging.INFO)
        await self.engine.store.release_group(fence)

    async def _beat(self) -> None:
        rounds = 0
        while True:
            try:
                await self.engine.clock.wait_for(self._poke.wait(), self._heartbeat_seconds)
            except TimeoutError:
                rounds += 1
            self._poke.clear()
            try:
                await self._renew()
                await self._register()
                await self._balance()
                if rounds >= RECONCILE_ROUNDS:
                    rounds = 0
                    await self._reconcile()
            except Exception as exc:  # the next round tries again
                logger.warning("a heartbeat round of the flow groups failed: %s", brief(exc))

    async def _renew(self) -> None:
        """Extend the leases of the held groups; give a group up when it was taken, or when
        its lease could end before the next heartbeat has had time to extend it."""
        fences = list(self._fences.values())
        if not fences:
            return
        now = self.engine.clock.now_ms()
        try:
            async with self.engine.clock.timeout(self._heartbeat_seconds):
                held = set(
                    await self.engine.store.heartbeat_groups(
                        fences, now=now, lease_ms=self._lease_ms
                    )
                )
        except Exception as exc:
            await self._leases_at_risk(fences, exc)
            raise
        for fence in fences:
            if fence.group_id in held:
                self._renewed[fence.group_id] = now
                metrics.GROUP_RENEWALS.labels(self.owner).inc()
            elif self._fences.get(fence.group_id) == fence:
                metrics.GROUPS_LOST.labels(self.owner, "taken").inc()
                await self._fence(fence.group_id, "another node took it over")

    async def _leases_at_risk(self, fences: list[Fence], exc: BaseException) -> None:
        now = self.engine.clock.now_ms()
        safe = []
        for fence in fences:
            left_ms = self._renewed.get(fence.group_id, now) + self._lease_ms - now
            # The next try begins a heartbeat from now and may take another to fail.
            if left_ms > 2 * self._heartbeat_seconds * 1000:
                safe.append(left_ms)
            elif self._fences.get(fence.group_id) == fence:
                metrics.GROUPS_LOST.labels(self.owner, "not_renewed").inc()
                await self._fence(fence.group_id, "its lease could not be renewed in time")
        if safe:
            logger.warning(
                "heartbeat of %d flow groups failed (%s); their leases end in %.0f s or more",
                len(safe),
                brief(exc),
                min(safe) / 1000,
            )

    async def _reconcile(self) -> None:
        """Launch the unfinished runs of the held groups that do not run here."""
        held = list(self._fences)
        for instance in await self.engine.store.unfinished_instances(held):
            key = (instance.workflow_id, instance.instance_id, instance.run_id)
            if key not in self._flows and self.launch(instance):
                logger.warning("flow %s was not running here; launched", key)


def brief(exc: BaseException) -> str:
    return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
