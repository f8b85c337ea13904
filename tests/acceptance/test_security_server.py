"""Security against a real ``maestoso server --auth token`` process, as an operator runs it:
tokens made with ``maestoso token``, roles and grants over HTTP, the audit log, a server that
refuses to listen beyond loopback without authentication, and a secret that a Shell step
uses but that no answer and no database row ever holds."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from tests.acceptance.server import ServerProcess, free_port

pytestmark = pytest.mark.slow

RUN = {"initiator": {"type": "MANUAL"}}


def cli(home: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAESTOSO_HOME": str(home), "MAESTOSO_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "maestoso.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def make_token(home: Path, database_url: str, user: str, role: str) -> str:
    done = cli(home, database_url, "token", "create", "--user", user, "--role", role)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


OPEN: list[httpx.Client] = []


def Caller(base: str, token: str | None) -> httpx.Client:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    client = httpx.Client(base_url=base, headers=headers, timeout=30)
    OPEN.append(client)
    return client


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def definition(workflow_id: str, owner: str, steps: list[dict[str, Any]] | None = None) -> Any:
    steps = steps or [{"step": {"id": "s1", "type": "NoOp"}}]
    return {"properties": {"owner": owner}, "workflow": {"id": workflow_id, "steps": steps}}


def start_path(workflow_id: str) -> str:
    return f"/api/v3/workflows/{workflow_id}/versions/latest/actions/start"


@pytest.fixture
def secret_value() -> str:
    return "pw-" + secrets.token_hex(16)


@pytest.fixture
def server(
    tmp_path: Path, database_url: str, secret_value: str
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    home = tmp_path / "home"
    tokens = {
        user: make_token(home, database_url, user, role)
        for user, role in (
            ("root", "admin"),
            ("alice", "operator"),
            ("bob", "operator"),
            ("vera", "viewer"),
        )
    }
    process = ServerProcess(
        home,
        database_url,
        args=("--auth", "token"),
        env={"MAESTOSO_SECRET_DB_PASSWORD": secret_value},
    ).start()
    try:
        yield process, tokens
    finally:
        process.stop()


def test_roles_grants_and_audit_over_http(
    server: tuple[ServerProcess, dict[str, str]], database_url: str
) -> None:
    process, tokens = server
    root, alice, bob, vera = (
        Caller(process.base, tokens[u]) for u in ("root", "alice", "bob", "vera")
    )
    anonymous = Caller(process.base, None)

    # No token, a bad token, the user header alone: 401 in Maestro's body.
    refused = anonymous.get("/api/v3/workflows")
    assert refused.status_code == 401
    assert refused.json()["status"] == "UNAUTHORIZED"
    assert Caller(process.base, tokens["alice"] + "x").get("/api/v3/workflows").status_code == 401
    header_only = anonymous.post(
        "/api/v3/workflows", json=definition("etl", "root"), headers={"user": "root"}
    )
    assert header_only.status_code == 401

    # alice's workflow: bob may neither push nor start it until granted.
    created = alice.post(
        "/api/v3/workflows", json=definition("etl", "alice"), headers={"user": "root"}
    )
    assert created.status_code == 200, created.text
    assert created.json()["workflow_definition"]["metadata"]["version_author"] == "alice"
    assert bob.post("/api/v3/workflows", json=definition("etl", "alice")).status_code == 403
    assert bob.post(start_path("etl"), json=RUN).status_code == 403
    grant = {"access_control": {"operators": ["bob"]}}
    assert alice.post("/api/v3/workflows/etl/properties", json=grant).status_code == 200
    assert bob.post(start_path("etl"), json=RUN).status_code == 200
    pushed = bob.post("/api/v3/workflows", json=definition("etl", "alice"))
    assert pushed.status_code == 403 and pushed.json()["status"] == "FORBIDDEN"

    # A viewer reads but cannot start; an admin can.
    assert vera.get("/api/v3/workflows/etl/versions/latest").status_code == 200
    assert vera.post(start_path("etl"), json=RUN).status_code == 403
    assert root.post(start_path("etl"), json=RUN).status_code == 200

    # The audit log names who did what, and a viewer may not read it.
    assert vera.get("/api/v3/audit").status_code == 403
    entries = root.get("/api/v3/audit", params={"workflow_id": "etl"}).json()["elements"]
    done = [(e["user"], e["outcome"], e["action"].rsplit("/", 1)[-1]) for e in entries]
    assert ("bob", "FORBIDDEN", "workflows") in done
    assert ("bob", "OK", "start") in done and ("root", "OK", "start") in done
    assert ("alice", "OK", "properties") in done
    assert ("vera", "FORBIDDEN", "start") in done

    # A revoked token is refused at once.
    revoked = cli(process.home, database_url, "token", "revoke", "--user", "bob")
    assert revoked.returncode == 0, revoked.stderr
    assert bob.get("/api/v3/workflows").status_code == 401
    listed = cli(process.home, database_url, "token", "list", "--json")
    assert '"revoked": null' in listed.stdout and tokens["alice"] not in listed.stdout


def test_a_secret_reaches_the_step_and_nothing_else(
    server: tuple[ServerProcess, dict[str, str]],
    database_url: str,
    secret_value: str,
    tmp_path: Path,
) -> None:
    process, tokens = server
    alice = Caller(process.base, tokens["alice"])
    proof = tmp_path / "proof.txt"
    command = (
        'printf "%s" "$$DB_PASSWORD" > "$$PROOF"; echo "password is $$DB_PASSWORD"; '
        'echo "inline ${secret:db_password}" >&2'
    )
    shell = {
        "step": {
            "id": "use",
            "type": "Shell",
            "params": {
                "command": {"type": "STRING", "value": command},
                "env": {
                    "type": "STRING_MAP",
                    "value": {"DB_PASSWORD": "${secret:db_password}", "PROOF": str(proof)},
                },
            },
        }
    }
    created = alice.post("/api/v3/workflows", json=definition("secretive", "alice", [shell]))
    assert created.status_code == 200, created.text
    assert alice.post(start_path("secretive"), json=RUN).status_code == 200

    answers = [created.text]
    deadline = time.monotonic() + 60
    while True:
        instance = alice.get("/api/v3/workflows/secretive/instances/1")
        answers.append(instance.text)
        if instance.json().get("status") in ("SUCCEEDED", "FAILED", "STOPPED"):
            break
        assert time.monotonic() < deadline, instance.text
        time.sleep(0.1)
    assert instance.json()["status"] == "SUCCEEDED", instance.text

    # In the step's environment when it ran.
    assert proof.read_text() == secret_value
    # Masked in its logs; the reference, never the value, in every answer.
    logs = "/api/v3/workflows/secretive/instances/1/runs/1/steps/use/attempts/1/logs"
    stdout = alice.get(logs)
    stderr = alice.get(logs, params={"stream": "stderr"})
    assert stdout.text == "password is ***\n" and stderr.text == "inline ***\n"
    for path in (
        "/api/v3/workflows/secretive/instances/1/steps/use",
        "/api/v3/workflows/secretive/instances/1/steps",
        "/api/v3/workflows/secretive/instances/1/runs/1",
        "/api/v3/workflows/secretive/instances/1/runs/1/steps/use/attempts/1",
        "/api/v3/workflows/secretive/versions/latest",
        "/api/v3/workflows/secretive/timeline",
        "/api/v3/instances",
        f"{logs}?tail=1",
        f"{logs}?offset=5&limit=20",
        f"{logs}?follow=true",
    ):
        answer = alice.get(path)
        assert answer.status_code == 200, (path, answer.text)
        answers.append(answer.text)
    step_view = alice.get("/api/v3/workflows/secretive/instances/1/steps/use").text
    assert "${secret:db_password}" in step_view
    assert not [a for a in answers if secret_value in a]

    # In no database row.
    process.stop()
    assert secret_value not in database_text(database_url)
    assert "${secret:db_password}" in database_text(database_url)


def database_text(database_url: str) -> str:
    """Everything the database holds, as text: the SQLite file (and its journal), or every
    row of every PostgreSQL table."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("///", 1)[1])
        files = [path, *path.parent.glob(path.name + "-*")]
        return b"".join(f.read_bytes() for f in files if f.exists()).decode("latin-1")
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    texts = []
    with psycopg.connect(url) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        for (table,) in tables:
            rows = connection.execute(f'SELECT t::text FROM "{table}" t').fetchall()
            texts.extend(row[0] for row in rows)
    return "\n".join(texts)


def test_no_authentication_beyond_loopback_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "MAESTOSO_HOME": str(tmp_path)}
    env.pop("MAESTOSO_AUTH", None)
    env.pop("MAESTOSO_DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "maestoso.cli",
            "server",
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "without authentication" in done.stderr and "--auth token" in done.stderr
    assert not (tmp_path / "maestoso.db").exists()
