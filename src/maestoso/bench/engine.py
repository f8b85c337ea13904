"""Engine workloads, each timed from the instance's start to its end, in a fresh process.

``python -m maestoso.bench.engine WORKLOAD [--database-url URL]`` prints one JSON line;
``maestoso bench`` runs every workload that way and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from maestoso.clock import Clock, SystemClock
from maestoso.dsl.requests import parse_model
from maestoso.engine import EngineNode, WorkflowService
from maestoso.models import WorkflowCreateRequest
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.statuses import WorkflowStatus
from maestoso.store import Store, open_store


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    description: str
    definition: Callable[[], dict[str, Any]]
    instances: int = 1
    steps: int | None = None
    """Steps run per instance, when it is not the number of top-level steps (loops)."""


@dataclass(frozen=True, slots=True)
class Figures:
    workload: str
    database: str
    instances: int
    steps: int
    seconds: float
    ms_per_step: float
    steps_per_second: float
    peak_rss_mb: float
    status: str


def _noop(step_id: str, successors: list[str]) -> dict[str, Any]:
    step: dict[str, Any] = {"id": step_id, "type": "NoOp"}
    if successors:
        step["transition"] = {"successors": dict.fromkeys(successors, "true")}
    return {"step": step}


def _request(workflow_id: str, steps: list[dict[str, Any]], strategy: Any) -> dict[str, Any]:
    # step_concurrency (20 by default, as in Maestro) would measure the limit, not the engine
    properties = {"owner": "bench", "run_strategy": strategy, "step_concurrency": 1000}
    return {
        "properties": properties,
        "workflow": {"id": workflow_id, "steps": steps},
    }


def chain(length: int = 300) -> dict[str, Any]:
    steps = [_noop(f"s{i}", [f"s{i + 1}"] if i + 1 < length else []) for i in range(length)]
    return _request("bench-chain", steps, "sequential")


def fan_out(width: int = 298) -> dict[str, Any]:
    middle = [f"m{i}" for i in range(width)]
    steps = [_noop("first", middle), *(_noop(m, ["last"]) for m in middle), _noop("last", [])]
    return _request("bench-fan", steps, "sequential")


def diamond() -> dict[str, Any]:
    steps = [
        _noop("a", ["b", "c", "d"]),
        _noop("b", ["e"]),
        _noop("c", ["e"]),
        _noop("d", ["e"]),
        _noop("e", []),
    ]
    return _request("bench-diamond", steps, {"rule": "parallel", "workflow_concurrency": 100})


def foreach(iterations: int) -> Callable[[], dict[str, Any]]:
    """One foreach step over ``iterations`` values, each iteration one NoOp step."""

    def definition() -> dict[str, Any]:
        loop = {
            "foreach": {
                "id": "loop",
                "concurrency": 100,
                "params": {
                    "loop_params": {
                        "type": "MAP",
                        "value": {
                            "i": {
                                "expression": f"Util.intsBetween(0, {iterations}, 1)",
                                "type": "LONG_ARRAY",
                            }
                        },
                    }
                },
                "steps": [_noop("job", [])],
            }
        }
        return _request(f"bench-foreach-{iterations}", [loop], "sequential")

    return definition


WORKLOADS = {
    w.name: w
    for w in (
        Workload("chain-300", "a chain of 300 NoOp steps", chain),
        Workload("fan-out-298", "1 -> 298 -> 1 NoOp steps", fan_out),
        Workload("diamond-x100", "100 instances of a 5-step diamond, PARALLEL 100", diamond, 100),
        Workload(
            "foreach-5k", "a foreach of 5,000 one-NoOp iterations", foreach(5_000), steps=5_001
        ),
        Workload(
            "foreach-25k", "a foreach of 25,000 one-NoOp iterations", foreach(25_000), steps=25_001
        ),
    )
}


async def measure(workload: Workload, url: str | None, home: Path) -> Figures:
    clock = SystemClock()
    store = await open_store(url, home)
    node = EngineNode(store, clock, home=home)
    try:
        await node.start()
        gc.collect()  # as ``maestoso server`` does once started (see ``build_app``)
        gc.freeze()
        request = parse_model(WorkflowCreateRequest, workload.definition())
        created = await WorkflowService(store, clock).create(request, "bench")
        workflow_id = created["workflow"]["id"]
        steps = (workload.steps or len(request.workflow.steps)) * workload.instances
        start = WorkflowStartRequest.model_validate({"initiator": {"type": "manual"}})
        began = clock.now_ms()
        await asyncio.gather(
            *(
                node.instances.start(workflow_id, "latest", start, "bench")
                for _ in range(workload.instances)
            )
        )
        status, ended = await _wait(store, clock, workflow_id, workload.instances)
        seconds = (ended - began) / 1000
    finally:
        await node.stop()
        await store.close()
    return Figures(
        workload=workload.name,
        database="postgresql" if url and url.startswith("postgres") else "sqlite",
        instances=workload.instances,
        steps=steps,
        seconds=round(seconds, 4),
        ms_per_step=round(seconds * 1000 / steps, 4),
        steps_per_second=round(steps / seconds, 1),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        status=status,
    )


async def _wait(store: Store, clock: Clock, workflow_id: str, instances: int) -> tuple[str, int]:
    """The outcome and the time (epoch ms) the last instance ended, as the engine wrote it;
    polled slowly so that the polling does not load the engine it measures."""
    while True:
        rows = await store.find_instances(
            workflow_id, statuses=tuple(s.value for s in WorkflowStatus), limit=instances
        )
        statuses = {WorkflowStatus.from_stored(r.status) for r in rows}
        if len(rows) == instances and all(s.is_terminal for s in statuses):
            ended = max(r.end_time or 0 for r in rows)
            return ("SUCCEEDED" if statuses == {WorkflowStatus.SUCCEEDED} else "FAILED"), ended
        await clock.sleep(0.05)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="maestoso-bench-") as home:
        figures = asyncio.run(measure(WORKLOADS[args.workload], args.database_url, Path(home)))
    json.dump(asdict(figures), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
