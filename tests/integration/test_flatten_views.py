"""Flattened foreach views (``/api/v3/views/flatten``) and the foreach overview's
``running_rollup`` and ``details``."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness, harness
from tests.unit.runtimes.harness import engine_at

from maestoso.clock import FakeClock
from maestoso.models.steps import StepType
from maestoso.runtimes import ShellRuntime

VIEWS = "/api/v3/views/flatten/workflows"


@pytest.fixture
async def engine(database_url: str, tmp_path: Path) -> AsyncIterator[Harness]:
    runtimes = {StepType.SHELL: ShellRuntime(grace_seconds=1.0)}
    async with engine_at(database_url, tmp_path / "home", runtimes) as running:
        yield running


def loop(workflow_id: str, inner: dict[str, Any], **loops: str) -> dict[str, Any]:
    params = {name: {"expression": expr, "type": "LONG_ARRAY"} for name, expr in loops.items()}
    foreach = {
        "foreach": {
            "id": "loop",
            "concurrency": 50,
            "params": {"loop_params": {"type": "MAP", "value": params}},
            "steps": [inner],
        }
    }
    return {"properties": {"owner": "tester"}, "workflow": {"id": workflow_id, "steps": [foreach]}}


def b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


async def page(engine: Harness, workflow_id: str, step_id: str, **query: Any) -> dict[str, Any]:
    response = await engine.http.get(
        f"{VIEWS}/{workflow_id}/instances/1/runs/1/steps/{step_id}", params=query
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_every_iteration_is_paged_forward_and_back_in_rank_order(engine: Harness) -> None:
    await engine.create(
        loop("paged", {"step": {"id": "leaf", "type": "NoOp"}}, i="Util.intsBetween(0, 25, 1);",
             j="Util.intsBetween(0, 10, 1);")
    )  # fmt: skip
    await engine.start("paged")
    assert (await engine.wait("paged", 1, timeout=60)).status == "SUCCEEDED"

    seen: list[str] = []
    cursor = None
    while True:
        query: dict[str, Any] = {"first": 37}
        if cursor:
            query["cursor"] = cursor
        body = await page(engine, "paged", "leaf", **query)
        seen += [element["iteration_rank"] for element in body["elements"]]
        assert body["total_count"] == len(body["elements"])
        assert body["page_info"]["has_previous_page"] is (cursor is not None)
        if not body["page_info"]["has_next_page"]:
            break
        cursor = body["page_info"]["end_cursor"]
    assert len(seen) == 250 and seen == sorted(seen)
    assert seen[0] == "11" and seen[8] == "19" and seen[9] == "210" and seen[-1] == "3250"

    back: list[str] = []
    cursor = None
    while True:
        query = {"last": 100}
        if cursor:
            query["cursor"] = cursor
        body = await page(engine, "paged", "leaf", **query)
        back = [element["iteration_rank"] for element in body["elements"]] + back
        if not body["page_info"]["has_previous_page"]:
            break
        cursor = body["page_info"]["start_cursor"]
    assert back == seen

    first = (await page(engine, "paged", "leaf", first=1))["elements"][0]
    assert list(first) == [
        "workflow_id", "step_id", "iteration_rank", "step_attempt_seq", "leaf_step_instance_ref",
        "loop_params", "step_runtime_state", "workflow_instance_id", "workflow_run_id",
    ]  # fmt: skip
    assert first["loop_params"] == {"i": "0", "j": "0"}
    assert first["step_attempt_seq"] == "11-11-11-11"
    assert first["step_runtime_state"]["status"] == "SUCCEEDED"
    twelfth = await engine.http.get(f"{VIEWS}/paged/instances/1/runs/1/steps/leaf/iterations/27")
    assert twelfth.json()["loop_params"] == {"i": "1", "j": "1"}  # k=26: i=26%25, j=26//25


async def test_iterations_are_filtered_by_status_and_loop_params(engine: Harness) -> None:
    failing = {
        "step": {
            "id": "check",
            "type": "Shell",
            "retry_policy": {"error_retry_limit": 0},
            "params": {"command": {"value": "test $i -ne 7 && test $i -ne 11", "type": "STRING"}},
        }
    }
    await engine.create(loop("filtered", failing, i="Util.intsBetween(0, 20, 1);"))
    await engine.start("filtered")
    assert (await engine.wait("filtered", 1, timeout=60)).status == "FAILED"

    failed = await page(engine, "filtered", "check", first=10, statuses="FATALLY_FAILED")
    assert [e["loop_params"]["i"] for e in failed["elements"]] == ["7", "11"]
    both = await page(engine, "filtered", "check", first=50, statuses="SUCCEEDED,FATALLY_FAILED")
    assert both["total_count"] == 20
    seven = await page(engine, "filtered", "check", first=5, loopParams=b64({"i": 7}))
    assert [e["iteration_rank"] for e in seven["elements"]] == ["18"]
    none = await page(engine, "filtered", "check", first=5, loopParams=b64({"i": 99}))
    assert none == {
        "page_info": {"has_previous_page": False, "has_next_page": False},
        "total_count": 0,
        "elements": [],
    }

    summary = await engine.http.get(
        f"{VIEWS}/filtered/instances/1/runs/1/steps/check/summary",
        params={"statusCount": "true", "valueCount": 3},
    )
    body = summary.json()
    assert body["count_by_status"] == {"SUCCEEDED": 18, "FATALLY_FAILED": 2}
    assert body["representative_iteration"]["iteration_rank"] == "18"  # a failure first
    assert body["loop_param_values"] == {"i": ["0", "1", "2"]}

    overview = (await engine.steps("filtered", 1))["loop"].artifacts["maestro_foreach"][
        "foreach_overview"
    ]
    assert list(overview) == [
        "checkpoint", "stats", "running_stats", "rollup", "running_rollup", "details",
    ]  # fmt: skip
    assert overview["details"] == {"FAILED": [8, 12], "SUCCEEDED": [[1, 7], [9, 11], [13, 20]]}
    assert overview["running_rollup"] == {"total_leaf_count": 0, "overview": {}}


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({}, "Either first or last"),
        ({"first": 1, "last": 1}, "Either first or last"),
        ({"first": 0}, "between 1 and 200"),
        ({"first": 201}, "between 1 and 200"),
        ({"first": 1, "cursor": "!!"}, "invalid cursor"),
        ({"first": 1, "loopParams": "bm90IGpzb24"}, "loopParams"),
    ],
)
async def test_bad_queries_are_refused(
    engine: Harness, query: dict[str, Any], problem: str
) -> None:
    await engine.create(
        loop("refused", {"step": {"id": "leaf", "type": "NoOp"}}, i="Util.intsBetween(1, 3, 1);")
    )
    response = await engine.http.get(f"{VIEWS}/refused/instances/1/runs/1/steps/leaf", params=query)
    assert response.status_code == 400
    assert problem in response.text


async def test_missing_instances_and_iterations_are_404(engine: Harness) -> None:
    await engine.create(
        loop("gone", {"step": {"id": "leaf", "type": "NoOp"}}, i="Util.intsBetween(1, 3, 1);")
    )
    await engine.start("gone")
    await engine.wait("gone", 1)
    base = f"{VIEWS}/gone/instances"
    missing = await engine.http.get(f"{base}/9/runs/1/steps/leaf", params={"first": 1})
    assert missing.status_code == 404
    no_iteration = await engine.http.get(f"{base}/1/runs/1/steps/leaf/iterations/7")
    assert no_iteration.status_code == 404
    assert "Step iteration is not found" in no_iteration.json()["message"]
    outside = await page(engine, "gone", "loop", first=5)  # not inside a foreach
    assert outside["elements"] == []


@pytest.fixture
async def virtual(database_url: str) -> AsyncIterator[Harness]:
    clock = FakeClock(auto_advance=True, quiet_seconds=0.01)
    async with harness(database_url, clock=clock) as running:
        yield running


async def test_a_step_in_nested_foreach_steps_is_flattened_like_maestros_records(
    virtual: Harness,
) -> None:
    engine = virtual
    samples = require(shared_dir() / "maestro-samples")
    await engine.create(json.loads((samples / "sample-nested-foreach-wf.json").read_text()))
    await engine.start("sample-nested-foreach-wf")
    assert (await engine.wait("sample-nested-foreach-wf", 1, timeout=60)).status == "SUCCEEDED"

    body = await page(engine, "sample-nested-foreach-wf", "job.1", first=50)

    # i in [1, 2, 3] and j in [a, b]: 6 outer iterations; x in 1..i-1 inside: 0+1+2+0+1+2
    ranks = [element["iteration_rank"] for element in body["elements"]]
    assert ranks == ["12-11", "13-11", "13-12", "15-11", "16-11", "16-12"]
    third = body["elements"][2]
    assert third["loop_params"] == {"i": "3", "j": "a", "x": "2"}
    assert third["step_attempt_seq"] == "11-11-11-11-11-11"
    reference = third["leaf_step_instance_ref"]
    assert reference["workflow_instance_id"] == 2 and reference["step_id"] == "job.1"
    records = json.loads((samples / "fixtures" / "flattening_records.json").read_text())
    record = records[0]
    assert set(third) >= {"iteration_rank", "step_attempt_seq", "loop_params"}
    assert record["step_attempt_seq"] == third["step_attempt_seq"]
    assert set(record["step_runtime_state"]) <= set(third["step_runtime_state"]) | {"execute_time"}
