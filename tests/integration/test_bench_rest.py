"""The benchmarks through the REST API run end to end against a real server, with tiny counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from maestoso.bench import rest, sqlcount
from maestoso.bench.preload import preload
from maestoso.bench.rest_calls import noop_workflow
from maestoso.cli import app
from maestoso.store import open_store

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("name", "count", "measures"),
    [
        ("start-latency", 5, 2),
        ("noop-run", 5, 4),
        ("diamond-http-x100", 5, 3),
        ("chain-300-http", 1, 1),
        ("fan-out-298-http", 1, 1),
    ],
)
def test_workload_runs_end_to_end(name: str, count: int, measures: int) -> None:
    options = rest.Options(count=count, background_rate=5, sleepers=1)
    rows = rest.measure(name, None, options)
    assert len(rows) == measures
    assert all(r.workload == name and r.database == "sqlite" for r in rows)
    assert all(r.status in ("OK", "SUCCEEDED") for r in rows), rows
    assert all(r.peak_rss_mb > 0 and r.seconds > 0 and r.server_cpu_s > 0 for r in rows)
    timed = [r for r in rows if r.p50_ms is not None]
    assert timed and all(r.count == count for r in timed)
    assert all(0 < (r.p50_ms or 0) <= (r.p99_ms or 0) <= (r.max_ms or 0) for r in timed)


def test_bench_command_prints_the_table() -> None:
    result = CliRunner().invoke(app, ["bench", "noop-run", "--requests", "5"])
    assert result.exit_code == 0, result.output
    assert "Through the REST API" in result.output
    assert "request -> end_time" in result.output


def test_percentiles_take_the_nearest_rank() -> None:
    row = rest.percentiles("w", "m", [float(n) for n in range(100, 0, -1)], 1.0, "OK")
    assert (row.p50_ms, row.p90_ms, row.p99_ms, row.max_ms) == (50.0, 90.0, 99.0, 100.0)
    assert rest.percentiles("w", "m", [], 1.0, "OK").p50_ms is None


def test_sql_count_attributes_statements_to_the_request_and_the_engine() -> None:
    # a pause long enough for the engine to end each run even on a loaded machine
    figures = sqlcount.measure(2, None, pause=1.5)
    assert figures["starts"] == 2
    # the start request reads the workflow and its version and writes the instance and its
    # queue event in one transaction; the engine then runs the instance
    assert figures["per_start_in_request"]["writes"] >= 2
    assert figures["per_start_in_request"]["commits"] >= 1
    # the run may end before or after the answer, and the background's writes are
    # subtracted on average: only the sum of both windows is steady (the workflow's update,
    # the instance, the step and the run's end, less a fraction of a heartbeat)
    request, after = figures["per_start_in_request"], figures["per_start_after"]
    assert request["writes"] + after["writes"] >= 3
    heads = [head for head, _ in figures["request_statements"]]
    assert any(h.startswith("INSERT INTO maestro_workflow_instance") for h in heads)


def test_bench_command_counts_signals_as_asked() -> None:
    result = CliRunner().invoke(app, ["bench", "signals", "--requests", "5"])
    assert result.exit_code == 0, result.output
    assert "Signals announced" in result.output
    assert "│ 5 " in result.output


def test_a_preloaded_workload_starts_after_the_stored_runs() -> None:
    options = rest.Options(count=3, background_rate=0, sleepers=0, preload=120)
    rows = rest.measure("start-latency", None, options)
    assert all("[120 runs stored before]" in r.measure for r in rows)
    assert all(r.count == 3 for r in rows)


async def test_preload_stores_copies_of_one_real_run(tmp_path: Path) -> None:
    await preload(None, tmp_path, noop_workflow("stored"), 120)
    store = await open_store(None, tmp_path)
    try:
        workflow = await store.get_workflow("stored")
        counts = await store.count_instances("stored")
        failed = await store.get_instance("stored", 100)
        steps = await store.get_step_attempts("stored", 120, 1)
    finally:
        await store.close()
    assert workflow is not None and workflow.latest_instance_id == 120
    assert counts == {"FAILED": 2, "SUCCEEDED": 118}
    assert failed is not None and failed.status == "FAILED"
    assert [s.status for s in steps] == ["SUCCEEDED"]
