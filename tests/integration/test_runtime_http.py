"""Http steps in the engine: output params read downstream, state_expr, refused hosts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from tests.integration.engine_support import Harness
from tests.unit.runtimes.harness import engine_at, string, typed_step, workflow
from tests.unit.runtimes.http_server import LoopbackServer, serving

from maestoso.models.steps import StepType
from maestoso.runtimes import HttpRuntime


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with serving() as running:
        yield running


@pytest.fixture
async def engine(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    runtimes = {StepType.HTTP: HttpRuntime(allowed_hosts=["127.0.0.1"], send_timeout=5)}
    async with engine_at(database_url, tmp_path / "home", runtimes) as running:
        yield running


def call(url: str, **extra: object) -> dict[str, object]:
    value = {"url": string(url), **extra}
    return {"http": {"type": "MAP", "value": value}}


async def test_a_downstream_step_reads_the_response(
    engine: Harness, server: LoopbackServer
) -> None:
    body = workflow(
        "http-chain",
        typed_step(
            "call",
            "Http",
            call(f"{server.base}/status/404"),
            {"ok": "status_code == 404"},
        ),
        typed_step("ok", "Shell", {"command": string("echo ${call__response_body}")}),
    )
    # 404 is a fatal error by default; this step says it is what it wants.
    step = body["workflow"]["steps"][0]["step"]  # type: ignore[index]
    step["params"]["state_expr"] = string('return status_code == 404 ? "DONE" : "FATAL_ERROR";')
    await engine.create(body)
    await engine.start("http-chain")
    assert (await engine.wait("http-chain", 1)).status == "SUCCEEDED"
    steps = await engine.steps("http-chain", 1)
    params = steps["call"].document["params"]
    assert params["status_code"]["evaluated_result"] == 404
    assert params["response_body"]["evaluated_result"] == "status 404"
    assert steps["ok"].status == "SUCCEEDED"


async def test_a_refused_host_fails_the_step_naming_the_host(engine: Harness) -> None:
    body = workflow("http-refused", typed_step("call", "Http", call("http://localhost:9/x")))
    await engine.create(body)
    await engine.start("http-refused")
    assert (await engine.wait("http-refused", 1)).status == "FAILED"
    row = (await engine.steps("http-refused", 1))["call"]
    assert row.status == "FATALLY_FAILED"
    messages = [entry["message"] for entry in row.timeline]
    assert "URL host [localhost] is not allowed. Please contact the administrator." in messages
