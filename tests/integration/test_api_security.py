"""``--auth token`` over a real database: tokens, roles, grants, command steps and the audit
log, each rule on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from maestoso import api
from maestoso.app import running_services
from maestoso.clock import FakeClock
from maestoso.config import Settings
from maestoso.engine.services.access import Role

START = "/api/v3/workflows/{}/versions/latest/actions/start"
RUN = {"initiator": {"type": "MANUAL"}}


def wf(workflow_id: str, owner: str, step_type: str = "NoOp", **props: Any) -> dict[str, Any]:
    return {
        "properties": {"owner": owner, **props},
        "workflow": {"id": workflow_id, "steps": [{"step": {"id": "s1", "type": step_type}}]},
    }


@dataclass
class Api:
    http: httpx.AsyncClient
    tokens: dict[str, str]
    services: Any

    async def call(
        self, who: str | None, method: str, path: str, json: Any = None, **kwargs: Any
    ) -> httpx.Response:
        headers = kwargs.pop("headers", {})
        if who is not None:
            headers["authorization"] = f"Bearer {self.tokens[who]}"
        return await self.http.request(method, path, json=json, headers=headers, **kwargs)


def assert_error(response: httpx.Response, status: int, fragment: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "message", "errors", "retryable"}
    assert body["retryable"] is False
    assert fragment in body["message"] + " ".join(body["errors"]), body
    return body  # type: ignore[no-any-return]


async def _api(settings: Settings, clock: FakeClock) -> AsyncIterator[Api]:
    async with running_services(settings, clock) as (services, _):
        tokens = {}
        for user, role in (
            ("root", Role.ADMIN),
            ("alice", Role.OPERATOR),
            ("bob", Role.OPERATOR),
            ("vera", Role.VIEWER),
        ):
            tokens[user] = (await services.security.tokens.create(user, role)).token
        app = api.create_app(services, clock, settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://maestoso") as http:
            yield Api(http, tokens, services)


def _settings(database_url: str, tmp_path: Path, **changes: Any) -> Settings:
    settings = Settings(
        home=tmp_path,
        database_url=database_url,
        auth="token",
        allowed_hosts=frozenset({"*"}),
    )
    return replace(settings, **changes)


@pytest.fixture
async def secured(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Api]:
    async for value in _api(_settings(database_url, tmp_path), clock):
        yield value


async def test_no_bad_or_revoked_token_is_401(secured: Api) -> None:
    response = await secured.call(None, "GET", "/api/v3/workflows")
    body = assert_error(response, 401, "Authorization: Bearer")
    assert body["status"] == "UNAUTHORIZED"
    assert response.headers["www-authenticate"].startswith("Bearer")
    bad = await secured.call(None, "GET", "/api/v3/workflows", headers={"authorization": "x y"})
    assert_error(bad, 401)
    forged = secured.tokens["alice"][:-2] + "zz"
    response = await secured.http.get(
        "/api/v3/workflows", headers={"authorization": f"Bearer {forged}"}
    )
    assert_error(response, 401, "not valid")
    assert (await secured.call("alice", "GET", "/api/v3/workflows")).status_code == 200
    await secured.services.security.tokens.revoke(user="alice")
    assert_error(await secured.call("alice", "GET", "/api/v3/workflows"), 401, "revoked")
    # Probes and the docs need no token.
    for path in ("/healthz", "/docs", "/openapi.json"):
        assert (await secured.http.get(path)).status_code == 200, path


async def test_the_user_header_is_no_identity(secured: Api) -> None:
    response = await secured.http.post(
        "/api/v3/workflows", json=wf("wf", "root"), headers={"user": "root"}
    )
    assert_error(response, 401)
    response = await secured.call(
        "alice", "POST", "/api/v3/workflows", wf("wf", "alice"), headers={"user": "root"}
    )
    assert response.status_code == 200, response.text
    definition = response.json()["workflow_definition"]
    assert definition["metadata"]["version_author"] == "alice"
    started = await secured.call("alice", "POST", START.format("wf"), RUN, headers={"user": "x"})
    instance = await secured.call(
        "alice", "GET", f"/api/v3/workflows/wf/instances/{started.json()['workflow_instance_id']}"
    )
    assert instance.json()["initiator"]["user"] == "alice"


async def test_grants_let_other_operators_in_step_by_step(secured: Api) -> None:
    created = await secured.call("alice", "POST", "/api/v3/workflows", wf("etl", "alice"))
    assert created.status_code == 200, created.text
    # Bob may neither push nor start alice's workflow.
    assert_error(
        await secured.call("bob", "POST", "/api/v3/workflows", wf("etl", "alice")), 403, "etl"
    )
    assert_error(await secured.call("bob", "POST", START.format("etl"), RUN), 403, "operators")
    assert_error(
        await secured.call(
            "bob", "POST", "/api/v3/workflows/etl/properties", {"access_control": {}}
        ),
        403,
    )
    # An operators grant lets him start, stop and act on runs, not push.
    granted = await secured.call(
        "alice",
        "POST",
        "/api/v3/workflows/etl/properties",
        {"access_control": {"operators": ["bob"]}},
    )
    assert granted.status_code == 200, granted.text
    started = await secured.call("bob", "POST", START.format("etl"), RUN)
    assert started.status_code == 200, started.text
    stop = await secured.call("bob", "PUT", "/api/v3/workflows/etl/actions/stop")
    assert stop.status_code == 202, stop.text
    assert_error(await secured.call("bob", "POST", "/api/v3/workflows", wf("etl", "alice")), 403)
    assert_error(await secured.call("bob", "DELETE", "/api/v3/workflows/etl"), 403)
    # A managers grant lets him push and change properties, still not delete.
    await secured.call(
        "alice",
        "POST",
        "/api/v3/workflows/etl/properties",
        {"access_control": {"managers": ["bob"]}},
    )
    pushed = await secured.call("bob", "POST", "/api/v3/workflows", wf("etl", "alice"))
    assert pushed.status_code == 200, pushed.text
    assert_error(await secured.call("bob", "DELETE", "/api/v3/workflows/etl"), 403, "owner")
    assert (await secured.call("alice", "DELETE", "/api/v3/workflows/etl")).status_code == 200


async def test_operators_own_what_they_create(secured: Api) -> None:
    response = await secured.call("bob", "POST", "/api/v3/workflows", wf("mine", "alice"))
    assert_error(response, 403, "only an admin may name another owner")
    by_admin = await secured.call("root", "POST", "/api/v3/workflows", wf("mine", "alice"))
    assert by_admin.status_code == 200, by_admin.text
    assert (await secured.call("alice", "POST", START.format("mine"), RUN)).status_code == 200
    malformed = await secured.call(
        "alice", "POST", "/api/v3/workflows/mine/properties", {"access_control": {"managers": 1}}
    )
    assert_error(malformed, 400, "managers")


async def test_a_viewer_reads_but_cannot_act_and_an_admin_can(secured: Api) -> None:
    await secured.call("alice", "POST", "/api/v3/workflows", wf("wf", "alice"))
    for path in ("/api/v3/workflows", "/api/v3/workflows/wf/versions/latest", "/api/v3/instances"):
        assert (await secured.call("vera", "GET", path)).status_code == 200, path
    assert_error(await secured.call("vera", "POST", START.format("wf"), RUN), 403, "viewer")
    assert_error(await secured.call("vera", "POST", "/api/v3/workflows", wf("v", "vera")), 403)
    assert_error(await secured.call("vera", "POST", "/api/v3/signals", {"name": "s"}), 403)
    assert (await secured.call("root", "POST", START.format("wf"), RUN)).status_code == 200
    permit = {"tag": "t", "max_allowed": 1}
    assert_error(await secured.call("alice", "POST", "/api/v3/tag-permits", permit), 403, "admin")
    assert (await secured.call("root", "POST", "/api/v3/tag-permits", permit)).status_code == 200
    validated = await secured.call(
        "vera", "PUT", "/api/v3/workflows/actions/validate", wf("v", "vera")
    )
    assert validated.status_code == 200, validated.text


async def test_the_audit_log_names_who_did_what(secured: Api) -> None:
    await secured.call("alice", "POST", "/api/v3/workflows", wf("wf", "alice"))
    await secured.call("bob", "POST", START.format("wf"), RUN)
    await secured.call(None, "POST", START.format("wf"), RUN)
    await secured.call("alice", "POST", START.format("wf"), RUN, headers={"x-request-id": "r-42"})
    assert_error(await secured.call("vera", "GET", "/api/v3/audit"), 403, "admin")
    assert_error(await secured.call("alice", "GET", "/api/v3/audit"), 403)
    page = (await secured.call("root", "GET", "/api/v3/audit")).json()
    seen = [
        (e["user"], e["action"].split()[0], e["workflow_id"], e["outcome"])
        for e in page["elements"]
    ]
    assert seen == [
        ("alice", "POST", "wf", "OK"),
        (None, "POST", "wf", "UNAUTHENTICATED"),
        ("bob", "POST", "wf", "FORBIDDEN"),
        ("alice", "POST", "wf", "OK"),
    ]
    newest = page["elements"][0]
    assert newest["request_id"] == "r-42" and newest["role"] == "operator"
    assert newest["action"].endswith("/versions/{version}/actions/start")
    assert page["elements"][-1]["action"] == "POST /api/v3/workflows"
    bob = (await secured.call("root", "GET", "/api/v3/audit", params={"user": "bob"})).json()
    assert [e["status"] for e in bob["elements"]] == [403]
    first = (await secured.call("root", "GET", "/api/v3/audit", params={"first": 3})).json()
    assert len(first["elements"]) == 3 and first["cursor"]
    rest = await secured.call(
        "root", "GET", "/api/v3/audit", params={"first": 3, "cursor": first["cursor"]}
    )
    assert [e["outcome"] for e in rest.json()["elements"]] == ["OK"]
    assert rest.json()["cursor"] is None
    # Per workflow: its owner sees it, a viewer does not.
    mine = await secured.call("alice", "GET", "/api/v3/workflows/wf/audit")
    assert len(mine.json()["elements"]) == 4
    assert_error(await secured.call("vera", "GET", "/api/v3/workflows/wf/audit"), 403)
    answered = await secured.call("alice", "POST", START.format("wf"), RUN)
    assert len(answered.headers["x-request-id"]) == 32


async def test_command_steps_need_their_role(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    settings = _settings(
        database_url, tmp_path, command_step_role="admin", command_step_users=frozenset({"bob"})
    )
    async for secured in _api(settings, clock):
        shell = wf("sh", "alice", step_type="Shell")
        assert_error(await secured.call("alice", "POST", "/api/v3/workflows", shell), 403, "Shell")
        nested = wf("loop", "alice")
        nested["workflow"]["steps"] = [
            {
                "foreach": {
                    "id": "f",
                    "params": {
                        "loop_params": {
                            "value": {"i": {"value": [1], "type": "LONG_ARRAY"}},
                            "type": "MAP",
                        }
                    },
                    "steps": [{"step": {"id": "k", "type": "Kubernetes"}}],
                }
            }
        ]
        assert_error(await secured.call("alice", "POST", "/api/v3/workflows", nested), 403)
        yaml = "Workflow:\n  id: y\n  jobs:\n    - j:\n        type: Shell\n"
        response = await secured.call(
            "alice",
            "POST",
            "/api/v3/workflows/yaml",
            content=yaml,
            headers={"content-type": "application/yaml"},
        )
        assert response.status_code in (400, 403), response.text
        fine = await secured.call("bob", "POST", "/api/v3/workflows", wf("sh", "bob", "Shell"))
        assert fine.status_code == 200, fine.text
        by_admin = await secured.call("root", "POST", "/api/v3/workflows", shell)
        assert by_admin.status_code == 200, by_admin.text


async def test_browsers_get_safe_headers_and_no_cors(secured: Api) -> None:
    docs = await secured.http.get("/docs")
    policy = docs.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "'sha256-" in policy
    assert "frame-ancestors 'none'" in policy
    assert docs.headers["x-frame-options"] == "DENY"
    answer = await secured.call(
        "alice", "GET", "/api/v3/workflows", headers={"origin": "https://evil.example"}
    )
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert not any(h.startswith("access-control-") for h in answer.headers)
    preflight = await secured.http.options(
        "/api/v3/workflows",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_cors_opens_to_the_configured_origins(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    settings = _settings(database_url, tmp_path, cors_origins=frozenset({"https://ui.example"}))
    async for secured in _api(settings, clock):
        preflight = await secured.http.options(
            "/api/v3/workflows",
            headers={
                "origin": "https://ui.example",
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://ui.example"
        assert "access-control-allow-credentials" not in preflight.headers
        other = await secured.call(
            "alice", "GET", "/api/v3/workflows", headers={"origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers
