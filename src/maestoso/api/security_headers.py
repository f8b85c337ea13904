"""Response headers that keep browsers safe, and CORS (closed unless configured).

Every answer: ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
``Referrer-Policy: no-referrer``. HTML pages (``/docs``) also get a Content-Security-Policy
that allows only this server's own scripts, styles, images and requests, plus the inline
scripts of that very page (by their SHA-256, computed from the page as it is sent), and no
framing.

CORS: without ``MAESTOSO_CORS_ORIGINS`` no ``Access-Control-*`` header is ever sent, so a page
of another origin cannot read any answer. With it, the origins listed may call the API with
``Authorization`` (tokens, never cookies: ``allow_credentials`` stays off).
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
MAX_HTML_BYTES = 1024 * 1024


def content_security_policy(html: bytes) -> str:
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(html)
    )
    return (
        "default-src 'none'; "
        f"script-src 'self'{' ' + hashes if hashes else ''}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        html: list[bytes] = []

        async def sending(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = [
                    *(h for h in message.get("headers", []) if h[0] not in dict(ALWAYS)),
                    *ALWAYS,
                ]
                message = {**message, "headers": headers}
                if _is_html(headers):
                    start = message  # held until the page is whole: its CSP hashes it
                    return
            elif start is not None and message["type"] == "http.response.body":
                html.append(message.get("body", b""))
                if message.get("more_body", False) and sum(map(len, html)) < MAX_HTML_BYTES:
                    return
                await _send_page(send, start, b"".join(html), message.get("more_body", False))
                start = None
                return
            await send(message)

        await self.app(scope, receive, sending)


async def _send_page(send: Send, start: Message, body: bytes, more: bool) -> None:
    headers = [(k, v) for k, v in start["headers"] if k != b"content-security-policy"]
    headers.append((b"content-security-policy", content_security_policy(body).encode()))
    headers.append((b"cross-origin-opener-policy", b"same-origin"))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": more})


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)


def install_cors(app: FastAPI, origins: frozenset[str]) -> None:
    """CORS for ``origins`` only; nothing at all when there are none."""
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=sorted(origins),
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["authorization", "content-type", "user", "x-request-id"],
        expose_headers=["x-request-id", "x-log-next-offset", "x-log-size"],
        allow_credentials=False,
        max_age=600,
    )
