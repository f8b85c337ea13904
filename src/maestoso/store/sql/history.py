"""A workflow's history: its timeline of changes and the changes of its properties."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from maestoso.store.records import PropertiesChange, TimelineEntry
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.tables import maestro_workflow_properties, maestro_workflow_timeline

_props = maestro_workflow_properties
_tl = maestro_workflow_timeline


class HistoryMethods(SqlBase):
    """The timeline and properties-change reads of ``SqlStore``."""

    async def list_timeline(self, workflow_id: str, *, limit: int) -> list[TimelineEntry]:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        query = (
            select(_tl)
            .where(_tl.c.workflow_id == workflow_id)
            .order_by(_tl.c.create_ts.desc(), _tl.c.hash_id.desc())
            .limit(limit)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [
            TimelineEntry(
                workflow_id=row["workflow_id"],
                create_time=row["create_ts"],
                event=row["change_event"],
            )
            for row in rows
        ]

    async def list_properties_changes(self, workflow_id: str) -> list[PropertiesChange]:
        query = (
            select(_props)
            .where(_props.c.workflow_id == workflow_id)
            .order_by(_props.c.create_time.asc())
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [
            PropertiesChange(
                workflow_id=row["workflow_id"],
                create_time=row["create_time"],
                author=row["author"],
                properties_changes=row["properties_changes"],
                previous_snapshot=row["previous_snapshot"],
            )
            for row in rows
        ]


async def insert_change(connection: SqlConnection, change: PropertiesChange) -> None:
    await connection.execute(
        _props.insert().values(
            workflow_id=change.workflow_id,
            create_time=change.create_time,
            author=change.author,
            properties_changes=change.properties_changes,
            previous_snapshot=change.previous_snapshot,
        )
    )


async def append_timeline(connection: SqlConnection, entries: list[TimelineEntry]) -> None:
    if not entries:
        return
    rows = [
        {
            "workflow_id": entry.workflow_id,
            "create_ts": entry.create_time,
            "hash_id": _event_hash(entry.event),
            "change_event": entry.event,
        }
        for entry in entries
    ]
    # The same event at the same time is the same entry: writing it twice keeps one.
    await connection.execute(upsert(connection.dialect.name, _tl).on_conflict_do_nothing(), rows)


def _event_hash(event: Any) -> str:
    canonical = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
