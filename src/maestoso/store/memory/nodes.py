"""Cluster membership in memory; one process, so no notifications between nodes."""

from __future__ import annotations

from collections.abc import Callable

from maestoso.store.coordination import Listening
from maestoso.store.memory.base import MemoryBase, copied, round_trip
from maestoso.store.memory.instances import RESUMABLE_STATUSES
from maestoso.store.records import NodeRow


class NodeMethods(MemoryBase):
    """The membership part of ``MemoryStore``."""

    async def save_node(self, node: NodeRow) -> None:
        await round_trip()
        current = self._tables.nodes.get(node.node_id)
        start = node.start_time if current is None else current.start_time
        self._tables.nodes[node.node_id] = NodeRow(
            node_id=node.node_id,
            start_time=start,
            heartbeat_time=node.heartbeat_time,
            alive_until=node.alive_until,
            info=copied(node.info),
        )

    async def remove_node(self, node_id: str) -> None:
        await round_trip()
        self._tables.nodes.pop(node_id, None)

    async def list_nodes(self) -> list[NodeRow]:
        await round_trip()
        nodes = self._tables.nodes
        return [copied(nodes[node_id]) for node_id in sorted(nodes)]

    async def groups_in_use(self, *, at_least: int) -> list[int]:
        await round_trip()
        return sorted(
            {
                row.group_id
                for runs in self._tables.instances.values()
                for row in runs.values()
                if row.group_id >= at_least and row.status in RESUMABLE_STATUSES
            }
        )

    @property
    def shared(self) -> bool:
        return False

    async def notify(self, message: str) -> None:
        await round_trip()

    def listen(self, deliver: Callable[[str], None]) -> Listening | None:
        return None
