"""What ``apply`` would change: each file compared by content with its workflow's latest
version, and (with prune) the active workflows that no file names.

Both sides are read through the same model (``maestoso.models.Workflow``) before they are
compared, so defaults the server fills in (an empty ``transition``) and key order never count
as changes. Properties count only where the file sets them.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

from maestoso.client import Client, ClientError, WorkflowDefinition
from maestoso.client.job_types import server_resolver
from maestoso.client.sources import create_request
from maestoso.dsl.loading import ResolverFor
from maestoso.errors import ValidationError
from maestoso.models import Workflow, WorkflowCreateRequest

SUFFIXES = (".json", ".yaml", ".yml")
Action = Literal["create", "update", "unchanged", "deactivate"]


@dataclass(slots=True)
class Change:
    action: Action
    workflow_id: str
    path: Path | None = None
    request: WorkflowCreateRequest | None = None
    diff: list[str] = field(default_factory=list)
    version: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "workflow_id": self.workflow_id,
            "file": str(self.path) if self.path else None,
            "version": self.version,
            "diff": self.diff,
        }


def load_folder(
    folder: Path, resolver_for: ResolverFor | None = None
) -> dict[str, tuple[Path, WorkflowCreateRequest]]:
    """Every definition under ``folder`` by workflow id; two files of one id are an error."""
    if not folder.is_dir():
        raise ValidationError(f"{folder} is not a folder", [str(folder)])
    found: dict[str, tuple[Path, WorkflowCreateRequest]] = {}
    problems: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES):
        try:
            request = create_request(path, resolver_for)
        except ValidationError as error:
            problems.extend(f"{path}: {problem}" for problem in error.errors or [error.message])
            continue
        workflow_id = request.workflow.id
        if workflow_id in found:
            problems.append(f"{path}: workflow [{workflow_id}] is also in {found[workflow_id][0]}")
        found[workflow_id] = (path, request)
    if problems:
        raise ValidationError(f"{len(problems)} problems in {folder}", problems)
    return found


def plan(client: Client, folder: Path, prune: bool) -> list[Change]:
    wanted = load_folder(folder, partial(server_resolver, client))
    changes = [_compare(client, wf_id, path, request) for wf_id, (path, request) in wanted.items()]
    if prune:
        changes.extend(
            Change("deactivate", wf_id) for wf_id in _active_ids(client) if wf_id not in wanted
        )
    return changes


def _compare(
    client: Client, workflow_id: str, path: Path, request: WorkflowCreateRequest
) -> Change:
    try:
        latest = client.definition(workflow_id)
    except ClientError as error:
        if error.status_code == 404:
            return Change("create", workflow_id, path, request)
        raise
    diff = _diff(_stored(latest), _wanted(request, latest))
    action: Action = "update" if diff else "unchanged"
    return Change(action, workflow_id, path, request, diff, latest.version_id)


def _wanted(request: WorkflowCreateRequest, latest: WorkflowDefinition) -> dict[str, Any]:
    properties = request.properties.to_json() if request.properties else {}
    stored = latest.properties_snapshot
    # only what the file sets; the rest of the snapshot is the server's to keep
    return {
        "properties": {key: value for key, value in properties.items() if key in stored or value},
        "workflow": request.workflow.to_json(),
    }


def _stored(latest: WorkflowDefinition) -> dict[str, Any]:
    return {"properties": latest.properties_snapshot, "workflow": latest.workflow}


def _diff(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    stored_workflow = Workflow.model_validate(stored["workflow"]).to_json()
    keys = wanted["properties"].keys()
    before = {
        "properties": {k: stored["properties"].get(k) for k in keys},
        "workflow": stored_workflow,
    }
    after = {"properties": wanted["properties"], "workflow": wanted["workflow"]}
    if before == after:
        return []
    old = json.dumps(before, indent=2, sort_keys=True).splitlines()
    new = json.dumps(after, indent=2, sort_keys=True).splitlines()
    return list(difflib.unified_diff(old, new, "server", "file", n=2, lineterm=""))


def _active_ids(client: Client) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        page = client.list_workflows(first=100, cursor=cursor)
        ids.extend(wf.workflow_id for wf in page.elements if wf.active_version_id)
        if not page.cursor:
            return ids
        cursor = page.cursor
