"""``apply DIR`` against a real server: a folder of definitions made true, idempotently."""

from __future__ import annotations

from pathlib import Path

from tests.acceptance.client_support import cli, server, shell_workflow, write
from tests.acceptance.server import ServerProcess

from maestoso.client import Client

__all__ = ["server"]

DAILY_YAML = """\
Workflow:
  id: gitops-daily
  owner: tester
  tags: [daily]
  jobs:
    - job: {id: first, type: NoOp, transition: [second]}
    - job: {id: second, type: NoOp}
"""


def _versions(client: Client, workflow_id: str) -> int:
    return client.definition(workflow_id).version_id


def test_apply_creates_updates_and_prunes(server: ServerProcess, tmp_path: Path) -> None:
    folder = tmp_path / "defs"
    folder.mkdir()
    write(folder, "report.json", shell_workflow("gitops-report", "echo report"))
    write(folder, "daily.yaml", DAILY_YAML)
    with Client(server.base, user="tester") as client:
        _apply_steps(server, folder, client)


def _apply_steps(server: ServerProcess, folder: Path, client: Client) -> None:

    # Given a folder of two new definitions, a dry run lists them and creates nothing
    planned = cli(server, "apply", str(folder), "--dry-run")
    assert planned.code == 0, planned.stderr
    assert "+ create gitops-daily" in planned.stdout
    assert "+ create gitops-report" in planned.stdout
    assert not [wf for wf in client.list_workflows(q="gitops").elements]

    # When applied, both exist; applied again, nothing new is pushed
    assert cli(server, "apply", str(folder)).code == 0
    again = cli(server, "apply", str(folder), "--json").json()
    assert {c["action"] for c in again["changes"]} == {"unchanged"}
    assert _versions(client, "gitops-daily") == 1
    assert _versions(client, "gitops-report") == 1

    # A changed file becomes a new version, with a diff; an unchanged one stays
    write(folder, "daily.yaml", DAILY_YAML.replace("type: NoOp}", "type: NoOp, name: Second}"))
    changed = cli(server, "apply", str(folder))
    assert "~ update gitops-daily" in changed.stdout
    added = [line.strip() for line in changed.stdout.splitlines() if line.strip().startswith("+")]
    assert '+ "name": "Second",' in [" ".join(line.split()) for line in added]
    assert _versions(client, "gitops-daily") == 2
    assert _versions(client, "gitops-report") == 1

    # --prune deactivates an active workflow that no file defines
    client.push(shell_workflow("gitops-stray", "true"))
    pruned = cli(server, "apply", str(folder), "--prune", "--json").json()
    actions = {c["workflow_id"]: c["action"] for c in pruned["changes"]}
    assert actions["gitops-stray"] == "deactivate"
    stray = client.list_workflows(q="gitops-stray").elements[0]
    assert stray.active_version_id == 0


def test_apply_reports_every_bad_file(server: ServerProcess, tmp_path: Path) -> None:
    write(tmp_path, "a.json", shell_workflow("dup", "true"))
    write(tmp_path, "b.json", shell_workflow("dup", "true"))
    write(tmp_path, "c.yaml", "Workflow: {id: broken, jobs: []}\n")

    done = cli(server, "apply", str(tmp_path))

    assert done.code == 2
    assert "is also in" in done.stderr
    assert "c.yaml" in done.stderr
