"""Trigger rows in the store: replacement, compare-and-set firing and signal checkpoints."""

from __future__ import annotations

from maestoso.store import Store
from maestoso.store.records import JobEvent, NewVersion
from maestoso.store.triggering import (
    ParamCondition,
    SignalInstanceRow,
    SignalTriggerRow,
    TimeTriggerRow,
)


def time_row(uuid: str, index: int = 0, watermark: int = 1000) -> TimeTriggerRow:
    return TimeTriggerRow(
        workflow_id="wf",
        trigger_uuid=uuid,
        trigger_index=index,
        definition={"trigger": {"type": "CRON", "cron": "0 * * * *"}},
        watermark=watermark,
        next_fire_time=watermark + 100,
    )


def signal_row(uuid: str, *names: str) -> SignalTriggerRow:
    return SignalTriggerRow(
        workflow_id="wf",
        trigger_uuid=uuid,
        definition={"definitions": {name: {} for name in names}},
        signals=list(names),
        checkpoints=[],
    )


def signal(name: str, key: str) -> SignalInstanceRow:
    return SignalInstanceRow(
        name=name,
        seq_id=0,
        instance_id=f"{name}-{key}-{id(object())}",
        params={"key": key},
        payload=None,
        request_time=0,
        create_time=0,
    )


async def test_replacing_keeps_the_watermarks_of_unchanged_triggers(store: Store) -> None:
    await store.replace_triggers("wf", time_triggers=[time_row("u1")], signal_triggers=[])
    [row] = await store.list_time_triggers("wf")
    assert await store.advance_time_trigger(row, watermark=5000, next_fire_time=6000, events=[])
    again = [time_row("u1"), time_row("u1", 1)]
    await store.replace_triggers("wf", time_triggers=again, signal_triggers=[])
    rows = await store.list_time_triggers("wf")
    assert [(r.trigger_index, r.watermark) for r in rows] == [(0, 5000), (1, 1000)]
    await store.replace_triggers("wf", time_triggers=[time_row("u2")], signal_triggers=[])
    assert [r.trigger_uuid for r in await store.list_time_triggers("wf")] == ["u2"]
    assert await store.triggered_workflows() == ["wf"]


async def test_a_watermark_moves_once_and_its_events_with_it(store: Store) -> None:
    await store.replace_triggers("wf", time_triggers=[time_row("u1")], signal_triggers=[])
    assert await store.due_time_triggers(1099, limit=10) == []
    [due] = await store.due_time_triggers(1100, limit=10)
    assert await store.next_time_trigger_fire() == 1100
    event = JobEvent(type="START_TRIGGERED", payload={"n": 1})
    assert await store.advance_time_trigger(
        due, watermark=2000, next_fire_time=None, events=[event]
    )
    # A second scheduler that read the same row writes nothing.
    assert not await store.advance_time_trigger(
        due, watermark=2000, next_fire_time=None, events=[event]
    )
    claimed = await store.claim_events(owner="t", now=10**13, lease_ms=1000, limit=10)
    assert [e.payload for e in claimed] == [{"n": 1}]
    assert await store.next_time_trigger_fire() is None


async def test_a_signal_trigger_fires_once_per_matched_set(store: Store) -> None:
    await store.add_signal(signal("a", "old"), [])  # before the subscription: never matched
    await store.replace_triggers(
        "wf", time_triggers=[], signal_triggers=[signal_row("s", "b", "a")]
    )
    [row] = await store.list_signal_triggers("wf")
    assert (row.signals, row.checkpoints) == (["a", "b"], [1, 0])
    assert await store.subscribed_triggers("a") == [("wf", "s")]

    def events(ids: dict[str, int]) -> list[JobEvent]:
        return [JobEvent(type="START_TRIGGERED", payload={"ids": ids})]

    a = await store.add_signal(signal("a", "k1"), [])
    assert a is not None

    def fire(base: tuple[str, int], other: str, key: str) -> object:
        lookups = {other: [ParamCondition("key", "=", key)]}
        return store.fire_signal_trigger("wf", "s", base=base, lookups=lookups, events=events)

    assert await fire(("a", a.seq_id), "b", "k1") is None  # no b yet
    b = await store.add_signal(signal("b", "k1"), [])
    assert b is not None
    assert await fire(("b", b.seq_id), "a", "k1") == {"b": 1, "a": 2}
    assert await fire(("b", b.seq_id), "a", "k1") is None  # consumed
    assert await fire(("a", a.seq_id), "b", "k1") is None
    [row] = await store.list_signal_triggers("wf")
    assert row.checkpoints == [2, 1]
    claimed = await store.claim_events(owner="t", now=10**13, lease_ms=1000, limit=10)
    assert [e.payload["ids"] for e in claimed] == [{"b": 1, "a": 2}]


async def test_deleting_a_workflow_deletes_its_triggers(store: Store) -> None:
    await store.save_version(
        NewVersion(
            workflow_id="wf",
            version_id=1,
            metadata={},
            definition={"id": "wf"},
            trigger_uuids={"time_trigger_uuid": "u1"},
            create_time=1,
            activate=True,
            activated_by="tester",
            properties_snapshot={"create_time": 1},
            properties_change=None,
        )
    )
    assert await store.triggered_workflows() == ["wf"]
    await store.replace_triggers(
        "wf", time_triggers=[time_row("u1")], signal_triggers=[signal_row("s", "a")]
    )
    assert await store.delete_workflow("wf")
    assert await store.list_time_triggers("wf") == []
    assert await store.list_signal_triggers("wf") == []
    assert await store.subscribed_triggers("a") == []
    assert await store.triggered_workflows() == []
