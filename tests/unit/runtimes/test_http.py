"""The Http runtime against a real HTTP server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.unit.runtimes.http_server import LoopbackServer, serving
from tests.unit.runtimes.support import FakeContext, drive

from maestoso.config import Settings
from maestoso.runtimes import HttpRuntime, State
from maestoso.runtimes.http import ARTIFACT


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with serving() as running:
        yield running


@pytest.fixture
def http() -> HttpRuntime:
    return HttpRuntime(allowed_hosts=["127.0.0.1"], send_timeout=5)


def context(tmp_path: Path, url: str, **params: Any) -> FakeContext:
    http = {"url": url, **params.pop("http", {})}
    return FakeContext(log_dir=tmp_path, params={"http": http, **params})


async def test_a_2xx_is_done_with_status_and_body_as_output_params(
    http: HttpRuntime, server: LoopbackServer, tmp_path: Path
) -> None:
    ctx = context(tmp_path, f"{server.base}/echo")
    result = await drive(http, ctx)
    assert result.state is State.DONE
    assert result.output_params["status_code"]["evaluated_result"] == 200
    echo = json.loads(result.output_params["response_body"]["evaluated_result"])
    assert echo["method"] == "GET"
    assert echo["headers"]["Content-Type"] == "application/json"  # Maestro's default headers
    artifact = ctx.artifacts[ARTIFACT]
    assert artifact["status"] == "SUCCESS" and artifact["status_code"] == 200
    assert artifact["request"]["url"] == f"{server.base}/echo"


async def test_method_headers_and_body_are_sent(
    http: HttpRuntime, server: LoopbackServer, tmp_path: Path
) -> None:
    sent = {"method": "put", "headers": {"X-Token": "abc"}, "body": "payload"}
    result = await drive(http, context(tmp_path, f"{server.base}/echo", http=sent))
    echo = json.loads(result.output_params["response_body"]["evaluated_result"])
    assert echo["method"] == "PUT" and echo["body"] == "payload"
    assert echo["headers"]["X-Token"] == "abc" and "Content-Type" not in echo["headers"]


@pytest.mark.parametrize(
    ("status", "state"),
    [
        (204, State.DONE),
        (404, State.FATAL_ERROR),
        (429, State.FATAL_ERROR),
        (500, State.USER_ERROR),
        (503, State.USER_ERROR),
    ],
)
async def test_default_states_by_status_code(
    http: HttpRuntime, server: LoopbackServer, tmp_path: Path, status: int, state: State
) -> None:
    ctx = context(tmp_path, f"{server.base}/status/{status}")
    assert (await drive(http, ctx)).state is state
    assert ctx.artifacts[ARTIFACT]["status"] == ("SUCCESS" if state is State.DONE else "FAILED")


async def test_redirects_are_not_followed(
    http: HttpRuntime, server: LoopbackServer, tmp_path: Path
) -> None:
    result = await drive(http, context(tmp_path, f"{server.base}/redirect"))
    assert result.state is State.USER_ERROR
    assert result.output_params["status_code"]["evaluated_result"] == 302


async def test_state_expr_decides(
    http: HttpRuntime, server: LoopbackServer, tmp_path: Path
) -> None:
    expr = 'if (status_code == 404) return "DONE"; else return "FATAL_ERROR";'
    ctx = context(tmp_path, f"{server.base}/status/404", state_expr=expr)
    assert (await drive(http, ctx)).state is State.DONE
    ctx = context(tmp_path, f"{server.base}/echo", state_expr=expr)
    assert (await drive(http, ctx)).state is State.FATAL_ERROR
    reads_body = 'return response_body.contains("status 418") ? "USER_ERROR" : "DONE";'
    ctx = context(tmp_path, f"{server.base}/status/418", state_expr=reads_body)
    assert (await drive(http, ctx)).state is State.USER_ERROR


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ('return "MAYBE";', "state_expr returned [MAYBE], which is not a step state"),
        ("return 1 +;", "state_expr failed"),
    ],
)
async def test_a_bad_state_expr_is_fatal(
    http: HttpRuntime, server: LoopbackServer, tmp_path: Path, expr: str, message: str
) -> None:
    ctx = context(tmp_path, f"{server.base}/echo", state_expr=expr)
    assert (await drive(http, ctx)).state is State.FATAL_ERROR
    assert ctx.timeline[-1].startswith(message)


async def test_hosts_outside_the_allow_list_are_refused_by_name(
    server: LoopbackServer, tmp_path: Path
) -> None:
    http = HttpRuntime(allowed_hosts=["localhost"])
    ctx = context(tmp_path, f"{server.base}/echo")
    assert (await drive(http, ctx)).state is State.FATAL_ERROR
    assert ctx.timeline == [
        "URL host [127.0.0.1] is not allowed. Please contact the administrator."
    ]
    nobody = HttpRuntime(
        allowed_hosts=Settings.from_env({"MAESTOSO_HTTP_ALLOWED_HOSTS": ""}).http_allowed_hosts
    )
    assert (
        await drive(nobody, context(tmp_path, f"{server.base}/echo"))
    ).state is State.FATAL_ERROR


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"http": {"url": "ftp://127.0.0.1/x"}}, "URL scheme [ftp] is not allowed"),
        ({"http": {"url": "http://"}}, "Invalid URL"),
        ({"http": {}}, "param [http.url] is required"),
        ({}, "param [http.url] is required"),
    ],
)
async def test_invalid_requests_are_fatal(
    http: HttpRuntime, tmp_path: Path, params: dict[str, Any], message: str
) -> None:
    ctx = FakeContext(log_dir=tmp_path, params=params)
    assert (await drive(http, ctx)).state is State.FATAL_ERROR
    assert ctx.timeline[-1].startswith(message), ctx.timeline


async def test_large_responses_are_cut_off(
    http: HttpRuntime, server: LoopbackServer, tmp_path: Path
) -> None:
    ctx = context(tmp_path, f"{server.base}/big")
    assert (await drive(http, ctx)).state is State.FATAL_ERROR
    assert ctx.timeline[-1] == "Http response size exceeds the size limit [1048576] bytes"
    # The download stopped near the limit, not after the 50 MB the server would send.
    assert server.big_bytes_sent < 20 * 1024 * 1024
    ctx = context(tmp_path, f"{server.base}/declared")
    assert (await drive(http, ctx)).state is State.FATAL_ERROR
    assert "content length [5242880] is not between 0 and 1048576" in ctx.timeline[-1]


async def test_timeouts_and_refused_connections_are_platform_errors(
    server: LoopbackServer, tmp_path: Path
) -> None:
    http = HttpRuntime(allowed_hosts=["127.0.0.1"], send_timeout=0.3)
    ctx = context(tmp_path, f"{server.base}/slow")
    assert (await drive(http, ctx)).state is State.PLATFORM_ERROR
    closed = HttpRuntime(allowed_hosts=["127.0.0.1"], connect_timeout=1)
    ctx = context(tmp_path, "http://127.0.0.1:9/nothing-listens-here")
    assert (await drive(closed, ctx)).state is State.PLATFORM_ERROR
    assert ctx.timeline[-1].startswith("The HTTP request failed: ConnectError")


def test_settings_default_to_loopback_hosts() -> None:
    assert Settings.from_env({}).http_allowed_hosts == {"127.0.0.1", "localhost", "::1"}
    configured = Settings.from_env({"MAESTOSO_HTTP_ALLOWED_HOSTS": " Example.com, ,api.local"})
    assert configured.http_allowed_hosts == {"example.com", "api.local"}
