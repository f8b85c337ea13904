"""The cluster benchmark end to end, with a tiny load on one node: its figures come from the
node's /metrics and add up."""

from __future__ import annotations

import pytest
from tests.conftest import PostgresServer

from maestoso.bench import cluster
from maestoso.config import Settings

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_one_node_under_a_small_load(postgres_server: PostgresServer) -> None:
    load = cluster.Load(rate=5, seconds=2, steps=3, timeout=60)
    url = postgres_server.create_database()
    try:
        row = cluster.measure(url, 1, load)
    finally:
        postgres_server.drop_database(url)

    assert row.status == f"{row.runs} SUCCEEDED" and row.runs == 10
    assert row.steps == row.runs * 3, "steps counted from the node's metrics, warm-up left out"
    [node] = row.per_node
    # a single node holds every flow group
    assert (node.node, node.steps, node.groups) == ("node-1", row.steps, Settings().flow_groups)
    assert row.commits_per_step > 0 and row.statements_per_step >= 1
    assert 0 < row.run_p50_ms <= row.run_p99_ms
    assert row.db_ms_per_step > 0 and row.node_cpu_ms_per_step > 0


def test_a_chain_of_noop_steps_runs_in_parallel() -> None:
    definition = cluster.definition(4)
    steps = [s["step"] for s in definition["workflow"]["steps"]]
    assert [s["id"] for s in steps] == ["s0", "s1", "s2", "s3"]
    assert definition["workflow"]["id"] == cluster.WORKFLOW
    assert definition["properties"]["run_strategy"]["rule"] == "parallel"
