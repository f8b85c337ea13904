"""Workloads measured the way a user meets the system: through the REST API of a real server.

``python -m maestoso.bench.rest WORKLOAD [--count N] [--database-url URL] [--preload N]
[--py-spy FILE]`` starts ``maestoso server`` in a subprocess on a fresh database (with
``--preload``, holding that many finished runs of the measured workflow), drives it over
HTTP from one keep-alive connection, and prints one JSON line: ``{"rows": [...]}``, one row
per measure.

Where a figure is the time a run took, it is the server's own ``end_time`` minus the
request's send time (both epoch ms on the one machine), so that the polling interval of the
client does not inflate it; the polling only decides how soon the client notices.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from maestoso.bench.engine import chain, diamond, fan_out
from maestoso.bench.preload import preload
from maestoso.bench.rest_calls import (
    API,
    TERMINAL,
    background,
    create,
    instances,
    noop_workflow,
    now_ms,
    overall,
    sleep_workflow,
    start,
    wait_run,
    with_id,
)
from maestoso.bench.server import Server, running

WARM_UP = 10
"""Requests sent before measuring: the first ones pay for lazy imports and cold caches."""
BACKGROUND_RATE = 5.0
SLEEPERS = 3


@dataclass(frozen=True, slots=True)
class Row:
    workload: str
    measure: str
    count: int
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    seconds: float
    status: str
    database: str = ""
    peak_rss_mb: float = 0.0
    server_cpu_s: float = 0.0
    """The server's CPU time over the whole workload (set-up and warm-up included): unlike
    latencies, hardly moved by other processes sharing the machine."""


@dataclass(frozen=True, slots=True)
class Options:
    count: int | None = None
    background_rate: float = BACKGROUND_RATE
    """NoOp runs per second started by a second client during ``start-latency``."""
    sleepers: int = SLEEPERS
    """Long-running Sleep instances in flight during ``start-latency``."""
    preload: int = 0
    """Finished runs of the measured workflow stored before the server starts."""


def percentiles(
    workload: str, measure: str, samples: Sequence[float], seconds: float, status: str
) -> Row:
    """Nearest-rank percentiles (ms) of ``samples``."""
    ordered = sorted(samples)

    def rank(q: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[max(0, min(len(ordered) - 1, int(len(ordered) * q + 0.999) - 1))], 2)

    return Row(
        workload=workload,
        measure=measure,
        count=len(ordered),
        p50_ms=rank(0.5),
        p90_ms=rank(0.9),
        p99_ms=rank(0.99),
        max_ms=round(ordered[-1], 2) if ordered else None,
        seconds=round(seconds, 3),
        status=status,
    )


def start_latency(http: httpx.Client, server: Server, options: Options) -> list[Row]:
    """Start requests one after another while other runs execute; each request is paired
    with a ``GET …/versions/latest``, the floor of the HTTP stack under the same load."""
    count = options.count or 1000
    measured = create(http, noop_workflow("bench-start"))
    other = create(http, noop_workflow("bench-background"))
    sleeper = create(http, sleep_workflow("bench-sleep", 3600))
    for _ in range(options.sleepers):
        start(http, sleeper)
    for _ in range(WARM_UP):
        http.get(f"{API}/{measured}/versions/latest").raise_for_status()
        start(http, measured)
    floor: list[float] = []
    starts: list[float] = []
    began = time.perf_counter()
    with background(server.base, other, options.background_rate) as others:
        for _ in range(count):
            before = time.perf_counter()
            http.get(f"{API}/{measured}/versions/latest").raise_for_status()
            middle = time.perf_counter()
            start(http, measured)
            starts.append((time.perf_counter() - middle) * 1000)
            floor.append((middle - before) * 1000)
    seconds = time.perf_counter() - began
    load = f"load {len(others) / seconds:.1f} runs/s + {options.sleepers} asleep"
    return [
        percentiles("start-latency", f"GET versions/latest ({load})", floor, seconds, "OK"),
        percentiles("start-latency", f"POST actions/start ({load})", starts, seconds, "OK"),
    ]


def noop_run(http: httpx.Client, server: Server, options: Options) -> list[Row]:
    """One one-NoOp-step run at a time, from the start request to its end."""
    count = options.count or 200
    workflow_id = create(http, noop_workflow("bench-noop"))
    for _ in range(WARM_UP):
        wait_run(http, workflow_id, start(http, workflow_id), 0.01)
    to_start: list[float] = []
    to_end: list[float] = []
    observed: list[float] = []
    statuses: list[str] = []
    began = time.perf_counter()
    answers: list[float] = []
    for _ in range(count):
        sent = now_ms()
        instance_id = start(http, workflow_id)
        answers.append(now_ms() - sent)
        run = wait_run(http, workflow_id, instance_id, 0.01)
        observed.append(now_ms() - sent)
        to_start.append(run["start_time"] - sent)
        to_end.append(run["end_time"] - sent)
        statuses.append(run["status"])
    seconds = time.perf_counter() - began
    status = overall(statuses)
    return [
        percentiles("noop-run", "POST actions/start (no other run)", answers, seconds, status),
        percentiles("noop-run", "request -> start_time", to_start, seconds, status),
        percentiles("noop-run", "request -> end_time", to_end, seconds, status),
        percentiles("noop-run", "request -> seen ended (10 ms polls)", observed, seconds, status),
    ]


def diamonds(http: httpx.Client, server: Server, options: Options) -> list[Row]:
    """``count`` instances of a 5-step diamond started one after another; done when the last
    one ends (the server's latest ``end_time``), polled every 100 ms."""
    count = options.count or 100
    workflow_id = create(http, with_id(diamond(), "bench-diamond"))
    starts: list[float] = []
    sent: dict[int, float] = {}
    first = now_ms()
    for _ in range(count):
        before = now_ms()
        instance_id = start(http, workflow_id)
        starts.append(now_ms() - before)
        sent[instance_id] = before
    while True:
        # Only this workload's runs: a database given by URL may hold earlier ones.
        runs = [r for r in instances(http, workflow_id) if r["workflow_instance_id"] in sent]
        if len(runs) == count and all(r["status"] in TERMINAL for r in runs):
            break
        time.sleep(0.1)
    last = max(r["end_time"] for r in runs)
    seconds = (last - first) / 1000
    status = overall([r["status"] for r in runs])
    per_run = [r["end_time"] - sent[r["workflow_instance_id"]] for r in runs]
    name = "diamond-http-x100"
    return [
        percentiles(name, "POST actions/start", starts, seconds, status),
        percentiles(name, "each run: request -> end_time", per_run, seconds, status),
        Row(
            name,
            f"first request -> last end_time ({5 * count / seconds:.0f} steps/s)",
            count,
            p50_ms=None,
            p90_ms=None,
            p99_ms=None,
            max_ms=None,
            seconds=round(seconds, 3),
            status=status,
        ),
    ]


def _one_big_run(
    name: str, definition: Callable[[], dict[str, Any]], steps: int
) -> Callable[[httpx.Client, Server, Options], list[Row]]:
    def run(http: httpx.Client, server: Server, options: Options) -> list[Row]:
        count = options.count or 3
        workflow_id = create(http, with_id(definition(), f"bench-{name}"))
        to_end: list[float] = []
        statuses: list[str] = []
        began = time.perf_counter()
        for _ in range(count):
            sent = now_ms()
            run = wait_run(http, workflow_id, start(http, workflow_id), 0.05)
            to_end.append(run["end_time"] - sent)
            statuses.append(run["status"])
        seconds = time.perf_counter() - began
        per_step = min(to_end) / steps
        label = f"request -> end_time ({per_step:.2f} ms/step at best)"
        return [percentiles(name, label, to_end, seconds, overall(statuses))]

    return run


@dataclass(frozen=True, slots=True)
class HttpWorkload:
    name: str
    description: str
    run: Callable[[httpx.Client, Server, Options], list[Row]]
    measured: dict[str, Any] | None = None
    """The definition of the workflow it starts, for ``--preload``."""


HTTP_WORKLOADS = {
    w.name: w
    for w in (
        HttpWorkload(
            "start-latency",
            "1,000 start requests in a row while other runs execute, and GET versions/latest",
            start_latency,
            noop_workflow("bench-start"),
        ),
        HttpWorkload(
            "noop-run",
            "200 one-NoOp-step runs, one at a time",
            noop_run,
            noop_workflow("bench-noop"),
        ),
        HttpWorkload(
            "diamond-http-x100",
            "100 5-step NoOp diamonds started one after another, PARALLEL 100",
            diamonds,
        ),
        HttpWorkload(
            "chain-300-http",
            "3 runs of a chain of 300 NoOp steps",
            _one_big_run("chain-300-http", chain, 300),
        ),
        HttpWorkload(
            "fan-out-298-http",
            "3 runs of 1 -> 298 -> 1 NoOp steps",
            _one_big_run("fan-out-298-http", fan_out, 300),
        ),
    )
}


def measure(name: str, url: str | None, options: Options, py_spy: Path | None = None) -> list[Row]:
    workload = HTTP_WORKLOADS[name]
    database = "postgresql" if url and url.startswith("postgres") else "sqlite"
    prepare = None
    if options.preload:
        definition = workload.measured
        if definition is None:
            raise ValueError(f"{name} does not take --preload")

        def prepare(home: Path) -> None:
            asyncio.run(preload(url, home, definition, options.preload))

    with running(url, py_spy, prepare) as server:
        with httpx.Client(base_url=server.base, timeout=60, headers={"user": "bench"}) as http:
            cpu = server.cpu_seconds()
            rows = workload.run(http, server, options)
            cpu = round(server.cpu_seconds() - cpu, 2)
        rss = server.peak_rss_mb()
    stored = f" [{options.preload:,} runs stored before]" if options.preload else ""
    return [
        _replace(
            row, database=database, peak_rss_mb=rss, server_cpu_s=cpu, measure=row.measure + stored
        )
        for row in rows
    ]


def _replace(row: Row, **changes: Any) -> Row:
    return Row(**{**asdict(row), **changes})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m maestoso.bench.rest", description=__doc__)
    parser.add_argument("workload", choices=sorted(HTTP_WORKLOADS))
    parser.add_argument("--count", type=int, default=None, help="requests, runs or instances")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--background-rate", type=float, default=BACKGROUND_RATE)
    parser.add_argument("--sleepers", type=int, default=SLEEPERS)
    parser.add_argument(
        "--preload",
        type=int,
        default=0,
        help="store this many finished runs of the measured workflow first (bulk inserts)",
    )
    parser.add_argument(
        "--py-spy",
        type=Path,
        default=None,
        help="profile the server with py-spy record into this file (.svg, .json or raw text)",
    )
    args = parser.parse_args(argv)
    options = Options(args.count, args.background_rate, args.sleepers, args.preload)
    rows = measure(args.workload, args.database_url, options, args.py_spy)
    print(json.dumps({"rows": [asdict(row) for row in rows]}))


if __name__ == "__main__":
    main()
