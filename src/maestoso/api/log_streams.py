"""A cap on concurrent ``follow=true`` log streams.

Each open stream polls its log file and the attempt's status until the attempt ends, so
an unbounded number of them is an unbounded load; past the cap a new one gets 429.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from maestoso.errors import TooManyRequestsError

DEFAULT_MAX_FOLLOWERS = 64


class FollowLimiter:
    def __init__(self, limit: int = DEFAULT_MAX_FOLLOWERS) -> None:
        self.limit = limit
        self.open = 0

    def admit(self, stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """``stream``, counted while it runs; TooManyRequestsError when at the cap."""
        if self.open >= self.limit:
            raise TooManyRequestsError(
                f"too many log streams are open (the limit is {self.limit}); retry later"
            )
        return self._counted(stream)

    async def _counted(self, stream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        # Counted from its first chunk: a response never started never runs a ``finally``.
        self.open += 1
        try:
            async for chunk in stream:
                yield chunk
        finally:
            self.open -= 1
