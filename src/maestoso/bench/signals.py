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
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(home: Path, port: int, url: str | None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MAESTOSO_HOME": str(home), "MAESTOSO_NODE_ID": "bench"}
    env.pop("MAESTOSO_DATABASE_URL", None)
    if url:
        env["MAESTOSO_DATABASE_URL"] = url
    command = [sys.executable, "-m", "maestoso.cli", "server", "--port", str(port)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_ready(base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not start")


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
    with tempfile.TemporaryDirectory(prefix="maestoso-bench-") as home:
        port = _free_port()
        process = _serve(Path(home), port, url)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_ready(base)
            figures = announce(base, count)
        finally:
            process.terminate()
            process.wait(timeout=30)
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
