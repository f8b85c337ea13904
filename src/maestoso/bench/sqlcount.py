"""How many SQL statements and transactions one start request costs, in the request and after.

``python -m maestoso.bench.sqlcount [--count N] [--database-url URL]`` runs ``maestoso server``
with SQLAlchemy event hooks that log every statement and transaction to a file, sends ``N``
start requests of a one-NoOp-step workflow one at a time, each followed by a pause in which
the engine runs the instance, and attributes the statements by time: those between sending a
request and its answer belong to the request, those in the pause to the engine. A quiet
window measured first gives the background rate (heartbeats, the queue worker's polls), which
is subtracted from the pauses. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from maestoso.bench.server import free_port, wait_ready

API = "/api/v3/workflows"
TRACE = "MAESTOSO_BENCH_SQL_TRACE"
WORKFLOW: dict[str, Any] = {
    "properties": {"owner": "bench"},
    "workflow": {"id": "bench-sql", "steps": [{"step": {"id": "a", "type": "NoOp"}}]},
}


def _serve_traced(trace: Path, argv: list[str]) -> None:
    """Run ``maestoso`` with every statement and transaction appended to ``trace``."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    out = trace.open("a", buffering=1)

    def log(kind: str, text: str = "") -> None:
        out.write(f"{time.monotonic():.6f}\t{kind}\t{' '.join(text.split())[:72]}\n")

    # Hooks on the Engine class reach every engine, including the sync engines under the
    # async ones the store opens.
    event.listen(Engine, "before_cursor_execute", lambda *a, **_: log("SQL", a[2]))
    event.listen(Engine, "begin", lambda *_: log("BEGIN"))
    event.listen(Engine, "commit", lambda *_: log("COMMIT"))
    event.listen(Engine, "rollback", lambda *_: log("ROLLBACK"))
    sys.argv = ["maestoso", *argv]
    runpy.run_module("maestoso.cli", run_name="__main__")


def _read(trace: Path) -> list[tuple[float, str, str]]:
    rows = []
    for line in trace.read_text().splitlines():
        moment, kind, text = [*line.split("\t", 2), ""][:3]
        rows.append((float(moment), kind, text))
    return rows


def measure(count: int, url: str | None, pause: float = 0.5) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="maestoso-bench-") as home:
        trace = Path(home) / "sql.trace"
        port = free_port()
        env = {**os.environ, "MAESTOSO_HOME": home, "MAESTOSO_NODE_ID": "bench", TRACE: "1"}
        env.pop("MAESTOSO_DATABASE_URL", None)
        if url:
            env["MAESTOSO_DATABASE_URL"] = url
        command = [sys.executable, "-m", "maestoso.bench.sqlcount", "--serve", str(trace)]
        command += ["--", "server", "--port", str(port)]
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        windows: list[tuple[float, float, float]] = []
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(base)
            with httpx.Client(base_url=base, timeout=60, headers={"user": "bench"}) as http:
                http.post(API, json=WORKFLOW).raise_for_status()
                start = f"{API}/bench-sql/versions/latest/actions/start"
                body = {"initiator": {"type": "manual"}}
                for _ in range(3):
                    http.post(start, json=body).raise_for_status()
                time.sleep(1)
                quiet = (time.monotonic(), 0.0)
                time.sleep(3)
                quiet = (quiet[0], time.monotonic())
                for _ in range(count):
                    sent = time.monotonic()
                    http.post(start, json=body).raise_for_status()
                    answered = time.monotonic()
                    time.sleep(pause)
                    windows.append((sent, answered, time.monotonic()))
        finally:
            process.terminate()
            process.wait(timeout=30)
        rows = _read(trace)
    return _attribute(rows, quiet, windows, url)


def _attribute(
    rows: list[tuple[float, str, str]],
    quiet: tuple[float, float],
    windows: list[tuple[float, float, float]],
    url: str | None,
) -> dict[str, Any]:
    def within(low: float, high: float) -> list[tuple[float, str, str]]:
        return [r for r in rows if low <= r[0] < high]

    background = within(*quiet)
    seconds = quiet[1] - quiet[0]
    request: list[tuple[float, str, str]] = []
    after: list[tuple[float, str, str]] = []
    after_seconds = 0.0
    for sent, answered, done in windows:
        request += within(sent, answered)
        after += within(answered, done)
        after_seconds += done - answered
    n = len(windows)

    def per(kind: str, events: list[tuple[float, str, str]]) -> float:
        return sum(1 for e in events if _kind(e) == kind) / n

    def background_per(kind: str) -> float:
        return sum(1 for e in background if _kind(e) == kind) / seconds * after_seconds / n

    def counts(events: list[tuple[float, str, str]], net: bool) -> dict[str, float]:
        kinds = {"SQL": "reads", "WRITE": "writes", "COMMIT": "commits", "ROLLBACK": "rollbacks"}
        return {
            name: round(per(k, events) - (background_per(k) if net else 0), 2)
            for k, name in kinds.items()
        }

    def top(events: list[tuple[float, str, str]]) -> list[tuple[str, float]]:
        heads = collections.Counter(e[2] for e in events if e[1] == "SQL")
        return [(head, round(c / n, 2)) for head, c in heads.most_common(25)]

    return {
        "database": "postgresql" if url else "sqlite",
        "starts": n,
        "per_start_in_request": counts(request, net=False),
        "per_start_after": counts(after, net=True),
        "background_per_second": {
            k: round(v * n / seconds, 2) for k, v in counts(background, net=False).items()
        },
        "request_statements": top(request),
        "after_statements": top(after),
    }


def _kind(event: tuple[float, str, str]) -> str:
    """``WRITE`` for a statement that changes rows, so that reads and writes count apart."""
    if event[1] == "SQL" and event[2].split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
        return "WRITE"
    return event[1]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--serve"]:
        _serve_traced(Path(args[1]), args[3:])
        return
    parser = argparse.ArgumentParser(prog="python -m maestoso.bench.sqlcount")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parsed = parser.parse_args(args)
    print(json.dumps(measure(parsed.count, parsed.database_url)))


if __name__ == "__main__":
    main()
