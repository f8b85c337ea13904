"""Signals in the store: sequence ids, dedup, indexed params and range matches, both dialects."""

from __future__ import annotations

import pytest

from maestoso.store import SqlStore
from maestoso.store.records import JobEvent, ParamCondition, SignalInstanceRow
from maestoso.store.sql.signals import encode_value


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


def test_the_encoding_keeps_the_order_of_longs_and_strings() -> None:
    longs = [-(2**63), -(2**40), -1, 0, 1, 61, 62, 10**12, 2**63 - 1]
    assert sorted(longs, key=encode_value) == longs
    assert [encode_value(v) for v in longs] == sorted(encode_value(v) for v in longs)
    assert encode_value("a") < encode_value("b") < encode_value("ba")
    assert max(encode_value(v) for v in longs) < encode_value("")
    with pytest.raises(ValueError):
        encode_value(True)


async def test_signals_get_sequence_ids_per_name_and_duplicates_are_dropped(
    store: SqlStore,
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
    store: SqlStore,
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
