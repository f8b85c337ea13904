"""One real server per test module, and the ``maestoso`` client commands run against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.acceptance.server import ServerProcess
from typer.testing import CliRunner

from maestoso.cli import app

BODY_LIMIT = 100_000


@dataclass
class Done:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def cli(server: ServerProcess, *args: str) -> Done:
    """A client command, in this process (quick), against the server's process."""
    env = {"MAESTOSO_SERVER": server.base, "MAESTOSO_USER": "tester", "COLUMNS": "160"}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return Done(result.exit_code, result.stdout, result.stderr)


def cli_process(server: ServerProcess, *args: str, timeout: float = 60) -> Done:
    """A client command as its own process, as a user runs it."""
    env = {**os.environ, "MAESTOSO_SERVER": server.base, "MAESTOSO_USER": "tester"}
    done = subprocess.run(
        [sys.executable, "-m", "maestoso.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )
    return Done(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    home = tmp_path_factory.mktemp("server")
    previous = os.environ.get("MAESTOSO_MAX_BODY_BYTES")
    os.environ["MAESTOSO_MAX_BODY_BYTES"] = str(BODY_LIMIT)
    process = ServerProcess(home)
    try:
        process.start()
    finally:
        if previous is None:
            os.environ.pop("MAESTOSO_MAX_BODY_BYTES")
        else:
            os.environ["MAESTOSO_MAX_BODY_BYTES"] = previous
    yield process
    process.stop()


def shell_workflow(workflow_id: str, command: str, **params: Any) -> dict[str, Any]:
    declared = {name: {"value": value, "type": "LONG"} for name, value in params.items()}
    return {
        "properties": {"owner": "tester"},
        "workflow": {
            "id": workflow_id,
            "params": declared,
            "steps": [
                {
                    "step": {
                        "id": "run",
                        "type": "Shell",
                        "retry_policy": {"error_retry_limit": 0},
                        "params": {"command": {"value": command, "type": "STRING"}},
                    }
                }
            ],
        },
    }


def write(folder: Path, name: str, content: Any) -> Path:
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path
