"""The flow and task actors on ``MemoryStore``: DAG order, conditional transitions, the
propagation of UNSATISFIED, joins and the three failure modes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.unit.engine.actors import Engine, engine_on_memory, step, workflow

from maestoso.store.records import StepAttemptRow


@pytest.fixture
async def engine() -> AsyncIterator[Engine]:
    async with engine_on_memory() as running:
        yield running


async def test_a_chain_runs_in_order_and_succeeds(engine: Engine) -> None:
    body = workflow(
        "chain", step("a", successors={"b": "true"}), step("b", successors={"c": "true"}), step("c")
    )

    row = await engine.run(body)

    assert row.status == "SUCCEEDED"
    assert engine.runtime.started == ["a", "b", "c"]
    assert await engine.steps("chain", 1) == dict.fromkeys("abc", "SUCCEEDED")


async def test_a_join_waits_for_every_branch(engine: Engine) -> None:
    engine.runtime.script("slow", "hold")
    body = workflow(
        "join",
        step("a", successors={"slow": "true", "fast": "true"}),
        step("slow", successors={"join": "true"}),
        step("fast", successors={"join": "true"}),
        step("join"),
    )
    await engine.create(body)
    await engine.start("join")
    await engine.wait_step("join", 1, "fast", "SUCCEEDED")

    assert "join" not in await engine.steps("join", 1)

    engine.runtime.release("slow")
    row = await engine.wait("join", 1)
    assert row.status == "SUCCEEDED"
    assert engine.runtime.started[-1] == "join"


async def test_a_false_condition_leaves_its_branch_unsatisfied(engine: Engine) -> None:
    body = workflow(
        "branches",
        step(
            "a",
            successors={"yes": "x > 10", "no": "x <= 10"},
            params={"x": {"type": "LONG", "value": 15}},
        ),
        step("yes", successors={"after": "true"}),
        step("no", successors={"after": "true"}),
        step("after"),
    )

    row = await engine.run(body)

    steps = await engine.steps("branches", 1)
    assert (steps["yes"], steps["no"], steps["after"]) == ("SUCCEEDED", "UNSATISFIED", "SUCCEEDED")
    assert row.status == "SUCCEEDED"
    assert "no" not in engine.runtime.started


async def test_unsatisfied_propagates_down_a_chain(engine: Engine) -> None:
    body = workflow(
        "unsatisfied",
        step("a", successors={"b": "false"}),
        step("b", successors={"c": "true"}),
        step("c"),
    )

    row = await engine.run(body)

    assert await engine.steps("unsatisfied", 1) == {
        "a": "SUCCEEDED",
        "b": "UNSATISFIED",
        "c": "UNSATISFIED",
    }
    assert row.status == "SUCCEEDED"
    assert engine.runtime.started == ["a"]


async def test_a_join_after_an_unsatisfied_branch_still_runs(engine: Engine) -> None:
    body = workflow(
        "half",
        step("a", successors={"left": "true", "right": "false"}),
        step("left", successors={"join": "true"}),
        step("right", successors={"join": "true"}),
        step("join"),
    )

    row = await engine.run(body)

    steps = await engine.steps("half", 1)
    assert (steps["right"], steps["join"]) == ("UNSATISFIED", "SUCCEEDED")
    assert row.status == "SUCCEEDED"


async def test_fail_after_running_lets_other_branches_finish(engine: Engine) -> None:
    engine.runtime.script("bad", "fail")
    engine.runtime.script("other", "hold")
    body = workflow(
        "after-running",
        step("bad", successors={"after_bad": "true"}, retry_policy={"error_retry_limit": 0}),
        step("after_bad"),
        step("other"),
    )
    await engine.create(body)
    await engine.start("after-running")
    await engine.wait_step("after-running", 1, "bad", "FATALLY_FAILED")

    still = await engine.store.get_instance("after-running", 1)
    engine.runtime.release("other")
    row = await engine.wait("after-running", 1)

    assert still is not None and still.status == "IN_PROGRESS"
    steps = await engine.steps("after-running", 1)
    assert (steps["after_bad"], steps["other"]) == ("UNSATISFIED", "SUCCEEDED")
    assert row.status == "FAILED"


async def test_fail_immediately_stops_the_other_steps(engine: Engine) -> None:
    engine.runtime.script("bad", "fail")
    engine.runtime.script("slow", "hold")
    body = workflow(
        "fast-fail",
        step("bad", failure_mode="fail_immediately", retry_policy={"error_retry_limit": 0}),
        step("slow"),
    )

    row = await engine.run(body)

    assert row.status == "FAILED"
    assert await engine.steps("fast-fail", 1) == {"bad": "FATALLY_FAILED", "slow": "STOPPED"}
    assert engine.runtime.terminated == ["slow"]


async def test_ignore_failure_completes_with_error_and_goes_on(engine: Engine) -> None:
    engine.runtime.script("bad", "fail")
    body = workflow(
        "ignoring",
        step(
            "bad",
            successors={"next": "true"},
            failure_mode="ignore_failure",
            retry_policy={"error_retry_limit": 0},
        ),
        step("next"),
    )

    row = await engine.run(body)

    assert await engine.steps("ignoring", 1) == {"bad": "COMPLETED_WITH_ERROR", "next": "SUCCEEDED"}
    assert row.status == "SUCCEEDED"


async def test_params_flow_from_one_step_to_the_next(engine: Engine) -> None:
    body = workflow(
        "params",
        step("a", successors={"b": "true"}, params={"x": {"type": "LONG", "value": 20}}),
        step("b", params={"y": {"type": "LONG", "expression": "a__x + 1"}}),
    )

    await engine.run(body)

    b = await engine.store.get_step_attempt("params", 1, 1, "b")
    assert b is not None and b.document["params"]["y"]["evaluated_result"] == 21


async def test_final_rows_are_written_before_what_they_start_and_with_the_run_end(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[tuple[list[str], list[str], list[str]]] = []
    save_steps = engine.store.save_steps

    async def recording(attempts: list[StepAttemptRow], **rest: Any) -> int:
        updates = [u.status or "" for u in rest.get("instance_updates") or []]
        steps = [f"{a.step_id}:{a.status}" for a in attempts]
        writes.append((steps, updates, list(engine.runtime.started)))
        return await save_steps(attempts, **rest)

    monkeypatch.setattr(engine.store, "save_steps", recording)
    body = workflow(
        "ordered", step("a", successors={"b": "true", "c": "false"}), step("b"), step("c")
    )

    row = await engine.run(body)

    assert row.status == "SUCCEEDED"
    assert writes == [
        (["a:SUCCEEDED", "c:UNSATISFIED"], [], ["a"]),  # before b starts
        (["b:SUCCEEDED"], ["SUCCEEDED"], ["a", "b"]),  # the last step's row with the run's end
    ]
