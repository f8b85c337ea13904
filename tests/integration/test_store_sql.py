"""What only the SQL store has: the order-preserving encoding of signal params it indexes."""

from __future__ import annotations

import pytest

from maestoso.store.sql.signals import encode_value


def test_the_encoding_keeps_the_order_of_longs_and_strings() -> None:
    longs = [-(2**63), -(2**40), -1, 0, 1, 61, 62, 10**12, 2**63 - 1]
    assert sorted(longs, key=encode_value) == longs
    assert [encode_value(v) for v in longs] == sorted(encode_value(v) for v in longs)
    assert encode_value("a") < encode_value("b") < encode_value("ba")
    assert max(encode_value(v) for v in longs) < encode_value("")
    with pytest.raises(ValueError):
        encode_value(True)
