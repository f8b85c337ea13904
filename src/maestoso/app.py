"""The composition root: build the store, services and API from settings, and run them."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import uvicorn
from fastapi import FastAPI
from uvicorn.config import LOGGING_CONFIG

from maestoso import api, log_format, tracing
from maestoso.alerting import AlertSettings, build_notifiers
from maestoso.api.access_log import start_access_log
from maestoso.api.auth import Security, check_bind, is_loopback
from maestoso.api.connections import guarded_protocol, raise_file_limit
from maestoso.clock import Clock, SystemClock
from maestoso.config import DEFAULT_ALLOWED_HOSTS, Settings
from maestoso.dsl.validation import ValidationSettings
from maestoso.engine import (
    EngineNode,
    InstanceReader,
    ListingService,
    StepLogs,
    WorkflowService,
)
from maestoso.engine.services.access import AccessPolicy, AccessService, Role
from maestoso.engine.services.audit import AuditLog
from maestoso.engine.services.tokens import TokenService
from maestoso.params import isolation
from maestoso.plugins import InstalledPlugins, load_plugins
from maestoso.runtimes import StepRuntime, WithSecrets, default_runtimes
from maestoso.secrets import ChainedSecrets, provider_from
from maestoso.store import Store, open_store
from maestoso.triggers.backfill import BackfillService
from maestoso.triggers.signals import SignalService
from maestoso.triggers.sources import SignalSources

logger = logging.getLogger("maestoso")


@asynccontextmanager
async def running_services(
    settings: Settings, clock: Clock | None = None
) -> AsyncIterator[tuple[api.Services, Store]]:
    """The store and services, open for the duration of the block."""
    clock = clock or SystemClock()
    isolation.configure(settings.sel_time_limit_seconds)
    secrets = provider_from(settings)
    plugins = load_plugins(settings)
    store = await open_store(settings.database_url, settings.home)
    alert_settings = AlertSettings.from_env()
    node = EngineNode(
        store,
        clock,
        owner=settings.node_name,
        home=settings.home,
        runtimes=all_runtimes(settings, secrets, plugins),
        groups=settings.flow_groups,
        lease_seconds=settings.group_lease_seconds,
        heartbeat_seconds=settings.group_heartbeat_seconds,
        info={"address": f"http://{settings.host}:{settings.port}"},
        notifiers=[*build_notifiers(alert_settings), *plugins.notifiers.values()],
        alert_settings=alert_settings,
    )
    security = security_services(settings, store, clock)
    signals = SignalService(store, clock, node.worker.wake)
    sources = SignalSources(plugins.signal_sources, signals, clock)
    try:
        await node.start()
        security.audit.start()
        sources.start()
        await _warn_without_tokens(settings, security)
        validation = ValidationSettings(
            pagerduty_services=settings.pagerduty_services,
            plugin_step_types=frozenset(plugins.step_types),
        )
        services = api.Services(
            workflows=WorkflowService(store, clock, validation, facts=node.alerting.facts),
            instances=InstanceReader(store, clock, node.alerting.reads),
            actions=node.instances,
            node=node,
            signals=signals,
            bypass=node.bypass,
            backfill=BackfillService(store, clock, node.worker.wake),
            logs=StepLogs(settings.home, store, clock=clock, secrets=secrets),
            listing=ListingService.for_store(store),
            security=security,
            plugins=plugins,
        )
        yield services, store
    finally:
        await sources.stop()
        await security.audit.stop()
        await node.stop()
        await store.close()


def all_runtimes(
    settings: Settings, secrets: ChainedSecrets, plugins: InstalledPlugins
) -> dict[str, StepRuntime]:
    """The built-in step types and the plugins'; both resolve ``${secret:NAME}``."""
    own = {name: WithSecrets(runtime, secrets) for name, runtime in plugins.step_types.items()}
    return {**default_runtimes(settings, secrets), **own}


def security_services(settings: Settings, store: Store, clock: Clock) -> Security:
    """Tokens, the access rules and the audit log, as ``settings`` configure them."""
    policy = AccessPolicy(
        enforced=settings.auth == "token",
        command_step_role=Role.parse(settings.command_step_role),
        command_step_users=settings.command_step_users,
    )
    return Security(
        access=AccessService(store, policy),
        tokens=TokenService(store, clock),
        audit=AuditLog(store, clock),
    )


async def _warn_without_tokens(settings: Settings, security: Security) -> None:
    if settings.auth != "token":
        return
    if not any(row.revoke_time is None for row in await security.tokens.list()):
        logger.warning(
            "authentication is on (--auth token) but no token exists: every call will be "
            "refused until one is made with `maestoso token create --user NAME --role admin`"
        )


def build_app(
    settings: Settings, clock: Clock | None = None, *, freeze_heap: bool = False
) -> FastAPI:
    """The ASGI application; the store opens and closes with the application's lifespan.

    ``freeze_heap`` (for a process that serves this application alone): once started, what
    the start made (modules, routes, compiled statements, the engine's state) is moved out
    of the garbage collector's reach, so that its full collections, a tenth of the engine's
    time in long foreach loops, walk only what requests and runs made since."""
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_services(settings, clock) as (services, store):
            app.state.services = services
            app.state.store = store  # for /readyz
            if freeze_heap:
                gc.collect()
                gc.freeze()
            yield

    app = api.create_app(None, clock, settings)
    app.state.body_limit = settings.max_body_bytes
    app.router.lifespan_context = lifespan
    return app


def serve(settings: Settings) -> None:
    """Run the server until interrupted; refuse (exit non-zero) to listen beyond loopback
    without authentication."""
    try:
        log_format.configure(settings.log_format)
        stop_tracing = tracing.configure(os.environ)
    except (ValueError, RuntimeError) as exc:
        raise SystemExit(f"error: {exc}") from None
    problem = check_bind(settings)
    if problem is not None:
        raise SystemExit(f"error: {problem}")
    try:
        provider_from(settings)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from None
    logger.info("authentication: %s", settings.auth)
    if not is_loopback(settings.host) and settings.allowed_hosts == DEFAULT_ALLOWED_HOSTS:
        logger.warning(
            "listening on %s, but only loopback Host names are answered: set --allowed-hosts "
            "(MAESTOSO_ALLOWED_HOSTS) to the names clients use",
            settings.host,
        )
    where = settings.database_url or f"sqlite:///{settings.home / 'maestoso.db'} (embedded)"
    logger.info("maestoso on http://%s:%d, database %s", settings.host, settings.port, where)
    app = build_app(replace(settings), freeze_heap=True)
    raise_file_limit(settings.max_connections + 256)
    access = log_format.handler(settings.log_format, "%(asctime)s access %(message)s")
    listener = start_access_log(access) if settings.access_log else None
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level="info",
            # JSON: uvicorn's own lines go through the root logger's handler too.
            log_config=None if settings.log_format == "json" else LOGGING_CONFIG,
            access_log=False,  # ours: see maestoso.api.access_log
            http=guarded_protocol(settings.read_timeout_seconds, settings.max_connections),
            timeout_keep_alive=5,
            h11_max_incomplete_event_size=64 * 1024,
        )
    finally:
        if listener is not None:
            listener.stop()
        if stop_tracing is not None:
            stop_tracing()
