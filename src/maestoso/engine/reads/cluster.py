"""The cluster as the database knows it: the nodes, their liveness and the groups each holds."""

from __future__ import annotations

from typing import Any

from maestoso.clock import Clock
from maestoso.errors import NotFoundError
from maestoso.store.coordination import FlowGroupStore
from maestoso.store.records import GroupRow


class ClusterView:
    def __init__(self, store: FlowGroupStore, clock: Clock, group_count: int) -> None:
        self._store = store
        self._clock = clock
        self._group_count = group_count

    async def overview(self) -> dict[str, Any]:
        """Every registered node with the groups it holds, and every group."""
        now = self._clock.now_ms()
        groups = await self._store.list_groups()
        held: dict[str, list[int]] = {}
        for group in groups:
            if _holder(group, now) is not None:
                held.setdefault(str(group.owner), []).append(group.group_id)
        nodes = [
            {
                "node_id": node.node_id,
                "address": node.info.get("address"),
                "alive": node.alive_until >= now,
                "start_time": node.start_time,
                "heartbeat_time": node.heartbeat_time,
                "alive_until": node.alive_until,
                "groups": held.get(node.node_id, []),
            }
            for node in await self._store.list_nodes()
        ]
        return {
            "group_count": self._group_count,
            "nodes": nodes,
            "groups": [_group(group, now) for group in groups],
        }

    async def group(self, group_id: int) -> dict[str, Any]:
        for group in await self._store.list_groups():
            if group.group_id == group_id:
                return _group(group, self._clock.now_ms())
        raise NotFoundError(f"Cannot find flow group [{group_id}]")


def _holder(group: GroupRow, now: int) -> str | None:
    return group.owner if group.owner is not None and group.owned_until >= now else None


def _group(group: GroupRow, now: int) -> dict[str, Any]:
    return {
        "group_id": group.group_id,
        "owner": _holder(group, now),
        "generation": group.generation,
        "heartbeat_time": group.heartbeat_time,
        "owned_until": group.owned_until,
    }
