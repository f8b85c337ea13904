"""A middleware that sees each HTTP request once it is answered: its status and its time."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Observer:
    """Calls ``seen`` after each HTTP request with the status sent (500 when none was) and
    the seconds the answer took; subclasses say what to do with them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def wanted(self) -> bool:
        return True

    def seen(self, scope: Scope, status: int, seconds: float) -> None:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.wanted():
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.seen(scope, status or 500, time.perf_counter() - began)
