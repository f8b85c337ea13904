"""The ``signals`` workload: announce signals one after another over HTTP to a real server.

``python -m maestoso.bench.signals [--count N] [--database-url URL]`` starts ``maestoso
server`` in a subprocess (the embedded SQLite database in a scratch home by default), posts
``N`` signals in a row on one keep-alive connection (each with two indexed params and a
payload, half of them on a name a signal trigger listens to), and prints one JSON line with
the latency percentiles. Each announce is one transaction: the signal, its params and its
``SIGNAL_ANNOUNCED`` event.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import httpx

from maestoso.bench.server import running

WORKFLOW = {
    "properties": {"owner": "bench"},
    "workflow": {
        "id": "bench-signals",
        "signal_triggers": [
            {
                "definitions": {
                    "bench/a": {"match_params": {"n": {"value": -1, "operator": "<"}}},
                    "bench/b": {},
                }
            }
        ],
        "steps": [{"step": {"id": "a", "type": "NoOp"}}],
    },
}


def announce(base: str, count: int) -> dict[str, Any]:
    latencies = []
    with httpx.Client(base_url=base, timeout=30, headers={"user": "bench"}) as http:
        created = http.post("/api/v3/workflows", json=WORKFLOW)
        created.raise_for_status()
        started = time.perf_counter()
        for n in range(count):
            body = {
                "name": "bench/a" if n % 2 else "bench/other",
                "params": {"n": n, "key": f"k{n % 97}"},
                "source": {"bench": True},
            }
            before = time.perf_counter()
            response = http.post("/api/v3/signals", json=body)
            latencies.append((time.perf_counter() - before) * 1000)
            response.raise_for_status()
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "workload": "signals",
        "signals": count,
        "seconds": round(elapsed, 2),
        "signals_per_second": round(count / elapsed, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2),
        "max_ms": round(ordered[-1], 2),
    }


def measure(count: int, url: str | None) -> dict[str, Any]:
    with running(url) as server:
        figures = announce(server.base, count)
        figures["peak_rss_mb"] = server.peak_rss_mb()
    figures["database"] = "postgresql" if url else "sqlite"
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m maestoso.bench.signals")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.count, args.database_url)))


if __name__ == "__main__":
    main()
