"""Reading request bodies: a size cap, JSON or YAML, and the caller from the ``user`` header."""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic
from fastapi import HTTPException, Request

from maestoso.api.auth import principal_of, token_mode
from maestoso.dsl.requests import parse_json, parse_model
from maestoso.errors import ValidationError
from maestoso.models import User, UserRef

BODY_LIMIT = 256 * 1024
M = TypeVar("M", bound=pydantic.BaseModel)


async def read_body(request: Request, limit: int | None = None) -> bytes:
    """The raw body, refused (413) as soon as it passes ``limit`` bytes, by default the
    server's ``body_limit`` (it is never read whole)."""
    limit = limit or int(getattr(request.app.state, "body_limit", BODY_LIMIT))
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> HTTPException:
    message = f"the request body of {size} bytes is larger than the limit of {limit} bytes"
    return HTTPException(413, message)


async def json_body(request: Request) -> Any:
    body = await read_body(request)
    if not body.strip():
        raise ValidationError("the request body is empty", ["body: a JSON object is required"])
    return parse_json(body)


async def model_body(request: Request, model: type[M], root: str = "") -> M:
    data = await json_body(request)
    if not isinstance(data, dict):
        raise ValidationError(
            "the request body must be a JSON object", [f"body: got a JSON {type(data).__name__}"]
        )
    return parse_model(model, data, root=root)


async def caller(request: Request) -> UserRef:
    """The caller: the token's user with ``--auth token``; else the one the ``user`` header
    names, as Maestro has it (no real authentication)."""
    principal = principal_of(request)
    if principal is not None and token_mode(request):
        return principal.name
    name = request.headers.get("user", "").strip()
    if not name:
        raise ValidationError(
            "the user header is required to name the caller", ["header user: is required"]
        )
    return User(name=name).name
