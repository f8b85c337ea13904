"""What the REST workloads send: the workflows they create and the calls they make."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

API = "/api/v3/workflows"
START_BODY: dict[str, Any] = {"initiator": {"type": "manual"}}
TERMINAL = frozenset({"SUCCEEDED", "FAILED", "STOPPED", "TIMED_OUT"})
PARALLEL: dict[str, Any] = {"rule": "parallel", "workflow_concurrency": 100}
PAGE = 200


def noop_workflow(workflow_id: str) -> dict[str, Any]:
    return {
        "properties": {"owner": "bench", "run_strategy": PARALLEL, "step_concurrency": 1000},
        "workflow": {"id": workflow_id, "steps": [{"step": {"id": "a", "type": "NoOp"}}]},
    }


def sleep_workflow(workflow_id: str, seconds: int) -> dict[str, Any]:
    nap = {"sleep_seconds": {"type": "LONG", "value": seconds}}
    step = {"id": "nap", "type": "Sleep", "params": nap}
    return {
        "properties": {"owner": "bench", "run_strategy": PARALLEL},
        "workflow": {"id": workflow_id, "steps": [{"step": step}]},
    }


def with_id(definition: dict[str, Any], workflow_id: str) -> dict[str, Any]:
    return {**definition, "workflow": {**definition["workflow"], "id": workflow_id}}


def create(http: httpx.Client, definition: dict[str, Any]) -> str:
    response = http.post(API, json=definition)
    response.raise_for_status()
    return str(definition["workflow"]["id"])


def start(http: httpx.Client, workflow_id: str) -> int:
    response = http.post(f"{API}/{workflow_id}/versions/latest/actions/start", json=START_BODY)
    response.raise_for_status()
    return int(response.json()["workflow_instance_id"])


def now_ms() -> float:
    return time.time() * 1000


def wait_run(http: httpx.Client, workflow_id: str, instance_id: int, every: float) -> Any:
    """The run's JSON once it is terminal; ``enriched=false`` keeps each poll cheap."""
    url = f"{API}/{workflow_id}/instances/{instance_id}/runs/1"
    while True:
        response = http.get(url, params={"enriched": "false"})
        response.raise_for_status()
        run = response.json()
        if run["status"] in TERMINAL:
            return run
        time.sleep(every)


def overall(statuses: Sequence[str]) -> str:
    return "SUCCEEDED" if set(statuses) <= {"SUCCEEDED"} else "/".join(sorted(set(statuses)))


@contextmanager
def background(base: str, workflow_id: str, rate: float) -> Iterator[list[int]]:
    """A second client starting ``rate`` runs a second until the block ends."""
    started: list[int] = []
    stop = threading.Event()

    failures: list[Exception] = []

    def stream() -> None:
        with httpx.Client(base_url=base, timeout=60, headers={"user": "bench"}) as http:
            while not stop.is_set():
                began = time.monotonic()
                try:
                    started.append(start(http, workflow_id))
                except Exception as error:  # reported by the measuring thread
                    failures.append(error)
                    return
                stop.wait(max(0.0, 1 / rate - (time.monotonic() - began)))

    thread = threading.Thread(target=stream, name="bench-background", daemon=True)
    if rate > 0:
        thread.start()
    try:
        yield started
    finally:
        stop.set()
        if rate > 0:
            thread.join(timeout=60)
    if failures:
        raise RuntimeError("the background client failed") from failures[0]


def instances(http: httpx.Client, workflow_id: str) -> list[dict[str, Any]]:
    """Every instance (its latest run), a page at a time."""
    elements: list[dict[str, Any]] = []
    params: dict[str, Any] = {"first": PAGE, "aggregated": "false"}
    while True:
        response = http.get(f"{API}/{workflow_id}/instances", params=params)
        response.raise_for_status()
        page = response.json()
        elements += page["elements"]
        if not page["page_info"]["has_next_page"]:
            return elements
        params["cursor"] = page["page_info"]["end_cursor"]
