"""PostgreSQL goes away under a running server and comes back: every run finishes by itself.

A PostgreSQL instance of the test's own (a scratch ``initdb`` on a spare port) serves a real
``maestoso server``. Runs of a chain of Shell steps, each appending its attempt's directory to
a file and sleeping, are in flight when the database stops: for 8 s (a clean stop, shorter
than the group lease: the flows retry until the database answers) and for 30 s (a crash,
longer than the lease: the node fences itself, stops its flows and claims its groups again
when the database is back). Every run must succeed within 60 s of the database's return, each
step in one attempt whose command ran exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.acceptance.scratch_postgres import ScratchPostgres, binaries
from tests.acceptance.server import ServerProcess, free_port

pytestmark = pytest.mark.slow

RUNS = 20
CHAIN = 3
STEP_SECONDS = 2
LEASE_SECONDS = 15
"""The flow-group lease of the server under test: longer than the short outage, shorter
than the long one."""
HEARTBEAT_SECONDS = 2
RECOVERY_SECONDS = 60


@pytest.fixture(scope="module")
def postgres() -> Iterator[ScratchPostgres]:
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("initdb is not installed: no PostgreSQL instance of the test's own")
    database = ScratchPostgres(bin_dir, free_port()).init()
    try:
        database.start()
        yield database
    finally:
        database.destroy()


@pytest.fixture(scope="module")
def server(
    postgres: ScratchPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    env = {
        "MAESTOSO_GROUP_LEASE": str(LEASE_SECONDS),
        "MAESTOSO_GROUP_HEARTBEAT": str(HEARTBEAT_SECONDS),
    }
    process = ServerProcess(tmp_path_factory.mktemp("outage"), postgres.url, env=env)
    try:
        yield process.start()
    finally:
        process.stop()


def _definition(workflow_id: str, out: Path) -> dict[str, Any]:
    steps = []
    for n in range(CHAIN):
        # The default working directory is the attempt's own: one line per launch of it.
        command = f'echo "$(pwd)" >> {out}; sleep {STEP_SECONDS}'
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
            "run_strategy": {"rule": "parallel", "workflow_concurrency": RUNS},
        },
        "workflow": {"id": workflow_id, "steps": steps},
    }


def _statuses(http: httpx.Client, workflow_id: str) -> list[str]:
    found = []
    for n in range(1, RUNS + 1):
        try:
            response = http.get(f"/api/v3/workflows/{workflow_id}/instances/{n}")
        except httpx.TransportError:
            found.append("?")
            continue
        found.append(response.json().get("status", "?") if response.status_code == 200 else "?")
    return found


@pytest.mark.parametrize(
    ("outage", "mode"), [pytest.param(8, "fast", id="8s"), pytest.param(30, "immediate", id="30s")]
)
def test_runs_finish_by_themselves_after_an_outage(
    server: ServerProcess, postgres: ScratchPostgres, tmp_path: Path, outage: int, mode: str
) -> None:
    workflow_id = f"outage-{outage}"
    out = tmp_path / "launches.txt"
    with server.client() as http:
        created = http.post("/api/v3/workflows", json=_definition(workflow_id, out))
        assert created.status_code == 200, created.text
        for _ in range(RUNS):
            started = http.post(
                f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start",
                json={"initiator": {"type": "manual"}},
            )
            assert started.status_code == 200, started.text
        time.sleep(STEP_SECONDS * 1.5)  # the first steps are running, some have ended

        postgres.stop(mode)
        time.sleep(outage / 2)
        assert httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200
        assert http.get(f"/api/v3/workflows/{workflow_id}/instances/1").status_code == 503
        time.sleep(outage / 2)
        postgres.start()
        back = time.monotonic()

        statuses = _statuses(http, workflow_id)
        while set(statuses) != {"SUCCEEDED"}:
            waited = time.monotonic() - back
            assert waited < RECOVERY_SECONDS, f"after {waited:.0f} s: {Counter(statuses)}"
            time.sleep(0.5)
            statuses = _statuses(http, workflow_id)
        print(f"outage of {outage} s: every run SUCCEEDED {time.monotonic() - back:.1f} s after")

    launches = Counter(out.read_text().splitlines())
    twice = {attempt: count for attempt, count in launches.items() if count > 1}
    assert not twice, twice
    attempts = {Path(attempt) for attempt in launches}
    assert {a.name for a in attempts} == {"1"}, "a step needed more than one attempt"
    assert len({a.parent for a in attempts}) == RUNS * CHAIN
