"""Restarts and step actions over a real engine and store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from tests.integration.engine_support import Harness, harness
from tests.integration.test_engine import FailingRuntime, step, workflow

from maestoso.clock import FakeClock
from maestoso.models.steps import StepType

NO_RETRY = {"error_retry_limit": 0}


def nap(step_id: str, seconds: int, **extra: object) -> dict[str, object]:
    return step(
        step_id, "Sleep", params={"sleep_seconds": {"type": "LONG", "value": seconds}}, **extra
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url, {StepType.TITUS: FailingRuntime()}) as running:
        yield running


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(quiet_seconds=0.01)


@pytest.fixture
async def virtual(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with harness(database_url, {StepType.TITUS: FailingRuntime()}, clock=clock) as running:
        yield running


async def restart(engine: Harness, workflow_id: str, policy: str, **body: object) -> dict:
    response = await engine.http.post(
        f"/api/v3/workflows/{workflow_id}/instances/1/actions/restart",
        json={"restart_policy": policy, **body},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_restart_from_incomplete_reruns_only_what_did_not_complete(engine: Harness) -> None:
    await engine.create(
        workflow(
            "partial",
            step("ok", successors={"bad": "true"}),
            step("bad", "Titus", successors={"after": "true"}, retry_policy=NO_RETRY),
            step("after"),
            step("side"),
            run_strategy="strict_sequential",
        )
    )
    await engine.start("partial")
    assert (await engine.wait("partial", 1)).status == "FAILED"
    first_ok = (await engine.steps("partial", 1))["ok"]
    response = await restart(engine, "partial", "RESTART_FROM_INCOMPLETE")
    assert response["workflow_run_id"] == 2 and response["status"] == "CREATED"
    second = await engine.wait("partial", 1, run_id=2)
    assert second.status == "FAILED"  # bad fails again
    rerun = await engine.steps("partial", 1, run_id=2)
    assert set(rerun) == {"bad", "after"}, "completed steps keep their earlier results"
    assert rerun["after"].status == "UNSATISFIED"
    assert (await engine.steps("partial", 1))["ok"] == first_ok, "run 1 is never edited"
    run1 = await engine.store.get_instance("partial", 1, 1)
    assert run1 is not None and run1.status == "FAILED_2", "a restarted failure stops blocking"
    view = (await engine.http.get("/api/v3/workflows/partial/instances/1")).json()
    views = view["aggregated_info"]["step_aggregated_views"]
    assert views["ok"]["workflow_run_id"] == 1 and views["bad"]["workflow_run_id"] == 2


async def test_restart_from_beginning_runs_everything_with_restart_params(engine: Harness) -> None:
    params = {"x": {"type": "LONG", "value": 1}}
    await engine.create(workflow("again", step("a"), step("b"), params=params))
    await engine.start("again")
    await engine.wait("again", 1)
    await restart(
        engine, "again", "RESTART_FROM_BEGINNING", run_params={"x": {"type": "LONG", "value": 5}}
    )
    row = await engine.wait("again", 1, run_id=2)
    assert row.status == "SUCCEEDED"
    assert set(await engine.steps("again", 1, run_id=2)) == {"a", "b"}
    assert row.document["params"]["x"]["evaluated_result"] == 5


async def test_restart_of_an_unfinished_run_is_refused(engine: Harness) -> None:
    await engine.create(workflow("busy", nap("n", 30)))
    await engine.start("busy")
    await engine.wait_status("busy", 1, "IN_PROGRESS")
    response = await engine.http.post(
        "/api/v3/workflows/busy/instances/1/actions/restart",
        json={"restart_policy": "RESTART_FROM_BEGINNING"},
    )
    assert response.status_code == 400 and "IN_PROGRESS" in response.json()["message"]
    missing = await engine.http.post("/api/v3/workflows/busy/instances/1/actions/restart", json={})
    assert missing.status_code == 400 and "restart_policy" in missing.text


async def test_step_stop_kill_and_skip(engine: Harness) -> None:
    await engine.create(
        workflow(
            "acts",
            nap("s1", 30, successors={"after1": "true"}),
            step("after1"),
            nap("s2", 30, successors={"after2": "true"}),
            step("after2"),
            nap("s3", 30, successors={"after3": "true"}),
            step("after3"),
            run_strategy="parallel",
        )
    )
    await engine.start("acts")
    await engine.wait_status("acts", 1, "IN_PROGRESS")
    base = "/api/v3/workflows/acts/instances/1/steps"
    for name in ("s1", "s2", "s3"):
        for _ in range(100):
            steps = await engine.steps("acts", 1)
            if name in steps and steps[name].status == "RUNNING":
                break
            await asyncio.sleep(0.05)
    skipped = await engine.http.put(f"{base}/s1/actions/skip")
    assert skipped.status_code == 200
    assert skipped.json()["step_runtime_state"]["status"] == "SKIPPED"
    stopped = await engine.http.put(f"{base}/s2/actions/stop")
    assert stopped.json()["step_runtime_state"]["status"] == "STOPPED"
    killed = await engine.http.put(f"{base}/s3/actions/kill")
    assert killed.json()["step_runtime_state"]["status"] == "FATALLY_FAILED"
    row = await engine.wait("acts", 1)
    steps = await engine.steps("acts", 1)
    assert steps["after1"].status == "SUCCEEDED", "a skipped step lets the DAG go on"
    assert steps["after2"].status == "UNSATISFIED"
    assert row.status == "FAILED"
    illegal = await engine.http.put(f"{base}/s2/actions/stop")
    assert illegal.status_code == 400 and "STOPPED" in illegal.json()["message"]


async def test_step_restart_in_a_live_run_is_a_new_attempt(
    virtual: Harness, clock: FakeClock
) -> None:
    engine = virtual  # on virtual time standing still, "long" runs until the restart is made
    await engine.create(
        workflow("retry-step", step("bad", "Titus", retry_policy=NO_RETRY), nap("long", 3600))
    )
    await engine.start("retry-step")
    for _ in range(100):
        steps = await engine.steps("retry-step", 1)
        if "bad" in steps and steps["bad"].status == "FATALLY_FAILED":
            break
        await asyncio.sleep(0.05)
    clock.auto_advance = True  # the blocking call polls on the clock; "long" outlasts it
    response = await engine.http.post(
        "/api/v3/workflows/retry-step/instances/1/steps/bad/actions/restart",
        json={"restart_policy": "RESTART_FROM_INCOMPLETE"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["step_attempt_id"] == 2
    assert (await engine.wait("retry-step", 1)).run_id == 1
    long = (await engine.steps("retry-step", 1))["long"]
    assert long.status == "SUCCEEDED" and long.attempt_id == 1


async def test_step_restart_of_a_finished_run_is_a_new_run_from_that_step(
    engine: Harness,
) -> None:
    await engine.create(
        workflow(
            "specific",
            step("a", successors={"b": "true"}),
            step("b", successors={"c": "true"}),
            step("c"),
        )
    )
    await engine.start("specific")
    await engine.wait("specific", 1)
    response = await engine.http.post(
        "/api/v3/workflows/specific/instances/1/steps/b/actions/restart",
        json={"restart_policy": "RESTART_FROM_INCOMPLETE"},
    )
    assert response.status_code == 200, response.text
    row = await engine.wait("specific", 1, run_id=2)
    assert row.status == "SUCCEEDED"
    assert set(await engine.steps("specific", 1, run_id=2)) == {"b", "c"}


async def test_concurrent_actions_leave_the_instance_consistent(engine: Harness) -> None:
    await engine.create(workflow("racy", nap("n", 30)))
    await engine.start("racy")
    await engine.wait_status("racy", 1, "IN_PROGRESS")
    base = "/api/v3/workflows/racy/instances/1/actions"
    responses = await asyncio.gather(
        *(engine.http.put(f"{base}/{verb}") for verb in ("stop", "kill", "stop", "kill"))
    )
    assert all(r.status_code in (200, 400) for r in responses)
    row = await engine.wait("racy", 1)
    assert row.status in ("STOPPED", "FAILED")
    steps = await engine.steps("racy", 1)
    assert steps["n"].status == "STOPPED"
    assert len(await engine.store.list_runs("racy", 1)) == 1
