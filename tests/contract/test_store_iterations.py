"""A step's latest attempts across a range of instances, as flattened foreach views read."""

from __future__ import annotations

from dataclasses import replace

from tests.contract.test_store_children import LOOP, iterations
from tests.contract.test_store_instances import attempt

from maestoso.store import Store


async def test_the_latest_attempt_of_the_latest_run_of_each_instance(store: Store) -> None:
    await store.create_inline_instances(iterations(1, 2, 3, 4, 5))
    await store.create_inline_instances(iterations(2, run_id=2, status="IN_PROGRESS"))
    rows = [
        attempt("job", 1, instance_id=1, status="SUCCEEDED"),
        attempt("job", 1, instance_id=2, status="USER_FAILED"),
        attempt("job", 2, instance_id=2, status="FATALLY_FAILED"),
        attempt("job", 1, instance_id=2, run_id=2, status="RUNNING"),
        attempt("other", 1, instance_id=3, status="SUCCEEDED"),
        attempt("job", 1, instance_id=4, status="SUCCEEDED"),
        attempt("job", 1, instance_id=5, status="SUCCEEDED"),
    ]
    await store.save_steps([replace(row, workflow_id=LOOP) for row in rows])

    found = await store.iteration_steps(LOOP, "job", 1, 4)

    assert [(s.instance_id, s.run_id, s.attempt_id, s.status) for s in found] == [
        (1, 1, 1, "SUCCEEDED"),
        (2, 2, 1, "RUNNING"),
        (4, 1, 1, "SUCCEEDED"),
    ]
    assert found[0].runtime_state["status"] == "SUCCEEDED"
    assert await store.iteration_steps(LOOP, "job", 5, 4) == []
    assert await store.iteration_steps(LOOP, "nope", 1, 5) == []
    assert await store.iteration_steps("elsewhere", "job", 1, 5) == []
