"""``/api/v3/plugins``: the plugins this server found installed, with what failed to load."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from maestoso.plugins import InstalledPlugins

router = APIRouter(prefix="/api/v3/plugins", tags=["plugins"])


class Plugin(BaseModel):
    name: str
    """The step type's, the signal source's or the notifier's name."""
    target: str
    """What its entry point names, ``package.module:attribute``."""
    distribution: str | None
    version: str | None
    error: str | None
    """Why it is not in use (None: it is)."""


class Plugins(BaseModel):
    step_types: list[Plugin]
    signal_sources: list[Plugin]
    notifiers: list[Plugin]


@router.get(
    "",
    response_model=Plugins,
    summary="The installed plugins by entry-point group, each with its load error if any",
)
async def installed(request: Request) -> dict[str, Any]:
    plugins: InstalledPlugins | None = getattr(request.app.state.services, "plugins", None)
    if plugins is None:
        return {"step_types": [], "signal_sources": [], "notifiers": []}
    return plugins.to_json()
