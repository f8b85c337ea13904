"""``GET /metrics``: the node's metrics in Prometheus's text format, and the middleware that
counts the API's requests.

The endpoint is public, like ``/healthz``: it tells counts and timings only, under labels
from fixed sets (no workflow id, user or path), and a scraper should not need a token.
Where even that is too much, keep ``/metrics`` off the ingress (docs/security.md).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.routing import Match
from starlette.types import Scope

from maestoso import metrics
from maestoso.api.observer import Observer

router = APIRouter(include_in_schema=False)

UNMATCHED = "unmatched"
"""The route label of a request no route answers (any path: one label value, not many)."""


@router.get("/metrics")
async def scrape() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class RequestMetrics(Observer):
    """Counts and times each request under its route's template (``/api/v3/workflows/
    {workflow_id}``), never its raw path, so the series stay few whatever clients send."""

    def seen(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        route = _template(scope)
        metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
        metrics.HTTP_SECONDS.labels(method, route).observe(seconds)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _template(scope: Scope) -> str:
    """The path template of the route that took the request; for a request refused before
    routing (a bad Host, a body too large), the route that would have taken it."""
    route = scope.get("route")
    if route is None:
        app = scope.get("app")
        for candidate in getattr(getattr(app, "router", None), "routes", ()):
            match, _ = candidate.matches(scope)
            if match is Match.FULL:
                route = candidate
                break
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED
