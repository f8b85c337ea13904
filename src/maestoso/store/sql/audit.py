"""``AuditStore`` on SQL: an append-only table read newest first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import RowMapping

from maestoso.store.security import AuditEntry
from maestoso.store.sql.base import SqlBase
from maestoso.store.sql.tables_security import maestoso_audit

_audit = maestoso_audit


class AuditMethods(SqlBase):
    """The ``AuditStore`` part of ``SqlStore``."""

    async def add_audit(self, entries: list[AuditEntry]) -> None:
        if not entries:
            return
        rows = [
            {
                "create_ts": entry.create_time,
                "user_name": entry.user,
                "role": entry.role,
                "method": entry.method,
                "path": entry.path,
                "action": entry.action,
                "workflow_id": entry.workflow_id,
                "instance_id": entry.instance_id,
                "run_id": entry.run_id,
                "step_id": entry.step_id,
                "status": entry.status,
                "outcome": entry.outcome,
                "request_id": entry.request_id,
                "client": entry.client,
            }
            for entry in entries
        ]
        async with self._writing_one() as connection:
            await connection.execute(_audit.insert(), rows)

    async def list_audit(
        self,
        *,
        before: int | None,
        limit: int,
        user: str | None = None,
        workflow_id: str | None = None,
    ) -> list[AuditEntry]:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        query = select(_audit)
        if before is not None:
            query = query.where(_audit.c.audit_id < before)
        if user is not None:
            query = query.where(_audit.c.user_name == user)
        if workflow_id is not None:
            query = query.where(_audit.c.workflow_id == workflow_id)
        query = query.order_by(_audit.c.audit_id.desc()).limit(limit)
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_entry(row) for row in rows]


def _entry(row: RowMapping) -> AuditEntry:
    return AuditEntry(
        audit_id=row["audit_id"],
        create_time=row["create_ts"],
        user=row["user_name"],
        role=row["role"],
        method=row["method"],
        path=row["path"],
        action=row["action"],
        workflow_id=row["workflow_id"],
        instance_id=row["instance_id"],
        run_id=row["run_id"],
        step_id=row["step_id"],
        status=row["status"],
        outcome=row["outcome"],
        request_id=row["request_id"],
        client=row["client"],
    )
