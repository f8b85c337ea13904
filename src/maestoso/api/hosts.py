"""The allowed-hosts check: a request must name this server in its ``Host`` header.

Without it, a page on any site could have a browser resolve its own name to 127.0.0.1
(DNS rebinding) and drive the API of a server on the user's machine. The default allows
the loopback names only; ``*`` allows any host (behind a proxy that checks it).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from maestoso.api.errors import error_body

ANY_HOST = "*"
OPEN_PATHS = frozenset({"/metrics"})
"""Answered whatever the ``Host``: public and read-only, and a scraper names a node by its
address (a pod's IP), which no list of names holds."""


def host_name(header: str) -> str:
    """The host of a ``Host`` header, without its port (``[::1]:8080`` -> ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class AllowedHosts:
    def __init__(self, app: ASGIApp, *, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] not in ("http", "websocket")
            or ANY_HOST in self.hosts
            or scope["path"] in OPEN_PATHS
        ):
            await self.app(scope, receive, send)
            return
        raw = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if host_name(raw) in self.hosts or _wildcard(host_name(raw), self.hosts):
            await self.app(scope, receive, send)
            return
        message = f"the host [{raw[:100]}] is not an allowed host of this server"
        await error_body(400, message, [message], False)(scope, receive, send)


def _wildcard(host: str, hosts: frozenset[str]) -> bool:
    return any(h.startswith("*.") and host.endswith(h[1:]) for h in hosts)
