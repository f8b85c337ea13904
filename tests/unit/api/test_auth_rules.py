"""Every route says what it needs; the server refuses to serve beyond loopback unprotected."""

from __future__ import annotations

from typing import Any

import pytest

from maestoso.api import create_app
from maestoso.api.auth import check_bind, is_loopback
from maestoso.api.auth_rules import ADMIN, READ, RULES, rule_for
from maestoso.api.security_headers import content_security_policy
from maestoso.clock import FakeClock
from maestoso.config import Settings
from maestoso.engine.services.triggered import TRIGGER_CALLER, trigger_caller


def _routes(routes: list[Any]) -> list[tuple[str, str]]:
    found = []
    for route in routes:
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if not hasattr(route, "path") and inner is not None:
            found += _routes(inner.routes)
            continue
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD" and getattr(route, "dependant", None) is not None:
                found.append((method, route.path))
    return found


def test_every_route_that_writes_has_a_rule() -> None:
    routes = _routes(create_app(None, FakeClock()).routes)
    assert ("POST", "/api/v3/workflows") in routes
    unruled = [
        (method, path) for method, path in routes if (method, path) not in RULES and method != "GET"
    ]
    assert unruled == [], "give these routes a rule in maestoso.api.auth_rules"
    stale = [key for key in RULES if key not in routes]
    assert stale == []


def test_an_unknown_route_reads_as_a_viewer_and_writes_as_an_admin() -> None:
    assert rule_for("GET", "/api/v3/new") is READ
    assert rule_for("HEAD", "/api/v3/new") is READ
    assert rule_for("POST", "/api/v3/new") is ADMIN
    assert rule_for("GET", "/healthz").public


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.0.0.5", False),
        ("example.com", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_no_authentication_only_on_loopback() -> None:
    assert check_bind(Settings(host="127.0.0.1")) is None
    problem = check_bind(Settings(host="0.0.0.0"))
    assert problem is not None and "--auth token" in problem and "authentication" in problem
    assert check_bind(Settings(host="0.0.0.0", auth="token")) is None
    assert check_bind(Settings(host="0.0.0.0", insecure_no_auth=True)) is None
    assert "unknown authentication mode" in (check_bind(Settings(auth="basic")) or "")


def test_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "MAESTOSO_AUTH": "Token",
            "MAESTOSO_INSECURE_NO_AUTH": "true",
            "MAESTOSO_CORS_ORIGINS": "https://a.example, https://b.example",
            "MAESTOSO_SECRETS_DIR": "/run/secrets",
            "MAESTOSO_COMMAND_STEP_ROLE": "admin",
            "MAESTOSO_COMMAND_STEP_USERS": "etl-bot",
        }
    )
    assert settings.auth == "token" and settings.insecure_no_auth
    assert settings.cors_origins == {"https://a.example", "https://b.example"}
    assert str(settings.secrets_dir) == "/run/secrets"
    assert settings.command_step_role == "admin"
    assert settings.command_step_users == {"etl-bot"}
    assert Settings.from_env({}).auth == "none"


def test_triggers_run_as_the_owner() -> None:
    assert trigger_caller({"owner": "alice"}) == "alice"
    assert trigger_caller({"owner": {"name": "bob", "AUTH": "x"}}) == "bob"
    assert trigger_caller({}) == TRIGGER_CALLER


def test_the_page_policy_hashes_its_inline_scripts() -> None:
    policy = content_security_policy(b"<html><script>go()</script><script src='/a.js'></script>")
    assert "script-src 'self' 'sha256-" in policy
    assert policy.count("sha256-") == 1
    assert "'unsafe-inline'" not in policy.split("style-src")[0]
