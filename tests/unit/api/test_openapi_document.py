"""The OpenAPI document declares every request body the routers read, and real errors."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi.routing import APIRoute

from maestoso.api import create_app
from maestoso.api.openapi_bodies import REQUEST_BODIES
from maestoso.clock import FakeClock

_READS_BODY = ("json_body(", "model_body(", "read_body(", "_object(", "_yaml_request(")


def _routes(routes: list[Any]) -> list[APIRoute]:
    # an included router is one route wrapping the router's own (their paths carry the prefix)
    found: list[APIRoute] = []
    for route in routes:
        router = getattr(route, "original_router", None)
        if router is not None:
            found.extend(_routes(router.routes))
        elif isinstance(route, APIRoute):
            found.append(route)
    return found


def test_every_route_that_reads_a_body_declares_it() -> None:
    app = create_app(None, FakeClock())
    reading = {
        (method.lower(), route.path)
        for route in _routes(app.routes)
        if any(call in inspect.getsource(route.endpoint) for call in _READS_BODY)
        for method in route.methods
    }

    assert reading == set(REQUEST_BODIES)


def test_no_operation_promises_422() -> None:
    document = create_app(None, FakeClock()).openapi()

    for operations in document["paths"].values():
        for operation in operations.values():
            assert "422" not in operation["responses"]
            assert "400" in operation["responses"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
