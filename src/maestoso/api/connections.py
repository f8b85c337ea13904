"""HTTP connections that cannot starve the server: a read deadline and a connection cap.

uvicorn reads a request's headers for as long as the client takes, and keeps every open
connection. A client that opens many connections and never finishes a request would hold
file descriptors until none is left for anyone. Here each connection must deliver its
request headers within ``read_timeout`` seconds or is closed, and past
``max_connections`` the oldest connection still waiting for its headers is closed to
make room (the newcomer itself when every connection is busy with a request).
"""

from __future__ import annotations

import asyncio
import resource
import time
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_READ_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_CONNECTIONS = 2000


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a header read deadline and a connection cap."""

    read_timeout: float = DEFAULT_READ_TIMEOUT_SECONDS
    max_connections: int = DEFAULT_MAX_CONNECTIONS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opened = 0.0
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._opened = time.monotonic()
        self._deadline = self.loop.call_later(self.read_timeout, self._read_timed_out)
        if len(self.connections) > self.max_connections:
            self._make_room()

    def on_headers_complete(self) -> None:
        self._cancel_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def waiting(self) -> bool:
        """Whether it has not delivered a request's headers yet."""
        return self.cycle is None and not self.transport.is_closing()

    def _read_timed_out(self) -> None:
        self._deadline = None
        if self.waiting():
            self.transport.close()

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _make_room(self) -> None:
        idle = [
            c
            for c in self.connections
            if isinstance(c, GuardedHttpProtocol) and c is not self and c.waiting()
        ]
        victim = min(idle, key=lambda c: c._opened) if idle else self
        victim.transport.close()


def guarded_protocol(read_timeout: float, max_connections: int) -> type[GuardedHttpProtocol]:
    """The protocol class for uvicorn's ``http=``, with these settings."""
    return type(
        "ConfiguredHttpProtocol",
        (GuardedHttpProtocol,),
        {"read_timeout": read_timeout, "max_connections": max_connections},
    )


def raise_file_limit(wanted: int) -> None:
    """Raise the soft limit on open files towards ``wanted`` (as far as the hard limit
    allows), so that the connection cap, not the file table, is what limits clients."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
