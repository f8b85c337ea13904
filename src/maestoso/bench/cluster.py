"""N real server nodes on one PostgreSQL database, under a steady load through the REST API.

``python -m maestoso.bench.cluster --nodes 1,2,3 --database-url postgresql://…`` runs, for
each node count, on a scratch database made on that server: it starts the nodes (each a
``maestoso server`` process with its own name), offers ``--rate`` runs a second of a chain
of ``--steps`` NoOp steps for ``--seconds``, spread evenly over the nodes' APIs, waits until
every run has ended, and prints one JSON line ``{"rows": [...]}``, one row per node count.

The figures come from the nodes' own ``/metrics`` (before and after the load, so set-up and
warm-up are left out): steps each node ran, the groups it held, its CPU, its statements' time
and its commits; and, read from ``/proc``, the CPU of the PostgreSQL backends serving the
scratch database. Throughput is steps over the time from the first start request to the
last run's ``end_time``. Nodes and PostgreSQL share this machine's cores, so the figures
are a lower bound of what separate machines reach; docs/cluster.md turns them into a
capacity model.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from maestoso.bench.engine import chain
from maestoso.bench.scratch import scratch_database
from maestoso.bench.server import free_port, spawn, wait_ready
from maestoso.models.properties import WORKFLOW_CONCURRENCY_MAX

API = "/api/v3/workflows"
WORKFLOW = "bench-cluster"
START_BODY: dict[str, Any] = {"initiator": {"type": "manual"}}
WARM_UP_RUNS = 2
"""Runs started through each node before measuring (imports, caches, pooled connections)."""
WARM_UP_WAIT_SECONDS = 15.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


RATE = 20.0
SECONDS = 20.0
STEPS = 10


@dataclass(frozen=True, slots=True)
class Load:
    rate: float = RATE
    """Runs a second offered, over all nodes."""
    seconds: float = SECONDS
    steps: int = STEPS
    timeout: float = 60.0
    """The longest wait for the last run to end after the load."""


@dataclass(frozen=True, slots=True)
class NodeFigures:
    node: str
    steps: int
    groups: int
    cpu_seconds: float


@dataclass(frozen=True, slots=True)
class Row:
    nodes: int
    runs: int
    steps: int
    offered_steps_per_s: float
    steps_per_s: float
    seconds: float
    run_p50_ms: float
    run_p99_ms: float
    db_ms_per_step: float
    """Time in SQL statements (all nodes, the start requests included) per step."""
    commits_per_step: float
    statements_per_step: float
    node_cpu_ms_per_step: float
    postgres_cpu_ms_per_step: float
    per_node: list[NodeFigures]
    status: str
    load_average: float
    """This machine's 1-minute load average at the end (other work on the same cores)."""


def definition(steps: int) -> dict[str, Any]:
    """A chain of ``steps`` NoOp steps whose runs all run at once."""
    request = chain(steps)
    request["properties"]["run_strategy"] = {
        "rule": "parallel",
        "workflow_concurrency": WORKFLOW_CONCURRENCY_MAX,
    }
    return {**request, "workflow": {**request["workflow"], "id": WORKFLOW}}


# -- the nodes -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    base: str


@contextmanager
def cluster(url: str, count: int) -> Iterator[list[Node]]:
    """``count`` nodes on ``url``; the first one migrates the database before the others
    start."""
    with ExitStack() as stack:
        nodes: list[Node] = []
        for n in range(1, count + 1):
            home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="maestoso-node-")))
            port = free_port()
            process = spawn(home, port, url, node_id=f"node-{n}")
            stack.callback(_stop, process)
            nodes.append(Node(f"node-{n}", f"http://127.0.0.1:{port}"))
            wait_ready(nodes[-1].base, timeout=60)
        yield nodes


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=60)


def scrape(node: Node) -> Samples:
    response = httpx.get(f"{node.base}/metrics", timeout=30)
    response.raise_for_status()
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s series whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


# -- PostgreSQL's side ---------------------------------------------------------------------------


def backend_cpu(database: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend connected to ``database``, by pid
    (none where ``/proc`` cannot tell: another machine, another OS)."""
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not command.startswith("postgres: ") or f" {database} " not in command:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return used


class PostgresCpu:
    """The CPU the backends serving ``database`` use during a block, sampled every 0.2 s: a
    backend that exits meanwhile (a pool's overflow connection) counts up to its last
    sample."""

    def __init__(self, database: str) -> None:
        self._database = database
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PostgresCpu:
        self._first = backend_cpu(self._database)
        self._last = dict(self._first)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._last.update(backend_cpu(self._database))

    @property
    def seconds(self) -> float:
        return sum(used - self._first.get(pid, 0.0) for pid, used in self._last.items())

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self._last.update(backend_cpu(self._database))


# -- the load ------------------------------------------------------------------------------------


def start(http: httpx.Client) -> int:
    response = http.post(f"{API}/{WORKFLOW}/versions/latest/actions/start", json=START_BODY)
    response.raise_for_status()
    return int(response.json()["workflow_instance_id"])


def offer(nodes: Sequence[Node], load: Load) -> dict[int, float]:
    """Start runs at ``load.rate`` a second for ``load.seconds``, each node's API taking its
    share on a schedule of its own; the send time (epoch ms) of each run."""
    sent: dict[int, float] = {}
    failures: list[Exception] = []
    began = time.monotonic()
    every = len(nodes) / load.rate

    def stream(node: Node, offset: float) -> None:
        with httpx.Client(base_url=node.base, timeout=60, headers={"user": "bench"}) as http:
            for n in range(int(load.seconds / every)):
                pause = began + offset + n * every - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                at = time.time() * 1000
                try:
                    sent[start(http)] = at
                except Exception as error:  # reported below
                    failures.append(error)
                    return

    threads = [
        threading.Thread(target=stream, args=(node, i * every / len(nodes)), daemon=True)
        for i, node in enumerate(nodes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError("a start request failed") from failures[0]
    return sent


def wait_finished(nodes: Sequence[Node], before: list[Samples], runs: int, timeout: float) -> bool:
    """Whether the nodes concluded ``runs`` more runs than ``before`` within ``timeout``
    (read from /metrics: waiting costs the database nothing). A run that never ends (no
    node runs it) shows in the row's status rather than stopping the measure."""
    done_before = sum(total(s, "maestoso_flows_finished_total") for s in before)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = sum(total(scrape(n), "maestoso_flows_finished_total") for n in nodes)
        if done - done_before >= runs:
            return True
        time.sleep(0.25)
    return False


def runs_of(node: Node) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    params: dict[str, Any] = {"first": 200, "aggregated": "false"}
    with httpx.Client(base_url=node.base, timeout=60, headers={"user": "bench"}) as http:
        while True:
            page = http.get(f"{API}/{WORKFLOW}/instances", params=params).json()
            elements += page["elements"]
            if not page["page_info"]["has_next_page"]:
                return elements
            params["cursor"] = page["page_info"]["end_cursor"]


def measure(url: str, count: int, load: Load) -> Row:
    database = url.rsplit("/", 1)[1].split("?")[0]
    with cluster(url, count) as nodes:
        with httpx.Client(base_url=nodes[0].base, timeout=60, headers={"user": "bench"}) as http:
            http.post(API, json=definition(load.steps)).raise_for_status()
        warm = offer(nodes, Load(rate=10.0, seconds=WARM_UP_RUNS * count / 10.0))
        wait_finished(nodes, [{} for _ in nodes], len(warm), WARM_UP_WAIT_SECONDS)
        before = [scrape(n) for n in nodes]
        with PostgresCpu(database) as postgres:
            sent = offer(nodes, load)
            wait_finished(nodes, before, len(sent), load.timeout)
            after = [scrape(n) for n in nodes]
        runs = {
            r["workflow_instance_id"]: r
            for r in runs_of(nodes[0])
            if r["workflow_instance_id"] in sent
        }
    return _row(count, load, nodes, sent, runs, before, after, postgres.seconds)


def _row(
    count: int,
    load: Load,
    nodes: Sequence[Node],
    sent: dict[int, float],
    runs: dict[int, dict[str, Any]],
    before: list[Samples],
    after: list[Samples],
    postgres_cpu: float,
) -> Row:
    def delta(name: str, i: int, **labels: str) -> float:
        return total(after[i], name, **labels) - total(before[i], name, **labels)

    def summed(name: str, **labels: str) -> float:
        return sum(delta(name, i, **labels) for i in range(len(nodes)))

    steps = int(summed("maestoso_step_attempts_total", status="SUCCEEDED"))
    ended = {i: r for i, r in runs.items() if r.get("end_time")}
    last = max((r["end_time"] for r in ended.values()), default=min(sent.values()))
    seconds = max(last - min(sent.values()), 1) / 1000
    latencies = sorted(r["end_time"] - sent[i] for i, r in ended.items())
    per_node = [
        NodeFigures(
            node=node.name,
            steps=int(delta("maestoso_step_attempts_total", i, status="SUCCEEDED")),
            groups=int(total(after[i], "maestoso_flow_groups_owned", node=node.name)),
            cpu_seconds=round(delta("process_cpu_seconds_total", i), 2),
        )
        for i, node in enumerate(nodes)
    ]
    statuses = Counter(r["status"] for r in runs.values())
    per_step = 1000 / max(steps, 1)
    return Row(
        nodes=count,
        runs=len(runs),
        steps=steps,
        offered_steps_per_s=round(load.rate * load.steps, 1),
        steps_per_s=round(steps / seconds, 1),
        seconds=round(seconds, 2),
        run_p50_ms=_rank(latencies, 0.5),
        run_p99_ms=_rank(latencies, 0.99),
        db_ms_per_step=round(summed("maestoso_db_query_seconds_sum") * per_step, 3),
        commits_per_step=round(summed("maestoso_db_commits_total") / max(steps, 1), 3),
        statements_per_step=round(summed("maestoso_db_query_seconds_count") / max(steps, 1), 2),
        node_cpu_ms_per_step=round(summed("process_cpu_seconds_total") * per_step, 3),
        postgres_cpu_ms_per_step=round(postgres_cpu * per_step, 3),
        per_node=per_node,
        status=", ".join(f"{n} {status}" for status, n in sorted(statuses.items())),
        load_average=round(os.getloadavg()[0], 1),
    )


def _rank(ordered: Sequence[float], q: float) -> float:
    if not ordered:
        return 0.0
    return round(ordered[max(0, min(len(ordered) - 1, int(len(ordered) * q + 0.999) - 1))], 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m maestoso.bench.cluster", description=__doc__)
    parser.add_argument("--nodes", default="1,2,3", help="node counts, comma-separated")
    parser.add_argument(
        "--database-url", required=True, help="a PostgreSQL server (scratch databases on it)"
    )
    parser.add_argument("--rate", type=float, default=RATE, help="runs a second offered")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="length of the load")
    parser.add_argument("--steps", type=int, default=STEPS, help="NoOp steps per run")
    args = parser.parse_args(argv)
    load = Load(rate=args.rate, seconds=args.seconds, steps=args.steps)
    rows = []
    for count in (int(n) for n in args.nodes.split(",") if n.strip()):
        with scratch_database(args.database_url, "maestoso_bench_cluster") as url:
            rows.append(measure(url, count, load))
    print(json.dumps({"rows": [asdict(row) for row in rows]}))


if __name__ == "__main__":
    main()
