"""The smaller items of Maestro's API: ``bypass``'s ``blocking``, the INTERVAL trigger's text
form, a kill of a foreach or subworkflow step ending its children, and triggers in YAML."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness, harness
from tests.integration.test_engine import step, workflow

from maestoso import api
from maestoso.app import running_services
from maestoso.clock import SystemClock
from maestoso.config import Settings
from maestoso.models.interval_start import interval_start_ms

YAML = {"content-type": "application/yaml"}


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url) as running:
        yield running


@pytest.fixture
async def full(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    """Every service of a server (signals and bypass included), on real time."""
    settings = Settings(home=tmp_path, database_url=database_url)
    async with running_services(settings, SystemClock()) as (services, store):
        app = api.create_app(services, SystemClock())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://maestoso", headers={"user": "tester"}
        ) as http:
            assert services.node is not None
            yield Harness(store, services.node, http)  # type: ignore[arg-type]


async def status_of(engine: Harness, workflow_id: str, step_id: str, wanted: str) -> Any:
    for _ in range(400):
        steps = await engine.steps(workflow_id, 1)
        if step_id in steps and steps[step_id].status == wanted:
            return steps[step_id]
        await asyncio.sleep(0.025)
    raise AssertionError(f"{step_id} never {wanted}")


def waiting(workflow_id: str) -> dict[str, Any]:
    dependency = {"name": "never/announced"}
    return workflow(workflow_id, step("wait", signal_dependencies=[dependency]))


async def test_bypass_blocks_until_the_step_moves_on_unless_told_not_to(full: Harness) -> None:
    engine = full
    await engine.create(waiting("bypassed"))
    await engine.start("bypassed")
    await status_of(engine, "bypassed", "wait", "WAITING_FOR_SIGNALS")
    url = "/api/v3/workflows/bypassed/instances/1/steps/wait/actions/bypass"

    blocked = await engine.http.put(url)

    assert blocked.status_code == 200, blocked.text
    assert blocked.json()["step_runtime_state"]["status"] != "WAITING_FOR_SIGNALS"

    await engine.create(waiting("not-blocked"))
    await engine.start("not-blocked")
    await status_of(engine, "not-blocked", "wait", "WAITING_FOR_SIGNALS")
    answer = await engine.http.put(
        "/api/v3/workflows/not-blocked/instances/1/steps/wait/actions/bypass",
        params={"blocking": "false"},
    )
    assert answer.json()["step_runtime_state"]["status"] == "WAITING_FOR_SIGNALS"
    await status_of(engine, "not-blocked", "wait", "SUCCEEDED")


async def test_maestros_interval_trigger_text_is_read(engine: Harness) -> None:
    fixture = require(shared_dir() / "maestro-samples") / "fixtures"
    trigger = json.loads((fixture / "sample-interval-time-trigger.json").read_text())
    assert trigger["start"] == "2021-03-26 16:00:18.089PST"
    maestro_form = {"type": "INTERVAL", "interval": "3H", "start": "03-26-2021 04:00:18.089PM PST"}
    for given in (trigger, maestro_form):
        await engine.create(workflow("interval", step("a"), time_triggers=[given]))
        stored = await engine.http.get(
            "/api/v3/workflows/interval/versions/latest", params={"enriched": "true"}
        )
        body = stored.json()
        assert body["workflow"]["time_triggers"] == [given]  # kept as written
        start = interval_start_ms(given["start"])
        assert start == 1616803218089  # 2021-03-26T16:00:18.089-08:00
        next_time = body["enriched_extras"]["next_execution_time"]
        assert (next_time - start) % (3 * 3_600_000) == 0

    bad = await engine.http.post(
        "/api/v3/workflows",
        json=workflow(
            "bad-interval", step("a"), time_triggers=[{**maestro_form, "start": "tomorrow"}]
        ),
    )
    assert bad.status_code == 400
    assert "MM-dd-yyyy hh:mm:ss.SSSz" in bad.text


async def test_killing_a_foreach_step_stops_its_iterations(engine: Harness) -> None:
    nap = step("nap", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": 60}})
    loop = {
        "foreach": {
            "id": "loop",
            "concurrency": 2,
            "params": {
                "loop_params": {
                    "type": "MAP",
                    "value": {"i": {"value": [1, 2, 3, 4], "type": "LONG_ARRAY"}},
                }
            },
            "steps": [nap],
        }
    }
    await engine.create(workflow("kill-loop", loop))
    await engine.start("kill-loop")
    running = await status_of(engine, "kill-loop", "loop", "RUNNING")
    inline = running.artifacts["maestro_foreach"]["foreach_workflow_id"]
    for _ in range(200):
        if await engine.store.get_instance(inline, 2):
            break
        await asyncio.sleep(0.025)

    killed = await engine.http.put(
        "/api/v3/workflows/kill-loop/instances/1/steps/loop/actions/kill"
    )

    assert killed.status_code == 200, killed.text
    assert killed.json()["step_runtime_state"]["status"] == "FATALLY_FAILED"
    assert (await engine.wait("kill-loop", 1)).status == "FAILED"
    for iteration in (1, 2):
        row = await engine.wait(inline, iteration)
        assert row.status == "STOPPED"
    assert await engine.store.get_instance(inline, 3) is None  # never launched
    loop_row = (await engine.steps("kill-loop", 1))["loop"]
    messages = [event.get("message") for event in loop_row.timeline]
    assert "Stopped all iterations because foreach step is terminated" in messages


async def test_killing_a_subworkflow_step_stops_its_child(engine: Harness) -> None:
    nap = step("nap", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": 60}})
    await engine.create(workflow("kid", nap))
    call = {
        "subworkflow": {
            "id": "call",
            "params": {"subworkflow_id": {"value": "kid", "type": "STRING"}},
        }
    }
    await engine.create(workflow("mom", call))
    await engine.start("mom")
    await status_of(engine, "mom", "call", "RUNNING")
    for _ in range(200):
        kid = await engine.store.get_instance("kid", 1)
        if kid is not None and kid.status == "IN_PROGRESS":
            break
        await asyncio.sleep(0.025)

    killed = await engine.http.put("/api/v3/workflows/mom/instances/1/steps/call/actions/kill")

    assert killed.json()["step_runtime_state"]["status"] == "FATALLY_FAILED"
    assert (await engine.wait("kid", 1)).status == "STOPPED"
    assert (await engine.wait("mom", 1)).status == "FAILED"
    call_row = (await engine.steps("mom", 1))["call"]
    assert any(
        "Terminated the running subworkflow instance: [kid][1][1]" in str(e.get("message"))
        for e in call_row.timeline
    )


async def test_time_and_signal_triggers_in_the_yaml_dsl(full: Harness) -> None:
    engine = full
    text = """
Workflow:
  id: yaml-triggers
  owner: tester
  jobs:
    - job: {id: a, type: NoOp}
time_triggers:
  - "0 * * * *"
  - "@daily"
  - {cron: "0 9 * * 1", timezone: US/Pacific}
signal_triggers:
  - definitions:
      db/table_a: {match_params: {day: {value: 20240101, operator: ">="}}}
    params:
      region: us
"""
    created = await engine.http.post("/api/v3/workflows/yaml", content=text, headers=YAML)
    assert created.status_code == 200, created.text
    stored = created.json()["workflow_definition"]["workflow"]
    assert list(stored)[:3] == ["id", "time_triggers", "signal_triggers"]
    assert stored["time_triggers"] == [
        {"type": "CRON", "cron": "0 * * * *"},
        {"type": "PREDEFINED", "expression": "@daily"},
        {"type": "CRON", "cron": "0 9 * * 1", "timezone": "US/Pacific"},
    ]
    assert stored["signal_triggers"][0]["params"] == {"region": {"value": "us", "type": "STRING"}}

    announced = await engine.http.post(
        "/api/v3/signals", json={"name": "db/table_a", "params": {"day": 20240105}}
    )
    assert announced.status_code == 200, announced.text
    for _ in range(200):
        if await engine.store.get_instance("yaml-triggers", 1):
            break
        await asyncio.sleep(0.025)
    run = await engine.wait("yaml-triggers", 1)
    assert run.initiator["type"] == "SIGNAL"
    assert run.initiator["params"]["region"]["evaluated_result"] == "us"

    bad = text.replace('  - "@daily"\n', "  - 7\n")
    refused = await engine.http.post("/api/v3/workflows/yaml", content=bad, headers=YAML)
    assert refused.status_code == 400
    assert "time_triggers[1]" in refused.text
