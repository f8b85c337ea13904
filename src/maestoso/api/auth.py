"""Authentication and authorization at the API's edge: the ``authorize`` dependency of every
route.

``--auth token``: a call proves who it is with ``Authorization: Bearer <token>``; the token's
user is the caller (the ``user`` header is ignored) and its role, with the workflow's grants,
decides (``maestoso.engine.services.access``) what the route needs (``auth_rules``).
A call without a valid token gets 401, one that is not allowed 403, in Maestro's body.

``--auth none``: the ``user`` header names the caller, as in Maestro, and everything is
allowed; the server only serves loopback then (``check_bind``).
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from maestoso.api.auth_rules import rule_for
from maestoso.config import Settings
from maestoso.engine.services.access import AccessService, Principal, Role
from maestoso.engine.services.audit import AuditLog
from maestoso.engine.services.tokens import TokenService
from maestoso.errors import PlatformError, UnauthenticatedError

logger = logging.getLogger(__name__)

MODES = ("none", "token")
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


@dataclass(frozen=True, slots=True)
class Security:
    """What the edge needs, built by the composition root."""

    access: AccessService
    tokens: TokenService
    audit: AuditLog


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings) -> str | None:
    """Why the server must not start with these settings, or None. A warning is logged when
    it starts without authentication on purpose."""
    if settings.auth not in MODES:
        return f"unknown authentication mode [{settings.auth}]: use --auth none or --auth token"
    if settings.auth == "token" or is_loopback(settings.host):
        return None
    if settings.insecure_no_auth:
        logger.warning(
            "AUTHENTICATION IS OFF on %s (--insecure-no-auth): anyone who reaches this port "
            "can run commands on this machine as this server's user",
            settings.host,
        )
        return None
    return (
        f"refusing to listen on {settings.host} without authentication: anyone who reaches "
        "the port could run commands on this machine. Start with --auth token "
        "(MAESTOSO_AUTH=token) after creating a token with `maestoso token create --user NAME "
        "--role admin`, or listen on 127.0.0.1; --insecure-no-auth overrides this check"
    )


def principal_of(request: Request) -> Principal | None:
    """The authenticated caller of this request (set by ``authorize``)."""
    found = getattr(request.state, "principal", None)
    return found if isinstance(found, Principal) else None


def token_mode(request: Request) -> bool:
    if getattr(request.app.state, "auth", "none") == "token":
        return True
    security = _security(request)
    return security is not None and security.access.enforced


def _security(request: Request) -> Security | None:
    services: Any = getattr(request.app.state, "services", None)
    found = getattr(services, "security", None)
    return found if isinstance(found, Security) else None


async def authorize(request: Request) -> None:
    """The dependency of every route: who calls, and may they?"""
    route: Any = request.scope.get("route")
    rule = rule_for(request.method, getattr(route, "path", None))
    if rule.public:
        return
    security = _security(request)
    if not token_mode(request):
        name = request.headers.get("user", "").strip()
        if name:
            request.state.principal = Principal(name=name, role=Role.ADMIN)
        if security is not None and rule.check is not None:
            await rule.check(request, principal_of(request), security.access)
        return
    if security is None:
        raise PlatformError("authentication is not ready")
    principal = await security.tokens.authenticate(_bearer(request))
    request.state.principal = principal
    assert rule.check is not None
    await rule.check(request, principal, security.access)


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise UnauthenticatedError(
            "authentication is required: send Authorization: Bearer <token>",
            ["authorization: missing (tokens are made with `maestoso token create`)"],
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthenticatedError(
            "the Authorization header must be Bearer <token>", ["authorization: not a bearer"]
        )
    return token.strip()
