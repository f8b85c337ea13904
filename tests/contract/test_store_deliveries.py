"""Alert deliveries: written once per key with their DELIVER events, updated per attempt,
listed by instance, ordered for the event stream."""

from __future__ import annotations

from dataclasses import replace

from maestoso.models.events import EventKind, QueueId
from maestoso.store import Store
from maestoso.store.deliveries import DeliveryStatus, NewDelivery


def delivery(key: str, *, notifier: str = "webhook", instance: int = 1) -> NewDelivery:
    return NewDelivery(
        key=key,
        notifier=notifier,
        alert_type="STATUS_CHANGE",
        workflow_id="wf",
        instance_id=instance,
        run_id=1,
        step_id="job",
        message={"title": key, "to": ["#c"]},
    )


async def test_a_delivery_is_written_once_per_key_with_its_event(store: Store) -> None:
    first = await store.add_deliveries([delivery("a"), delivery("b")])
    again = await store.add_deliveries([delivery("a"), delivery("c")])

    assert len(first) == 2 and len(again) == 1
    events = await store.claim_events(
        owner="n", now=10**13, lease_ms=1000, limit=10, queue_ids=[QueueId.ALERT]
    )
    assert [e.type for e in events] == [EventKind.DELIVER] * 3
    assert [e.payload["delivery_id"] for e in events] == [*first, *again]
    row = await store.get_delivery(first[0])
    assert row is not None and row.status is DeliveryStatus.PENDING and row.attempts == 0
    assert row.message == {"title": "a", "to": ["#c"]}


async def test_attempts_are_counted_and_the_last_error_kept(store: Store) -> None:
    (delivery_id,) = await store.add_deliveries([delivery("a")])

    await store.record_delivery_attempts([delivery_id], status=DeliveryStatus.PENDING, error="503")
    await store.record_delivery_attempts([delivery_id], status=DeliveryStatus.SENT, error=None)

    row = await store.get_delivery(delivery_id)
    assert row is not None
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 2, "503")


async def test_pending_deliveries_of_a_notifier_and_instance_oldest_first(
    store: Store,
) -> None:
    early, late, _, _ = await store.add_deliveries(
        [delivery("1"), delivery("2"), delivery("3", instance=2), delivery("4", notifier="email")]
    )

    pending = await store.pending_deliveries("webhook", "wf", 1)
    assert [d.delivery_id for d in pending] == [early, late]
    await store.record_delivery_attempts([early], status=DeliveryStatus.FAILED, error="gone")
    assert [d.delivery_id for d in await store.pending_deliveries("webhook", "wf", 1)] == [late]
    assert await store.pending_deliveries("webhook", "wf", 1, limit=0) == []


async def test_deliveries_are_listed_by_instance_oldest_first(store: Store) -> None:
    ids = await store.add_deliveries([delivery("1"), delivery("2", instance=2), delivery("3")])

    assert [d.delivery_id for d in await store.list_deliveries("wf", 1)] == [ids[0], ids[2]]
    assert [d.delivery_id for d in await store.list_deliveries("wf")] == ids
    assert await store.list_deliveries("other") == []
    assert [d.delivery_id for d in await store.list_deliveries("wf", limit=1)] == ids[:1]


async def test_deliveries_of_one_group_share_one_event(store: Store) -> None:
    grouped = [replace(delivery(k), group="webhook/wf/1") for k in ("1", "2", "3")]
    ids = await store.add_deliveries([*grouped, delivery("4")])

    events = await store.claim_events(
        owner="n", now=10**13, lease_ms=1000, limit=10, queue_ids=[QueueId.ALERT]
    )
    assert [e.payload["delivery_id"] for e in events] == [ids[0], ids[3]]
