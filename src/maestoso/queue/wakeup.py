"""The queue's wake-up port: whoever commits events sets it, the worker waits on it.

Within one process this is an event; it exists apart from the worker so that the services
that enqueue and the worker that claims can each be built with it, in any order.
"""

from __future__ import annotations

import asyncio


class Wakeup:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    async def wait(self) -> None:
        await self._event.wait()
