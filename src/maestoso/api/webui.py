"""The web UI: the built single-page app at ``/``, every other page path answered with its
``index.html`` so that a deep link (``/workflows/{id}``, ``…/runs/{r}/steps/{step}``,
``/signals``) survives a reload.

The bundle is built from ``ui/`` into ``maestoso/ui/static`` and shipped in the package, so
the server needs no Node.js. Paths the server answers itself (``/api/…``, ``/docs``,
``/openapi.json``, ``/healthz``, ``/readyz``, ``/metrics``) are never the app's: an unknown
one keeps Maestro's 404 body. Its hashed assets are cached for good, ``index.html`` never,
so a new build is picked up on the next load.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Match, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).resolve().parent.parent / "ui" / "static"
SERVER_PATHS = frozenset(
    {"api", "assets", "docs", "docs-assets", "openapi.json", "healthz", "readyz", "metrics"}
)
_IMMUTABLE = {"cache-control": "public, max-age=31536000, immutable"}
_FRESH = {"cache-control": "no-cache"}


class _PageRoute(Route):
    """Matches the app's pages only, so a path of the server's own (or another method on
    it) is never the app's and keeps its 404 or 405."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        first = str(scope.get("path", "/")).lstrip("/").split("/", 1)[0]
        if first in SERVER_PATHS:
            return Match.NONE, {}
        return super().matches(scope)


class _Assets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers.update(_IMMUTABLE)
        return response


def install(app: FastAPI, static: Path | None = None) -> None:
    """Serve the bundle in ``static`` (the package's by default; nothing when it was never
    built)."""
    static = static or STATIC
    index = static / "index.html"
    if not index.is_file():
        return
    assets = static / "assets"
    if assets.is_dir():
        app.mount("/assets", _Assets(directory=assets), name="ui-assets")
    files = {p.name for p in static.iterdir() if p.is_file() and p.name != "index.html"}

    async def page(request: Request) -> Response:
        name = request.path_params["path"]
        if name in files:
            return FileResponse(static / name)
        return FileResponse(index, media_type="text/html", headers=_FRESH)

    app.router.routes.append(_PageRoute("/{path:path}", page, methods=["GET"]))
