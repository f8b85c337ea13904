"""Alert deliveries in memory."""

from __future__ import annotations

from dataclasses import replace

from maestoso.models.events import Deliver
from maestoso.store.deliveries import DeliveryRow, DeliveryStatus, NewDelivery, announced
from maestoso.store.memory.base import MemoryBase, check_limit, copied, round_trip
from maestoso.store.records import JobEvent


class DeliveryMethods(MemoryBase):
    """The ``DeliveryStore`` part of ``MemoryStore``."""

    async def add_deliveries(self, deliveries: list[NewDelivery]) -> list[int]:
        await round_trip()
        tables, now = self._tables, self._clock.now_ms()
        added: list[tuple[int, NewDelivery]] = []
        for new in deliveries:
            if new.key in tables.delivery_keys:
                continue
            delivery_id = tables.next_delivery_id
            tables.next_delivery_id += 1
            tables.delivery_keys[new.key] = delivery_id
            tables.deliveries[delivery_id] = DeliveryRow(
                delivery_id=delivery_id,
                notifier=new.notifier,
                alert_type=new.alert_type,
                workflow_id=new.workflow_id,
                instance_id=new.instance_id,
                run_id=new.run_id,
                step_id=new.step_id,
                message=copied(new.message),
                status=DeliveryStatus.PENDING,
                attempts=0,
                last_error=None,
                create_time=now,
                modify_time=now,
            )
            added.append((delivery_id, new))
        self._enqueue([JobEvent.of(Deliver(delivery_id=i)) for i in announced(added)])
        return [delivery_id for delivery_id, _ in added]

    async def get_delivery(self, delivery_id: int) -> DeliveryRow | None:
        await round_trip()
        return copied(self._tables.deliveries.get(delivery_id))

    async def record_delivery_attempts(
        self, delivery_ids: list[int], *, status: DeliveryStatus, error: str | None
    ) -> None:
        await round_trip()
        now = self._clock.now_ms()
        for delivery_id in delivery_ids:
            row = self._tables.deliveries.get(delivery_id)
            if row is not None:
                self._tables.deliveries[delivery_id] = replace(
                    row,
                    status=status,
                    attempts=row.attempts + 1,
                    last_error=row.last_error if error is None else error,
                    modify_time=now,
                )

    async def pending_deliveries(
        self, notifier: str, workflow_id: str, instance_id: int, *, limit: int = 100
    ) -> list[DeliveryRow]:
        check_limit(limit)
        await round_trip()
        rows = [
            row
            for _, row in sorted(self._tables.deliveries.items())
            if row.workflow_id == workflow_id
            and row.instance_id == instance_id
            and row.notifier == notifier
            and row.status is DeliveryStatus.PENDING
        ]
        return copied(rows[:limit])

    async def list_deliveries(
        self, workflow_id: str, instance_id: int | None = None, *, limit: int = 200
    ) -> list[DeliveryRow]:
        check_limit(limit)
        await round_trip()
        rows = [
            row
            for _, row in sorted(self._tables.deliveries.items())
            if row.workflow_id == workflow_id
            and (instance_id is None or row.instance_id == instance_id)
        ]
        return copied(rows[:limit])
