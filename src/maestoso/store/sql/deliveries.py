"""Alert deliveries on SQL: inserted with their ``DELIVER`` events, updated as they are sent."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping

from maestoso.models.events import Deliver
from maestoso.store.deliveries import DeliveryRow, DeliveryStatus, NewDelivery, announced
from maestoso.store.records import JobEvent
from maestoso.store.sql.base import SqlBase, upsert
from maestoso.store.sql.queue import insert_events
from maestoso.store.sql.tables_deliveries import maestoso_delivery

_d = maestoso_delivery


class DeliveryMethods(SqlBase):
    """The ``DeliveryStore`` part of ``SqlStore``."""

    async def add_deliveries(self, deliveries: list[NewDelivery]) -> list[int]:
        if not deliveries:
            return []
        now = self._clock.now_ms()
        added: list[tuple[int, NewDelivery]] = []
        async with self._writing() as connection:
            for new in deliveries:
                statement = (
                    upsert(self._dialect, _d)
                    .values(
                        dedup_key=new.key,
                        notifier=new.notifier,
                        alert_type=new.alert_type,
                        workflow_id=new.workflow_id,
                        instance_id=new.instance_id,
                        run_id=new.run_id,
                        step_id=new.step_id,
                        message=new.message,
                        status=DeliveryStatus.PENDING.value,
                        attempts=0,
                        create_ts=now,
                        modify_ts=now,
                    )
                    .on_conflict_do_nothing(index_elements=[_d.c.dedup_key])
                    .returning(_d.c.delivery_id)
                )
                delivery_id = (await connection.execute(statement)).scalar()
                if delivery_id is not None:
                    added.append((int(delivery_id), new))
            events = [JobEvent.of(Deliver(delivery_id=i)) for i in announced(added)]
            await insert_events(connection, events, now)
        return [delivery_id for delivery_id, _ in added]

    async def get_delivery(self, delivery_id: int) -> DeliveryRow | None:
        query = select(_d).where(_d.c.delivery_id == delivery_id)
        async with self._reading() as connection:
            row = (await connection.execute(query)).mappings().first()
        return None if row is None else _delivery(row)

    async def record_delivery_attempts(
        self, delivery_ids: list[int], *, status: DeliveryStatus, error: str | None
    ) -> None:
        if not delivery_ids:
            return
        values = {"status": status.value, "modify_ts": self._clock.now_ms()}
        if error is not None:
            values["last_error"] = error
        statement = (
            update(_d)
            .where(_d.c.delivery_id.in_(delivery_ids))
            .values(attempts=_d.c.attempts + 1, **values)
        )
        async with self._writing_one() as connection:
            await connection.execute(statement)

    async def pending_deliveries(
        self, notifier: str, workflow_id: str, instance_id: int, *, limit: int = 100
    ) -> list[DeliveryRow]:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        query = (
            select(_d)
            .where(
                _d.c.workflow_id == workflow_id,
                _d.c.instance_id == instance_id,
                _d.c.notifier == notifier,
                _d.c.status == DeliveryStatus.PENDING.value,
            )
            .order_by(_d.c.delivery_id)
            .limit(limit)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_delivery(row) for row in rows]

    async def list_deliveries(
        self, workflow_id: str, instance_id: int | None = None, *, limit: int = 200
    ) -> list[DeliveryRow]:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        query = select(_d).where(_d.c.workflow_id == workflow_id)
        if instance_id is not None:
            query = query.where(_d.c.instance_id == instance_id)
        query = query.order_by(_d.c.delivery_id).limit(limit)
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_delivery(row) for row in rows]


def _delivery(row: RowMapping) -> DeliveryRow:
    return DeliveryRow(
        delivery_id=int(row["delivery_id"]),
        notifier=row["notifier"],
        alert_type=row["alert_type"],
        workflow_id=row["workflow_id"],
        instance_id=int(row["instance_id"]),
        run_id=int(row["run_id"]),
        step_id=row["step_id"],
        message=dict(row["message"]),
        status=DeliveryStatus(row["status"]),
        attempts=int(row["attempts"]),
        last_error=row["last_error"],
        create_time=int(row["create_ts"]),
        modify_time=int(row["modify_ts"]),
    )
