"""The path filter in front of the included routers changes no routing decision."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from starlette.routing import Match

from maestoso.api import create_app
from maestoso.clock import FakeClock

_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
_PARAM = re.compile(r"\{[^}]+\}")


def _unindexed_app() -> FastAPI:
    app = create_app(None, FakeClock())
    for route in app.router.routes:
        route.__dict__.pop("matches", None)  # the filter is an attribute of each router
    return app


def _paths(app: FastAPI) -> list[str]:
    paths = ["/", "/nope", "/api/v3", "/api/v3/nope", "/api/v3/workflows/x/nope", "/healthz/"]
    for route in app.router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for context in contexts() if contexts else []:
            template = str(getattr(context, "path_format", None) or context.path)
            for value in ("1", "wf-a", "a/b"):
                paths.append(_PARAM.sub(value, template))
            paths.append(_PARAM.sub("1", template) + "/")  # the trailing-slash redirect
    return paths


def _decision(app: FastAPI, method: str, path: str) -> tuple[int, Match] | None:
    """The top-level route that takes the request, as Starlette's loop chooses it."""
    scope: dict[str, Any] = {"type": "http", "method": method, "path": path, "root_path": ""}
    partial: tuple[int, Match] | None = None
    for index, route in enumerate(app.router.routes):
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            return index, match
        if match == Match.PARTIAL and partial is None:
            partial = (index, match)
    return partial


def test_every_request_reaches_the_route_it_reached_without_the_filter() -> None:
    indexed, plain = create_app(None, FakeClock()), _unindexed_app()
    assert any("matches" in vars(route) for route in indexed.router.routes)
    paths = _paths(plain)
    assert len(paths) > 300

    for path in paths:
        for method in _METHODS:
            assert _decision(indexed, method, path) == _decision(plain, method, path), (
                method,
                path,
            )


def test_a_known_path_with_another_method_is_still_a_partial_match() -> None:
    app = create_app(None, FakeClock())

    decision = _decision(app, "DELETE", "/healthz")

    assert decision is not None and decision[1] == Match.PARTIAL
