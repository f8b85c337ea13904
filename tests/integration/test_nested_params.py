"""``params.getFromForeach`` and ``params.getFromSubworkflow`` over a real engine and store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.integration.engine_support import Harness, harness
from tests.integration.test_foreach import foreach, noop, workflow


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Harness]:
    async with harness(database_url) as running:
        yield running


async def test_get_from_foreach_lists_every_iteration(engine: Harness) -> None:
    loops = {"i": {"type": "LONG_ARRAY", "value": [1, 2, 3]}}
    inner = noop("inner", params={"v": {"type": "LONG", "expression": "i * 10"}})
    reader = noop(
        "reader",
        params={
            "all": {
                "type": "LONG_ARRAY",
                "expression": "params.getFromForeach('loop', 'inner', 'v')",
            }
        },
    )
    await engine.create(
        workflow(
            "fan",
            foreach("loop", loops, inner, transition={"successors": {"reader": "true"}}),
            reader,
        )
    )
    await engine.start("fan")
    assert (await engine.wait("fan", 1)).status == "SUCCEEDED"
    params = (await engine.steps("fan", 1))["reader"].document["params"]
    assert params["all"]["evaluated_result"] == [10, 20, 30]


async def test_get_from_subworkflow_reads_the_child_instance(engine: Harness) -> None:
    child = noop("c", params={"p": {"type": "STRING", "value": "from the child"}})
    await engine.create(workflow("child", child))
    sub = {
        "subworkflow": {
            "id": "sub",
            "transition": {"successors": {"reader": "true"}},
            "params": {"subworkflow_id": {"type": "STRING", "value": "child"}},
        }
    }
    reader = noop(
        "reader",
        params={
            "got": {"type": "STRING", "expression": "params.getFromSubworkflow('sub', 'c', 'p')"}
        },
    )
    await engine.create(workflow("parent", sub, reader))
    await engine.start("parent")
    assert (await engine.wait("parent", 1)).status == "SUCCEEDED"
    params = (await engine.steps("parent", 1))["reader"].document["params"]
    assert params["got"]["evaluated_result"] == "from the child"
