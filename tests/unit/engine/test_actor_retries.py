"""Retries, backoff and timeouts of the task actor, in virtual time on ``MemoryStore``: an
hour of timeout passes in a fraction of a second."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.unit.engine.actors import Engine, engine_on_memory, step, workflow

from maestoso.clock import FakeClock

HOUR = 3600
QUARTER = 900


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(auto_advance=True)


@pytest.fixture
async def engine(clock: FakeClock) -> AsyncIterator[Engine]:
    async with engine_on_memory(clock) as running:
        yield running


def fixed(seconds: int) -> dict[str, object]:
    return {
        "type": "fixed_backoff",
        "error_retry_backoff_in_secs": seconds,
        "platform_retry_backoff_in_secs": seconds,
        "timeout_retry_backoff_in_secs": seconds,
    }


async def test_user_errors_retry_after_their_backoff_up_to_the_limit(
    engine: Engine, clock: FakeClock
) -> None:
    engine.runtime.script("bad", "fail", "fail", "fail", "fail")
    policy = {"error_retry_limit": 2, "backoff": fixed(QUARTER)}
    begin = clock.now_ms()

    row = await engine.run(workflow("errors", step("bad", retry_policy=policy)))

    attempts = await engine.store.list_step_attempts("errors", 1, "bad")
    assert [a.status for a in attempts] == ["USER_FAILED", "USER_FAILED", "FATALLY_FAILED"]
    assert attempts[-1].document["step_retry"]["error_retries"] == 2
    assert row.status == "FAILED"
    assert clock.now_ms() - begin >= 2 * QUARTER * 1000


async def test_a_retry_that_succeeds_succeeds_the_step(engine: Engine) -> None:
    engine.runtime.script("flaky", "fail")
    policy = {"error_retry_limit": 3, "backoff": fixed(60)}

    row = await engine.run(workflow("flaky", step("flaky", retry_policy=policy)))

    attempts = await engine.store.list_step_attempts("flaky", 1, "flaky")
    assert [a.status for a in attempts] == ["USER_FAILED", "SUCCEEDED"]
    assert row.status == "SUCCEEDED"


async def test_platform_errors_retry_under_their_own_limit(engine: Engine) -> None:
    engine.runtime.script("shaky", "platform", "platform")
    policy = {"error_retry_limit": 0, "platform_retry_limit": 5, "backoff": fixed(10)}

    row = await engine.run(workflow("shaky", step("shaky", retry_policy=policy)))

    final = await engine.store.get_step_attempt("shaky", 1, 1, "shaky")
    assert final is not None and (final.attempt_id, final.status) == (3, "SUCCEEDED")
    assert final.document["step_retry"]["platform_retries"] == 2
    assert row.status == "SUCCEEDED"


async def test_a_fatal_error_is_not_retried(engine: Engine) -> None:
    engine.runtime.script("doomed", "fatal")
    policy = {"error_retry_limit": 5, "platform_retry_limit": 5, "backoff": fixed(1)}

    row = await engine.run(workflow("doomed", step("doomed", retry_policy=policy)))

    attempts = await engine.store.list_step_attempts("doomed", 1, "doomed")
    assert [a.status for a in attempts] == ["FATALLY_FAILED"]
    assert row.status == "FAILED"


async def test_a_step_timeout_times_the_step_out(engine: Engine, clock: FakeClock) -> None:
    engine.runtime.script("slow", "hold")
    begin = clock.now_ms()

    row = await engine.run(workflow("slow", step("slow", timeout="1 hour")))

    slow = await engine.store.get_step_attempt("slow", 1, 1, "slow")
    assert slow is not None and slow.status == "TIMED_OUT"
    assert slow.document["timeout_in_millis"] == HOUR * 1000
    assert row.status == "TIMED_OUT"
    assert clock.now_ms() - begin >= HOUR * 1000
    assert engine.runtime.terminated == ["slow"]


async def test_timeout_retries_make_new_attempts(engine: Engine) -> None:
    engine.runtime.script("slow", "hold", "hold")
    policy = {"timeout_retry_limit": 1, "backoff": fixed(QUARTER)}

    await engine.run(
        workflow("slow-retry", step("slow", timeout="30 minutes", retry_policy=policy))
    )

    attempts = await engine.store.list_step_attempts("slow-retry", 1, "slow")
    assert [a.status for a in attempts] == ["TIMEOUT_FAILED", "TIMED_OUT"]


async def test_a_workflow_timeout_times_out_its_running_steps(engine: Engine) -> None:
    engine.runtime.script("slow", "hold")

    row = await engine.run(workflow("wf-timeout", step("slow"), timeout="1 hour"))

    assert row.status == "TIMED_OUT"
    assert await engine.steps("wf-timeout", 1) == {"slow": "TIMED_OUT"}
