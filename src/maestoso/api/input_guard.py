"""An ASGI middleware that answers bad raw input with Maestro's 4xx error body.

* the path and query: no NUL; integer path and query parameters within 64 bits;
* a body: no larger than the limit; a JSON body nested no deeper than the limit,
  with 64-bit integers and valid strings; a YAML body strictly UTF-8 (400);
* a body's declared media type: JSON endpoints take ``application/json`` (or ``+json``)
  or no declared type, anything else is 415. Forms and ``text/plain`` are what a
  cross-site page can post without the browser asking first; refusing them means such a
  page cannot start runs or send signals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maestoso.api.errors import error_body
from maestoso.api.input_checks import check_int64, check_json, check_text, check_yaml

DEFAULT_MAX_BODY_BYTES = 256 * 1024
DEFAULT_MAX_JSON_DEPTH = 100
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True, slots=True)
class _IntParams:
    pattern: re.Pattern[str]
    path: frozenset[str]
    query: frozenset[str]


def _int_params(app: FastAPI) -> dict[int, list[_IntParams]]:
    """The integer path and query parameters of every operation, from the OpenAPI
    document (the routes' public description), by the number of ``/`` in the path: a
    parameter matches no ``/``, so a path can only match a template with as many."""
    found: dict[int, list[_IntParams]] = {}
    for template, operations in app.openapi().get("paths", {}).items():
        path: set[str] = set()
        query: set[str] = set()
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if _is_int(param.get("schema", {})):
                    (path if param.get("in") == "path" else query).add(param["name"])
        if path or query:
            pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]*)", re.escape(template))
            params = _IntParams(re.compile(pattern + "$"), frozenset(path), frozenset(query))
            found.setdefault(template.count("/"), []).append(params)
    return found


def _is_int(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "integer":
        return True
    return any(option.get("type") == "integer" for option in schema.get("anyOf", []))


class InputGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        api: FastAPI,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_json_depth: int = DEFAULT_MAX_JSON_DEPTH,
    ) -> None:
        self.app = app
        self.api = api
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth
        self._routes: dict[int, list[_IntParams]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = self._target_problem(scope)
        if problem is not None:
            await error_body(400, problem, [problem], False)(scope, receive, send)
            return
        if scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        is_yaml = scope["path"].rstrip("/").endswith("/yaml")
        media = _media_type(scope)
        if media and not is_yaml and not _is_json(media):
            message = f"the request body must be JSON (application/json), not [{media}]"
            await error_body(415, message, [message], False)(scope, receive, send)
            return
        body, status, problem = await self._read(scope, receive, is_yaml)
        if problem is not None:
            await error_body(status, problem, [problem], False)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _target_problem(self, scope: Scope) -> str | None:
        path: str = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        problem = check_text("the request path", path) or _query_problem(query)
        if problem is not None:
            return problem
        return self._int_problem(path, query)

    def _int_problem(self, path: str, query: str) -> str | None:
        if self._routes is None:
            self._routes = _int_params(self.api)
        for route in self._routes.get(path.count("/"), ()):
            matched = route.pattern.match(path)
            if matched is None:
                continue
            for name in route.path:
                problem = check_int64(name, matched.group(name))
                if problem is not None:
                    return problem
            for name, value in parse_qsl(query, keep_blank_values=True):
                if name in route.query:
                    problem = check_int64(name, value)
                    if problem is not None:
                        return problem
        return None

    async def _read(
        self, scope: Scope, receive: Receive, is_yaml: bool
    ) -> tuple[bytes, int, str | None]:
        limit = self.max_body_bytes
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return b"", 413, _too_large(int(declared), limit)
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return b"", 413, _too_large(size, limit)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if not body:
            return body, 200, None
        problem = check_yaml(body) if is_yaml else check_json(body, self.max_json_depth)
        return body, 400, problem


def _query_problem(query: str) -> str | None:
    """A NUL or a lone surrogate in the query string, naming the parameter it is in."""
    for name, value in parse_qsl(query, keep_blank_values=True):
        problem = check_text("the query string", name) or check_text(
            f"the query parameter [{name}]", value
        )
        if problem is not None:
            return problem
    return check_text("the query string", query.replace("%00", "\x00"))


def _too_large(size: int, limit: int) -> str:
    # 413, as the handlers' own check (maestoso.api.bodies) answers.
    return f"the request body of {size} bytes is larger than the limit of {limit} bytes"


def _media_type(scope: Scope) -> str:
    raw: bytes = dict(scope["headers"]).get(b"content-type", b"")
    return raw.decode("latin-1").split(";", 1)[0].strip().lower()


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # the disconnect, when the handler waits for it

    return replay
