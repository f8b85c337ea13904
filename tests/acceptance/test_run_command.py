"""``maestoso run FILE``: a real process runs a workflow to its end and reports it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run(
    tmp_path: Path, body: Any, *args: str, suffix: str = ".json"
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / f"wf{suffix}"
    path.write_text(body if isinstance(body, str) else json.dumps(body))
    return subprocess.run(
        [sys.executable, "-m", "maestoso.cli", "run", str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "HOME": str(tmp_path)},
    )


def test_a_succeeding_workflow_exits_0_with_its_steps(tmp_path: Path) -> None:
    body = {
        "workflow": {
            "id": "hello",
            "params": {"n": {"type": "LONG", "value": 1}},
            "steps": [
                {
                    "step": {
                        "id": "first",
                        "type": "NoOp",
                        "transition": {"successors": {"second": "n > 1"}},
                    }
                },
                {"step": {"id": "second", "type": "NoOp"}},
            ],
        }
    }
    done = run(tmp_path, body, "--param", "n=5")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCEEDED" in done.stdout
    assert "first" in done.stdout and "second" in done.stdout


def test_a_failing_workflow_exits_1(tmp_path: Path) -> None:
    body = {
        "workflow": {
            "id": "sad",
            "steps": [
                {
                    "step": {
                        "id": "x",
                        "type": "Shell",
                        "retry_policy": {"error_retry_limit": 0},
                        "params": {
                            "command": {
                                "type": "STRING",
                                "value": "echo working; echo broken-thing >&2; exit 3",
                            }
                        },
                    }
                }
            ],
        }
    }
    done = run(tmp_path, body, "--keep", str(tmp_path / "kept"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILED" in done.stdout
    # why it failed, and the tail of what it wrote
    assert "x attempt 1 FATALLY_FAILED: the process exited with code 3" in done.stdout
    assert "    working" in done.stdout and "    broken-thing" in done.stdout
    # --keep keeps the database and the logs
    assert (tmp_path / "kept" / "maestoso.db").exists()
    [instance] = (tmp_path / "kept/logs/sad").glob("1-*")
    assert (instance / "1/x/1/stderr.log").read_text() == "broken-thing\n"


def test_an_invalid_definition_exits_2_naming_the_problem(tmp_path: Path) -> None:
    body = {
        "workflow": {
            "id": "bad",
            "steps": [
                {
                    "step": {
                        "id": "x",
                        "type": "NoOp",
                        "transition": {"successors": {"nope": "true"}},
                    }
                }
            ],
        }
    }
    done = run(tmp_path, body)
    assert done.returncode == 2
    assert "workflow.steps[0].step.transition.successors: unknown step [nope]" in done.stdout


def test_a_yaml_definition_runs_too(tmp_path: Path) -> None:
    text = "Workflow:\n  id: yaml-run\n  jobs:\n    - job:\n        id: a\n        type: NoOp\n"
    done = run(tmp_path, text, suffix=".yaml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_yaml_python_step_hands_its_result_to_a_shell_step(tmp_path: Path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (code / "work.py").write_text("def double(n):\n    return {'doubled': n * 2}\n")
    text = f"""
Workflow:
  id: py
  jobs:
    - job: {{id: double, type: Python, entrypoint: 'work:double', working_dir: '{code}', n: 21}}
    - job: {{id: report, type: shell, command: 'echo got ${{double__doubled}}'}}
  dag: sequential
"""
    keep = tmp_path / "keep"
    done = run(tmp_path, text, "--keep", str(keep), suffix=".yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    [log] = keep.glob("logs/py/*/1/report/1/stdout.log")
    assert log.read_text() == "got 42\n"
