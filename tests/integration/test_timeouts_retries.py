"""Timeouts and retries over a real engine and store, on virtual time: the clock jumps to the
next deadline whenever the engine is idle, so hours of timeouts and backoff take milliseconds
and are exact."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator

import pytest
from tests.integration.engine_support import Harness, harness
from tests.integration.test_engine import FailingRuntime, step, workflow

from maestoso.clock import FakeClock
from maestoso.models.steps import StepType
from maestoso.runtimes import State, StepContext, StepResult

FIXED_NOW = {
    "type": "fixed_backoff",
    "error_retry_backoff_in_secs": 0,
    "timeout_retry_backoff_in_secs": 0,
    "platform_retry_backoff_in_secs": 0,
}


class GiveUpRuntime(FailingRuntime):
    """Fails and says that retrying would not help."""

    async def start(self, context: StepContext) -> StepResult:
        return StepResult(
            state=State.USER_ERROR,
            artifacts={"maestro_retry": {"type": "RETRY", "retryable": False}},
        )


class PlatformFlakeRuntime(FailingRuntime):
    """A platform error on the first attempt, then success."""

    async def start(self, context: StepContext) -> StepResult:
        if context.attempt_id == 1:
            return StepResult(state=State.PLATFORM_ERROR)
        return StepResult(state=State.DONE)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    runtimes = {
        StepType.TITUS: FailingRuntime(),
        StepType.NOTEBOOK: GiveUpRuntime(),
        StepType.HTTP: PlatformFlakeRuntime(),
    }
    async with harness(database_url, runtimes, clock=virtual()) as running:
        yield running


def virtual() -> FakeClock:
    # The quiet period lets a query in flight (the store's thread on SQLite, a round trip to
    # PostgreSQL on a loaded machine) finish before time jumps.
    return FakeClock(START, auto_advance=True, quiet_seconds=0.05)


START = 1_700_000_000_000


def nap(seconds: int, **extra: object) -> dict[str, object]:
    return step(
        "nap", "Sleep", params={"sleep_seconds": {"type": "LONG", "value": seconds}}, **extra
    )


async def test_step_timeout_times_the_step_out(engine: Harness) -> None:
    await engine.create(workflow("slow", nap(30, timeout=1)))
    await engine.start("slow")
    row = await engine.wait("slow", 1)
    nap_row = (await engine.steps("slow", 1))["nap"]
    assert nap_row.status == "TIMED_OUT" and nap_row.attempt_id == 1
    assert nap_row.document["timeout_in_millis"] == 1000
    assert row.status == "TIMED_OUT"


async def test_timeout_retries_make_new_attempts(engine: Harness) -> None:
    policy = {"timeout_retry_limit": 1, "backoff": FIXED_NOW}
    await engine.create(workflow("slow-retry", nap(30, timeout="1 s", retry_policy=policy)))
    await engine.start("slow-retry")
    await engine.wait("slow-retry", 1)
    nap_row = (await engine.steps("slow-retry", 1))["nap"]
    assert nap_row.status == "TIMED_OUT" and nap_row.attempt_id == 2
    first = await engine.store.get_step_attempt("slow-retry", 1, 1, "nap", 1)
    assert first is not None and first.status == "TIMEOUT_FAILED"


async def test_timeout_from_a_workflow_param(engine: Harness) -> None:
    params = {"t": {"type": "LONG", "value": 1}}
    await engine.create(workflow("param-timeout", nap(30, timeout="${t}"), params=params))
    await engine.start("param-timeout")
    assert (await engine.wait("param-timeout", 1)).status == "TIMED_OUT"


async def test_workflow_timeout_times_out_running_steps(engine: Harness) -> None:
    await engine.create(workflow("wf-timeout", nap(30), timeout=1))
    await engine.start("wf-timeout")
    row = await engine.wait("wf-timeout", 1)
    assert row.status == "TIMED_OUT"
    assert (await engine.steps("wf-timeout", 1))["nap"].status == "TIMED_OUT"


async def test_user_errors_retry_up_to_the_limit(engine: Harness) -> None:
    policy = {"error_retry_limit": 2, "backoff": FIXED_NOW}
    await engine.create(workflow("errors", step("bad", "Titus", retry_policy=policy)))
    await engine.start("errors")
    await engine.wait("errors", 1)
    final = (await engine.steps("errors", 1))["bad"]
    assert final.status == "FATALLY_FAILED" and final.attempt_id == 3
    assert final.document["step_retry"]["error_retries"] == 2
    for attempt in (1, 2):
        row = await engine.store.get_step_attempt("errors", 1, 1, "bad", attempt)
        assert row is not None and row.status == "USER_FAILED"


async def test_a_non_retryable_failure_is_final_at_once(engine: Harness) -> None:
    await engine.create(
        workflow(
            "give-up", step("bad", "Notebook", sub_type="x", retry_policy={"error_retry_limit": 5})
        )
    )
    await engine.start("give-up")
    await engine.wait("give-up", 1)
    final = (await engine.steps("give-up", 1))["bad"]
    assert final.status == "FATALLY_FAILED" and final.attempt_id == 1


async def test_platform_errors_retry_with_their_own_limit(engine: Harness) -> None:
    policy = {"platform_retry_limit": 1, "error_retry_limit": 0, "backoff": FIXED_NOW}
    await engine.create(workflow("flaky", step("call", "Http", sub_type="x", retry_policy=policy)))
    await engine.start("flaky")
    assert (await engine.wait("flaky", 1)).status == "SUCCEEDED"
    final = (await engine.steps("flaky", 1))["call"]
    assert final.attempt_id == 2 and final.document["step_retry"]["platform_retries"] == 1


def test_exponential_backoff_arithmetic() -> None:
    from maestoso.engine.runtime.retries import RetryTracker
    from maestoso.models import TypedStep

    stepped = TypedStep.model_validate(
        {
            "id": "a",
            "type": "NoOp",
            "retry_policy": {
                "backoff": {
                    "type": "exponential_backoff",
                    "error_retry_backoff_in_secs": 10,
                    "error_retry_exponent": 3,
                    "error_retry_limit_in_secs": 200,
                }
            },
        }
    )
    tracker = RetryTracker.of(stepped, None)
    assert [tracker.backoff_seconds("error", n) for n in range(4)] == [10, 30, 90, 200]
    assert tracker.backoff_seconds("platform", 2) == 240  # defaults: 60 s x 2^n, cap 3600


async def test_sample_dag_test_2_times_out_with_its_retries(engine: Harness) -> None:
    """sample-dag-test-2 with its durations scaled down (sleep 30 s → 3 s, timeout 100 s →
    1 s, backoff 5 s → 0): job.2 times out on every attempt, 1 + 3 timeout retries."""
    from tests.corpus import require, shared_dir

    sample = json.loads(
        (require(shared_dir() / "maestro-samples") / "sample-dag-test-2.json").read_text()
    )
    steps = {box["step"]["id"]: box["step"] for box in sample["workflow"]["steps"]}
    steps["job.2"]["params"]["sleep_seconds"]["value"] = 3
    steps["job.2"]["timeout"] = "1s"
    steps["job.2"]["retry_policy"]["backoff"]["timeout_retry_backoff_in_secs"] = 0
    steps["job.3"]["params"]["sleep_seconds"]["value"] = 1
    await engine.create(sample)
    await engine.start("sample-dag-test-2")
    row = await engine.wait("sample-dag-test-2", 1, timeout=30)
    job2 = (await engine.steps("sample-dag-test-2", 1))["job.2"]
    assert job2.status == "TIMED_OUT" and job2.attempt_id == 4
    assert job2.document["step_retry"]["timeout_retries"] == 3
    assert row.status == "TIMED_OUT"
    assert (await engine.steps("sample-dag-test-2", 1))["job.3"].status == "SUCCEEDED"


async def test_a_one_hour_step_timeout_takes_virtual_time_only(engine: Harness) -> None:
    began = time.monotonic()
    await engine.create(workflow("hour", nap(2 * 3600, timeout=3600)))
    await engine.start("hour")
    assert (await engine.wait("hour", 1)).status == "TIMED_OUT"
    nap_row = (await engine.steps("hour", 1))["nap"]
    assert nap_row.status == "TIMED_OUT" and nap_row.document["timeout_in_millis"] == 3_600_000
    state = nap_row.runtime_state
    assert state["end_time"] - state["create_time"] == 3_600_000
    assert time.monotonic() - began < 5  # hours of virtual time, a moment of real time


async def test_exponential_backoff_waits_exactly_the_computed_delays(engine: Harness) -> None:
    backoff = {
        "type": "exponential_backoff",
        "error_retry_backoff_in_secs": 10,
        "error_retry_exponent": 3,
        "error_retry_limit_in_secs": 200,
    }
    policy = {"error_retry_limit": 4, "backoff": backoff}
    await engine.create(workflow("backoff", step("bad", "Titus", retry_policy=policy)))
    await engine.start("backoff")
    await engine.wait("backoff", 1)
    starts = []
    for attempt in range(1, 6):
        row = await engine.store.get_step_attempt("backoff", 1, 1, "bad", attempt)
        assert row is not None
        starts.append(row.runtime_state["start_time"])
    assert [b - a for a, b in itertools.pairwise(starts)] == [
        10_000,
        30_000,
        90_000,
        200_000,
    ]
