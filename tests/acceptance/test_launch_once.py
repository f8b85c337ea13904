"""SIGKILL a server at random moments while Shell steps run, restart it each time: no
command runs twice within an attempt, and every run still finishes.

Up to 20 SIGKILLs within 50 s by default; ``MAESTOSO_TEST_SIGKILLS=50`` asks for exactly 50
(with more runs, so that Shell steps are still being launched at the last kills). A restart
of the server takes 1.5 to 5 s on a 2-CPU machine (most of it importing the server), so 50
take 2 to 4 minutes: too long for every ``make test``.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.acceptance.server import ServerProcess

pytestmark = pytest.mark.slow

ASKED = os.environ.get("MAESTOSO_TEST_SIGKILLS")
KILLS = int(ASKED or 20)
INSTANCES = max(6, KILLS // 3)
CHAIN = 4
KILL_BUDGET_SECONDS = math.inf if ASKED else 50.0
MIN_KILLS = KILLS if ASKED else KILLS // 4
"""Kills that must land within the budget (a loaded machine restarts the server slowly)."""


def _definition(out: Path) -> dict[str, Any]:
    steps = []
    for n in range(CHAIN):
        # The default working directory is the attempt's own: one line per launch of it.
        command = f'echo "$(pwd)" >> {out}; sleep 0.2'
        body: dict[str, Any] = {
            "id": f"sh{n}",
            "type": "Shell",
            "params": {"command": {"value": command, "type": "STRING"}},
        }
        if n + 1 < CHAIN:
            body["transition"] = {"successors": {f"sh{n + 1}": "true"}}
        steps.append({"step": body})
    return {
        "properties": {
            "owner": "tester",
            "run_strategy": {"rule": "parallel", "workflow_concurrency": 20},
        },
        "workflow": {"id": "shelly", "steps": steps},
    }


def _statuses(http: httpx.Client) -> list[str]:
    found = []
    for n in range(1, INSTANCES + 1):
        response = http.get(f"/api/v3/workflows/shelly/instances/{n}")
        found.append(response.json().get("status", "?") if response.status_code == 200 else "?")
    return found


def test_sigkills_never_run_a_command_twice_in_an_attempt(tmp_path: Path) -> None:
    out = tmp_path / "launches.txt"
    server = ServerProcess(tmp_path / "home").start()
    rng = random.Random(14)
    kills = 0
    try:
        with server.client() as http:
            assert http.post("/api/v3/workflows", json=_definition(out)).status_code == 200
            for _ in range(INSTANCES):
                started = http.post(
                    "/api/v3/workflows/shelly/versions/latest/actions/start",
                    json={"initiator": {"type": "manual"}},
                )
                assert started.status_code == 200, started.text
        began = time.monotonic()
        while kills < KILLS and time.monotonic() - began < KILL_BUDGET_SECONDS:
            time.sleep(rng.uniform(0.05, 1.2))
            server.kill()
            kills += 1
            server.start()
        killing = time.monotonic() - began
        deadline = time.monotonic() + 90
        with server.client() as http:
            while set(_statuses(http)) != {"SUCCEEDED"}:
                assert time.monotonic() < deadline, _statuses(http)
                time.sleep(0.5)
    finally:
        server.stop()
    launches = Counter(out.read_text().splitlines())
    twice = {attempt: count for attempt, count in launches.items() if count > 1}
    assert not twice, twice
    print(f"{kills} SIGKILLs in {killing:.0f} s; {sum(launches.values())} launches")
    assert kills >= MIN_KILLS
    steps = {Path(attempt).parent for attempt in launches}
    assert len(steps) == INSTANCES * CHAIN
