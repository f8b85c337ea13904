"""Flow groups: who owns each, until when, and the generation that fences their writes.

A claim is one ``INSERT … ON CONFLICT DO UPDATE … WHERE`` (the group is unowned, its lease
expired, or it is already the claimer's), so of two nodes claiming at once exactly one wins,
and every claim bumps the generation. Writes for a group carry a ``Fence``; ``check_fence``
verifies it inside the writing transaction. On PostgreSQL it locks the group row ``FOR
SHARE``, so a claim of the group waits until the fenced transactions in flight are committed:
after a claim commits, no write under an older generation can commit any more. On SQLite the
single writer serialises them the same way.
"""

from __future__ import annotations

from sqlalchemy import RowMapping, Select, and_, bindparam, or_, select, update

from maestoso.errors import FencedError
from maestoso.store.records import Fence, GroupRow
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.tables import maestro_flow_group

_grp = maestro_flow_group


class GroupMethods(SqlBase):
    """The ``FlowGroupStore`` part of ``SqlStore``."""

    async def claim_group(
        self, group_id: int, *, owner: str, now: int, lease_ms: int
    ) -> Fence | None:
        statement = upsert(self._dialect, _grp).values(
            group_id=group_id,
            generation=1,
            owner=owner,
            heartbeat_time=now,
            owned_until=now + lease_ms,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_grp.c.group_id],
            set_={
                "generation": _grp.c.generation + 1,
                "owner": statement.excluded.owner,
                "heartbeat_time": statement.excluded.heartbeat_time,
                "owned_until": statement.excluded.owned_until,
            },
            where=or_(_grp.c.owner.is_(None), _grp.c.owned_until < now, _grp.c.owner == owner),
        ).returning(_grp.c.generation)
        async with self._writing_one() as connection:
            generation = (await connection.execute(statement)).scalar_one_or_none()
        return None if generation is None else Fence(group_id=group_id, generation=generation)

    async def heartbeat_group(self, fence: Fence, *, now: int, lease_ms: int) -> bool:
        statement = (
            update(_grp)
            .where(_grp.c.group_id == fence.group_id, _grp.c.generation == fence.generation)
            .values(heartbeat_time=now, owned_until=now + lease_ms)
        )
        async with self._writing_one() as connection:
            result = await connection.execute(statement)
        return result.rowcount == 1

    async def heartbeat_groups(self, fences: list[Fence], *, now: int, lease_ms: int) -> list[int]:
        if not fences:
            return []
        held = or_(
            *(
                and_(_grp.c.group_id == f.group_id, _grp.c.generation == f.generation)
                for f in fences
            )
        )
        statement = (
            update(_grp)
            .where(held)
            .values(heartbeat_time=now, owned_until=now + lease_ms)
            .returning(_grp.c.group_id)
        )
        async with self._writing_one() as connection:
            return sorted(int(g) for g in (await connection.execute(statement)).scalars())

    async def release_group(self, fence: Fence) -> None:
        statement = (
            update(_grp)
            .where(_grp.c.group_id == fence.group_id, _grp.c.generation == fence.generation)
            .values(owner=None, owned_until=0)
        )
        async with self._writing_one() as connection:
            await connection.execute(statement)

    async def list_groups(self) -> list[GroupRow]:
        async with self._reading() as connection:
            rows = (await connection.execute(select(_grp).order_by(_grp.c.group_id))).mappings()
            return [_group(row) for row in rows]


_FENCE = select(_grp.c.generation).where(_grp.c.group_id == bindparam("group_id"))
_FENCE_SHARED = _FENCE.with_for_update(read=True)


def fence_query(connection: SqlConnection) -> Select[tuple[int]]:
    """The generation of the group ``group_id``, share-locked on PostgreSQL."""
    return _FENCE_SHARED if connection.dialect.name == "postgresql" else _FENCE


def verify_fence(fence: Fence, generation: int | None) -> None:
    """Raise ``FencedError`` unless ``generation``, read by ``fence_query``, is the fence's."""
    if generation != fence.generation:
        held = "no longer exists" if generation is None else f"is at generation {generation}"
        raise FencedError(
            f"flow group {fence.group_id} {held}: a write under generation "
            f"{fence.generation} is refused"
        )


async def check_fence(connection: SqlConnection, fence: Fence | None) -> None:
    """Raise ``FencedError`` unless the group is still at the fence's generation.

    Call it in a writing transaction, anywhere before it commits; on PostgreSQL the group row
    stays share-locked until the transaction ends.
    """
    if fence is None:
        return
    result = await connection.execute(fence_query(connection), {"group_id": fence.group_id})
    verify_fence(fence, result.scalar_one_or_none())


def _group(row: RowMapping) -> GroupRow:
    return GroupRow(
        group_id=row["group_id"],
        generation=row["generation"],
        owner=row["owner"],
        heartbeat_time=row["heartbeat_time"],
        owned_until=row["owned_until"],
    )
