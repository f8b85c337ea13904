"""``maestoso validate`` and ``maestoso --version``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import maestoso
from maestoso.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"maestoso {maestoso.__version__}"


def test_valid_json_definition(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    body = {
        "properties": {"owner": "me"},
        "workflow": {"id": "wf", "steps": [{"step": {"id": "a", "type": "NoOp"}}]},
    }
    path.write_text(json.dumps(body))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "[wf], 1 steps" in result.output


def test_invalid_definition_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    steps = [
        {"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"zz": "true"}}}},
        {"step": {"id": "b", "type": "NoOp", "timeout": 0}},
    ]
    path.write_text(json.dumps({"workflow": {"id": "wf", "steps": steps}}))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "workflow.steps[0].step.transition.successors: unknown step [zz]" in result.output
    assert "workflow.steps[1].step.timeout: must be greater than 0" in result.output


def test_yaml_definition_and_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "wf.yaml"
    path.write_text("Workflow:\n  id: y\n  jobs:\n    - job:\n        id: a\n        type: NoOp\n")
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1 and "malformed JSON at line 1" in result.output
    missing = runner.invoke(app, ["validate", str(tmp_path / "absent.json")])
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_a_step_type_no_plugin_here_provides_is_unchecked_offline(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    body = {"workflow": {"id": "wf", "steps": [{"step": {"id": "a", "type": "Spark"}}]}}
    path.write_text(json.dumps(body))
    result = runner.invoke(app, ["validate", str(path), "--offline"])
    assert result.exit_code == 0, result.output
    assert "cannot check step type [Spark]: no plugin here provides it (--offline)" in (
        " ".join(result.output.split())
    )
