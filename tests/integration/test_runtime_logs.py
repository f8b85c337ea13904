"""The step logs endpoint over a Shell step's real logs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.integration.engine_support import Harness
from tests.unit.runtimes.harness import engine_at, string, typed_step, workflow

BASE = "/api/v3/workflows/logs-wf/instances/1/runs/1/steps/talk/attempts"
LINES = "for i in 1 2 3 4 5; do echo line $$i; done; echo oops >&2"


@pytest.fixture
async def engine(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    async with engine_at(database_url, tmp_path / "home") as running:
        yield running


async def run(engine: Harness, command: str, *, wait: bool = True) -> None:
    await engine.create(
        workflow("logs-wf", typed_step("talk", "Shell", {"command": string(command)}))
    )
    await engine.start("logs-wf")
    if wait:
        assert (await engine.wait("logs-wf", 1)).status == "SUCCEEDED"


async def test_whole_log_tail_range_and_stderr(engine: Harness) -> None:
    await run(engine, LINES)
    whole = await engine.http.get(f"{BASE}/1/logs")
    assert whole.status_code == 200
    assert whole.headers["content-type"].startswith("text/plain")
    assert whole.text == "".join(f"line {i}\n" for i in range(1, 6))
    assert whole.headers["x-log-size"] == str(len(whole.text))
    assert (await engine.http.get(f"{BASE}/latest/logs?tail=2")).text == "line 4\nline 5\n"
    assert (await engine.http.get(f"{BASE}/1/logs?tail=0")).text == ""
    assert (await engine.http.get(f"{BASE}/1/logs?tail=99")).text == whole.text
    ranged = await engine.http.get(f"{BASE}/1/logs?offset=7&limit=7")
    assert ranged.text == "line 2\n" and ranged.headers["x-log-next-offset"] == "14"
    assert (await engine.http.get(f"{BASE}/1/logs?offset=1000")).text == ""
    assert (await engine.http.get(f"{BASE}/1/logs?stream=stderr")).text == "oops\n"
    latest_run = "/api/v3/workflows/logs-wf/instances/1/runs/latest/steps/talk/attempts/1/logs"
    assert (await engine.http.get(latest_run)).text == whole.text


async def test_unknown_attempts_and_bad_queries(engine: Harness) -> None:
    await run(engine, LINES)
    missing = await engine.http.get(f"{BASE}/2/logs")
    assert missing.status_code == 404
    body = missing.json()
    assert body["status"] == "NOT_FOUND" and "[attempt 2]" in body["message"]
    other = "/api/v3/workflows/logs-wf/instances/9/runs/1/steps/talk/attempts/1/logs"
    assert (await engine.http.get(other)).status_code == 404
    assert (await engine.http.get(f"{BASE}/1/logs?stream=stdin")).status_code == 400
    assert (await engine.http.get(f"{BASE}/zero/logs")).status_code == 400
    assert (await engine.http.get(f"{BASE}/1/logs?tail=-1")).status_code == 400


async def test_follow_streams_until_the_attempt_ends(engine: Harness) -> None:
    await run(engine, "for i in 1 2 3; do echo tick $$i; sleep 0.3; done", wait=False)
    deadline = time.monotonic() + 10
    while (step := (await engine.steps("logs-wf", 1)).get("talk")) is None:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    assert step.status == "RUNNING"
    followed = await engine.http.get(f"{BASE}/1/logs?follow=true")
    assert followed.status_code == 200
    assert followed.text == "tick 1\ntick 2\ntick 3\n"
    assert (await engine.steps("logs-wf", 1))["talk"].status == "SUCCEEDED"
