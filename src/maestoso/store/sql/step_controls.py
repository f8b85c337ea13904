"""Breakpoints, paused attempts and tag permits.

Acquiring permits is one transaction that counts the permits each tag has given out and takes
one of every tag or none: on PostgreSQL the tags' permit rows are locked ``FOR UPDATE`` first,
so two steps cannot both take the last permit; on SQLite the single writer serialises them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, bindparam, delete, false, func, insert, select
from sqlalchemy.engine import RowMapping

from maestoso.store.controls import BreakpointRow, TagPermitRow
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.tables_triggers import (
    maestro_step_breakpoint,
    maestro_step_tag_permit,
    maestro_tag_permit,
    output_data,
)

_bp = maestro_step_breakpoint
_tp = maestro_tag_permit
_held = maestro_step_tag_permit
_ADVISORY_LOCK = select(func.pg_advisory_xact_lock(func.hashtext(bindparam("name"))))


class ControlMethods(SqlBase):
    """The breakpoint and tag-permit parts of ``SqlStore``."""

    async def save_breakpoint(self, row: BreakpointRow) -> None:
        values = _breakpoint_values(row)
        statement = upsert(self._dialect, _bp).values(**values).on_conflict_do_nothing()
        async with self._writing_one() as connection:
            await connection.execute(statement)

    async def list_breakpoints(
        self, workflow_id: str, step_id: str | None, *, system_generated: bool
    ) -> list[BreakpointRow]:
        query = select(_bp).where(
            _bp.c.workflow_id == workflow_id, _bp.c.system_generated == system_generated
        )
        if step_id is not None:
            query = query.where(_bp.c.step_id == step_id)
        async with self._reading() as connection:
            rows = (await connection.execute(query.order_by(_bp.c.create_ts))).mappings().all()
        return [_breakpoint(row) for row in rows]

    async def workflows_with_breakpoints(self) -> set[str]:
        query = select(_bp.c.workflow_id).where(_bp.c.system_generated == false()).distinct()
        async with self._reading() as connection:
            return set((await connection.execute(query)).scalars().all())

    async def delete_breakpoints(
        self, workflow_id: str, step_id: str, *, system_generated: bool, keys: Any = None
    ) -> int:
        """Delete a step's breakpoints (or paused attempts; ``keys`` narrows them to
        ``(version, instance_id, run_id, step_attempt_id)``)."""
        statement = delete(_bp).where(
            _bp.c.workflow_id == workflow_id,
            _bp.c.step_id == step_id,
            _bp.c.system_generated == system_generated,
        )
        if keys is not None:
            version, instance_id, run_id, attempt = keys
            statement = statement.where(
                and_(
                    _bp.c.version == version,
                    _bp.c.instance_id == instance_id,
                    _bp.c.run_id == run_id,
                    _bp.c.step_attempt_id == attempt,
                )
            )
        async with self._writing_one() as connection:
            return int((await connection.execute(statement)).rowcount)

    async def save_tag_permit(self, row: TagPermitRow) -> None:
        values = {
            "tag": row.tag,
            "max_allowed": row.max_allowed,
            "extra_info": row.extra_info,
            "timeline": row.timeline,
            "create_ts": row.create_time,
            "modify_ts": row.modify_time,
        }
        statement = upsert(self._dialect, _tp).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[_tp.c.tag],
            set_={
                "max_allowed": statement.excluded.max_allowed,
                "extra_info": statement.excluded.extra_info,
                "timeline": statement.excluded.timeline,
                "modify_ts": statement.excluded.modify_ts,
            },
        )
        async with self._writing_one() as connection:
            await connection.execute(statement)

    async def get_tag_permit(self, tag: str) -> TagPermitRow | None:
        async with self._reading() as connection:
            row = (await connection.execute(select(_tp).where(_tp.c.tag == tag))).mappings().first()
        return None if row is None else _permit(row)

    async def delete_tag_permit(self, tag: str) -> bool:
        async with self._writing_one() as connection:
            return bool((await connection.execute(delete(_tp).where(_tp.c.tag == tag))).rowcount)

    async def acquire_permits(
        self, step_uuid: str, tags: list[str], now: int, limits: Mapping[str, int] | None = None
    ) -> list[str]:
        """Take a permit of every limited tag among ``tags`` for ``step_uuid``, or none.

        Returns the tags whose limit is reached ([] when the permits were taken, or were
        already held). Tags without a permit are unlimited. ``limits`` have no row to lock:
        on PostgreSQL a transaction-scoped advisory lock on each name serialises them."""
        async with self._writing() as connection:
            found: dict[str, int] = {}
            if tags:
                query = select(_tp.c.tag, _tp.c.max_allowed).where(_tp.c.tag.in_(tags))
                if self._dialect == "postgresql":
                    query = query.with_for_update()
                found = {row[0]: row[1] for row in await connection.execute(query)}
            found.update(limits or {})
            if not found:
                return []
            if limits and self._dialect == "postgresql":
                for name in sorted(limits):
                    await connection.execute(_ADVISORY_LOCK, {"name": name})
            held = select(_held.c.tag).where(_held.c.step_uuid == step_uuid)
            if set((await connection.execute(held)).scalars().all()) >= set(found):
                return []
            count_query = (
                select(_held.c.tag, func.count())
                .where(_held.c.tag.in_(list(found)))
                .group_by(_held.c.tag)
            )
            counts = {row[0]: int(row[1]) for row in await connection.execute(count_query)}
            full = sorted(tag for tag, limit in found.items() if counts.get(tag, 0) >= limit)
            if full:
                return full
            await connection.execute(
                insert(_held),
                [{"step_uuid": step_uuid, "tag": tag, "acquire_ts": now} for tag in found],
            )
        return []

    async def release_permits(self, step_uuid: str) -> None:
        async with self._writing_one() as connection:
            await connection.execute(delete(_held).where(_held.c.step_uuid == step_uuid))

    async def save_output_data(
        self,
        job_type: str,
        job_id: str,
        workflow_id: str | None,
        payload: dict[str, Any],
        now: int,
    ) -> None:
        """Insert or replace what an external job published."""
        statement = upsert(self._dialect, output_data).values(
            external_job_type=job_type,
            external_job_id=job_id,
            workflow_id=workflow_id,
            payload=payload,
            create_ts=now,
            modify_ts=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[output_data.c.external_job_type, output_data.c.external_job_id],
            set_={
                "workflow_id": statement.excluded.workflow_id,
                "payload": statement.excluded.payload,
                "modify_ts": statement.excluded.modify_ts,
            },
        )
        async with self._writing_one() as connection:
            await connection.execute(statement)

    async def get_output_data(self, job_type: str, job_id: str) -> dict[str, Any] | None:
        query = select(output_data.c.payload).where(
            output_data.c.external_job_type == job_type,
            output_data.c.external_job_id == job_id,
        )
        async with self._reading() as connection:
            payload = (await connection.execute(query)).scalar_one_or_none()
        return None if payload is None else dict(payload)

    async def count_permits(self, tag: str) -> int:
        query = select(func.count()).select_from(_held).where(_held.c.tag == tag)
        async with self._reading() as connection:
            return int((await connection.execute(query)).scalar_one())


def _breakpoint_values(row: BreakpointRow) -> dict[str, Any]:
    return {
        "workflow_id": row.workflow_id,
        "step_id": row.step_id,
        "system_generated": row.system_generated,
        "version": row.version,
        "instance_id": row.instance_id,
        "run_id": row.run_id,
        "step_attempt_id": row.step_attempt_id,
        "created_by": row.created_by,
        "create_ts": row.create_time,
    }


def _breakpoint(row: RowMapping) -> BreakpointRow:
    return BreakpointRow(
        workflow_id=row["workflow_id"],
        step_id=row["step_id"],
        system_generated=bool(row["system_generated"]),
        version=row["version"],
        instance_id=row["instance_id"],
        run_id=row["run_id"],
        step_attempt_id=row["step_attempt_id"],
        created_by=row["created_by"],
        create_time=row["create_ts"],
    )


def _permit(row: RowMapping) -> TagPermitRow:
    return TagPermitRow(
        tag=row["tag"],
        max_allowed=row["max_allowed"],
        extra_info=row["extra_info"],
        timeline=list(row["timeline"] or []),
        create_time=row["create_ts"],
        modify_time=row["modify_ts"],
    )
