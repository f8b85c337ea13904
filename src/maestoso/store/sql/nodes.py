"""Cluster membership (``maestoso_node``) and the flow groups that runs are stored under."""

from __future__ import annotations

from sqlalchemy import RowMapping, delete, select

from maestoso.store.records import NodeRow
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.tables import (
    maestoso_node,
    maestro_workflow_instance,
    resumable_status_predicate,
)

_node = maestoso_node
_inst = maestro_workflow_instance


class NodeMethods(SqlBase):
    """The membership part of ``SqlStore``."""

    async def save_node(self, node: NodeRow) -> None:
        statement = upsert(self._dialect, _node).values(
            node_id=node.node_id,
            start_time=node.start_time,
            heartbeat_time=node.heartbeat_time,
            alive_until=node.alive_until,
            info=node.info,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_node.c.node_id],
            set_={
                "heartbeat_time": statement.excluded.heartbeat_time,
                "alive_until": statement.excluded.alive_until,
                "info": statement.excluded.info,
            },
        )
        async with self._writing_one() as connection:
            await connection.execute(statement)

    async def remove_node(self, node_id: str) -> None:
        async with self._writing_one() as connection:
            await connection.execute(delete(_node).where(_node.c.node_id == node_id))

    async def list_nodes(self) -> list[NodeRow]:
        async with self._reading() as connection:
            rows = (await connection.execute(select(_node).order_by(_node.c.node_id))).mappings()
            return [_node_row(row) for row in rows]

    async def groups_in_use(self, *, at_least: int) -> list[int]:
        # Served by the partial index of resumable runs by group: a handful of rows.
        query = (
            select(_inst.c.group_id)
            .where(_inst.c.group_id >= at_least, resumable_status_predicate())
            .distinct()
            .order_by(_inst.c.group_id)
        )
        async with self._reading() as connection:
            return [int(g) for g in (await connection.execute(query)).scalars()]


def _node_row(row: RowMapping) -> NodeRow:
    return NodeRow(
        node_id=row["node_id"],
        start_time=row["start_time"],
        heartbeat_time=row["heartbeat_time"],
        alive_until=row["alive_until"],
        info=dict(row["info"] or {}),
    )
