"""Signals in the store: sequence ids, dedup, indexed params and range matches, both dialects."""

from __future__ import annotations

from maestoso.store import Store
from maestoso.store.records import JobEvent
from maestoso.store.triggering import ParamCondition, SignalInstanceRow


def signal(name: str, instance_id: str, **params: str | int) -> SignalInstanceRow:
    return SignalInstanceRow(
        name=name,
        seq_id=0,
        instance_id=instance_id,
        params=dict(params),
        payload={"extra": {"source": "test"}},
        request_time=1,
        create_time=2,
    )


async def test_signals_get_sequence_ids_per_name_and_duplicates_are_dropped(
    store: Store,
) -> None:
    event = JobEvent(type="SIGNAL_ANNOUNCED", payload={"name": "a", "seq_id": 0})
    first = await store.add_signal(signal("a", "id-1", foo="bat"), [event])
    second = await store.add_signal(signal("a", "id-2"), [event])
    other = await store.add_signal(signal("b", "id-1"), [])
    assert first is not None and second is not None and other is not None
    assert (first.seq_id, second.seq_id, other.seq_id) == (1, 2, 1)
    assert await store.add_signal(signal("a", "id-1", foo="other"), [event]) is None
    claimed = await store.claim_events(owner="t", now=10**13, lease_ms=1000, limit=10)
    assert [e.payload["seq_id"] for e in claimed] == [1, 2]  # the duplicate enqueued nothing
    stored = await store.get_signal("a", 1)
    assert stored is not None and stored.params == {"foo": "bat"}
    assert stored.payload == {"extra": {"source": "test"}}
    latest = await store.get_signal("a")
    assert latest is not None and latest.seq_id == 2
    assert await store.get_signal("a", 3) is None
    assert await store.get_signal("missing") is None


async def test_matches_intersect_conditions_and_ranges_stay_within_a_type(
    store: Store,
) -> None:
    for number, (watermark, by) in enumerate([(100, "x"), (200, "y"), (-5, "x"), (300, "x")]):
        await store.add_signal(signal("t", f"i{number}", watermark=watermark, by=by), [])
    await store.add_signal(signal("t", "text", watermark="400", by="x"), [])

    async def match(*conditions: ParamCondition, after: int = 0) -> int | None:
        return await store.match_signal("t", list(conditions), after=after)

    assert await match(ParamCondition("watermark", ">=", 150)) == 2
    assert await match(ParamCondition("watermark", ">=", 150), ParamCondition("by", "=", "x")) == 4
    assert await match(ParamCondition("watermark", "<", 0)) == 3
    assert await match(ParamCondition("watermark", "<=", 100), after=1) == 3
    assert await match(ParamCondition("watermark", ">", 300)) is None  # "400" is a string
    assert await match(ParamCondition("watermark", "=", "400")) == 5
    assert await match(ParamCondition("by", "=", "x"), after=4) == 5
    assert await match() == 1
    assert await match(after=5) is None
    assert await match(ParamCondition("missing", "=", 1)) is None
