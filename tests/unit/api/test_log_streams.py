"""Concurrent ``follow=true`` log streams are capped; a closed stream frees its place."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from maestoso.api.log_streams import FollowLimiter
from maestoso.errors import TooManyRequestsError


async def _log() -> AsyncIterator[bytes]:
    yield b"line\n"
    yield b"more\n"


async def test_streams_past_the_cap_are_refused_until_one_ends() -> None:
    limiter = FollowLimiter(limit=2)
    first, second = limiter.admit(_log()), limiter.admit(_log())
    assert await anext(first) == b"line\n"
    assert await anext(second) == b"line\n"
    with pytest.raises(TooManyRequestsError) as refused:
        limiter.admit(_log())
    assert refused.value.retryable and "limit is 2" in refused.value.message
    await first.aclose()  # type: ignore[attr-defined]
    third = limiter.admit(_log())
    assert [chunk async for chunk in third] == [b"line\n", b"more\n"]
    assert limiter.open == 1
