"""The FastAPI application."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, FastAPI

import maestoso
from maestoso.api import (
    actions,
    audit,
    controls,
    errors,
    flatten,
    groups,
    health,
    inline,
    instances,
    logs,
    metrics,
    plugins,
    signals,
    templates,
    triggers,
    webui,
    workflows,
)
from maestoso.api.access_log import AccessLog
from maestoso.api.audit import AuditTrail
from maestoso.api.auth import Security, authorize
from maestoso.api.hosts import ANY_HOST, AllowedHosts
from maestoso.api.input_guard import InputGuard
from maestoso.api.listing import router as listing_router
from maestoso.api.log_streams import FollowLimiter
from maestoso.api.openapi_docs import install as install_docs
from maestoso.api.route_index import index_routes
from maestoso.api.security_headers import SecurityHeaders, install_cors
from maestoso.clock import Clock
from maestoso.config import Settings
from maestoso.engine.node import EngineNode
from maestoso.engine.reads.instances import InstanceReader
from maestoso.engine.reads.listing import ListingService
from maestoso.engine.reads.logs import StepLogs
from maestoso.engine.services.bypass import StepBypass
from maestoso.engine.services.instances import InstanceService
from maestoso.engine.services.workflows import WorkflowService
from maestoso.plugins import InstalledPlugins
from maestoso.triggers.backfill import BackfillService
from maestoso.triggers.signals import SignalService


@dataclass(frozen=True, slots=True)
class Services:
    """What the routers use; built by the composition root."""

    workflows: WorkflowService
    instances: InstanceReader
    actions: InstanceService
    node: EngineNode | None = None
    logs: StepLogs | None = None
    signals: SignalService | None = None
    bypass: StepBypass | None = None
    backfill: BackfillService | None = None
    listing: ListingService | None = None
    security: Security | None = None
    plugins: InstalledPlugins | None = None


def create_app(
    services: Services | None, clock: Clock, settings: Settings | None = None
) -> FastAPI:
    """The API; ``services`` may be set later (by the lifespan that opens the store).

    ``settings`` gives the request limits and allowed hosts; without it, the default limits
    apply and any host is allowed (an in-process test client names no real host).
    """
    settings = settings or Settings(allowed_hosts=frozenset({ANY_HOST}))
    app = FastAPI(
        title="Maestoso",
        version=maestoso.__version__,
        description="A workflow orchestrator compatible with Netflix Maestro's REST API.",
        openapi_url="/openapi.json",
        docs_url=None,  # served from bundled assets by openapi_docs
        redoc_url=None,
        # Every route: who calls, and may they (maestoso.api.auth_rules says what each needs).
        dependencies=[Depends(authorize)],
    )
    app.state.services = services
    app.state.clock = clock
    app.state.auth = settings.auth
    app.state.log_streams = FollowLimiter(settings.max_log_streams)
    errors.install(app)
    # Before the workflows router: its static paths (the action maps) must match first.
    app.include_router(controls.router)
    app.include_router(inline.router)
    app.include_router(instances.router)
    app.include_router(actions.router)
    app.include_router(logs.router)
    app.include_router(workflows.router)
    app.include_router(signals.router)
    app.include_router(signals.steps)
    app.include_router(triggers.router)
    app.include_router(templates.router)
    app.include_router(flatten.router)
    app.include_router(listing_router)
    app.include_router(audit.router)
    app.include_router(groups.router)
    app.include_router(plugins.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    install_docs(app)
    webui.install(app)  # last: its pages are every path no other route takes
    index_routes(app)
    # Outermost last: the access log sees every answer, the host check runs first.
    app.add_middleware(
        InputGuard,
        api=app,
        max_body_bytes=settings.max_body_bytes,
        max_json_depth=settings.max_json_depth,
    )
    app.add_middleware(AuditTrail)
    install_cors(app, settings.cors_origins)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AllowedHosts, hosts=settings.allowed_hosts)
    app.add_middleware(AccessLog)
    app.add_middleware(metrics.RequestMetrics)
    return app
