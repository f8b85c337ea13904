"""Every create request among Maestro's samples is accepted and reads back with the same
meaning; every invalid one is rejected with a 400 that names the problem. On SQLite and
PostgreSQL, over the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.corpus import shared_dir

SAMPLES = shared_dir() / "maestro-samples"

# Rejected, and the fragment that the error must contain to show it names the problem.
INVALID = {
    "maestro-common__request__sample-invalid-wf.json": "workflow: is required",
    "sample-dag-with-cycle-wf.json": "[job.2 -> job.3 -> job.4 -> job.2] form a cycle",
    "sample-invalid-cron-wf-def.json": "workflow.time_triggers[0].cron: [0 30 * * *]",
    "sample-invalid-wf-def.json": "workflow.steps[0].step.id: [maestro_foo]",
    "sample-invalid-wf-dry-run-failure.json": "workflow.steps[0].step.params.spark",
    "sample-minimal-wf-without-owner.json": "properties.owner: is required",
    "sample-wf-invalid-alerting.json": "unknown PagerDuty service [non-existent-pagerduty-service]",
    # a stored-definition fixture (no owner, and timeouts of 0, which Maestro rejects too)
    "sample-subworkflow-wf-with-params.json": "workflow.timeout: must be greater than 0",
}


def _create_requests() -> list[str]:
    if not SAMPLES.is_dir():
        return []
    names = []
    for path in sorted(SAMPLES.glob("*.json")):
        data = json.loads(path.read_text())
        stored_shape = "__definition__" in path.name or "properties_snapshot" in data
        if isinstance(data, dict) and ("workflow" in data or path.name in INVALID):
            if not stored_shape:
                names.append(path.name)
    return names


VALID = [name for name in _create_requests() if name not in INVALID]


def _same_meaning(sent: Any, stored: Any, path: str = "workflow") -> None:
    """What was sent reads back: same keys and values, up to Maestro's normalisations
    (enum case, run strategy shorthands, scalars written as condition strings)."""
    if isinstance(sent, dict):
        assert isinstance(stored, dict), path
        for key, value in sent.items():
            if value is None:
                continue
            assert key in stored, f"{path}.{key} was lost"
            _same_meaning(value, stored[key], f"{path}.{key}")
    elif isinstance(sent, list):
        assert isinstance(stored, list) and len(sent) == len(stored), path
        for index, (a, b) in enumerate(zip(sent, stored, strict=True)):
            _same_meaning(a, b, f"{path}[{index}]")
    elif isinstance(sent, str) and isinstance(stored, str):
        assert sent.casefold() == stored.casefold(), f"{path}: {sent!r} became {stored!r}"
    elif isinstance(sent, bool) and isinstance(stored, str):
        assert str(sent).lower() == stored, path
    else:
        assert sent == stored, f"{path}: {sent!r} became {stored!r}"


@pytest.mark.parametrize("name", VALID)
async def test_sample_is_accepted_and_reads_back(
    client: httpx.AsyncClient, samples_dir: Path, name: str
) -> None:
    sent = json.loads((samples_dir / name).read_text())
    workflow_id = sent["workflow"]["id"]
    owner = (sent.get("properties") or {}).get("owner")
    if owner is None:
        # Maestro requires an owner on a workflow's first version: give it one first.
        owner = "first-owner"
        first = {
            "properties": {"owner": owner},
            "workflow": {"id": workflow_id, "steps": [{"step": {"id": "only", "type": "NoOp"}}]},
        }
        assert (await client.post("/api/v3/workflows", json=first)).status_code == 200
    created = await client.post("/api/v3/workflows", json=sent)
    assert created.status_code == 200, created.text

    read = await client.get(f"/api/v3/workflows/{workflow_id}/versions/latest")
    assert read.status_code == 200
    definition = read.json()
    assert definition == created.json()["workflow_definition"]
    _same_meaning(sent["workflow"], definition["workflow"])
    version = definition["metadata"]["workflow_version_id"]
    assert version == (1 if "owner" in (sent.get("properties") or {}) else 2)
    assert definition["is_latest"] is True
    assert definition["is_active"] is sent.get("is_active", True)
    for key, value in sent.items():
        if key not in ("properties", "workflow", "is_active", "git_info"):
            assert definition["metadata"][key] == value, f"extra key {key} not kept in metadata"
    assert definition["properties_snapshot"]["owner"] == owner


@pytest.mark.parametrize("name", sorted(INVALID))
async def test_invalid_sample_is_rejected(
    client: httpx.AsyncClient, samples_dir: Path, name: str
) -> None:
    sent = json.loads((samples_dir / name).read_text())
    response = await client.post("/api/v3/workflows", json=sent)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == "BAD_REQUEST"
    assert body["retryable"] is False
    assert any(INVALID[name] in error for error in body["errors"]), body
    workflow_id = (sent.get("workflow") or {}).get("id", "absent")
    missing = await client.get(f"/api/v3/workflows/{workflow_id}/versions/latest")
    assert missing.status_code == 404, "a rejected create left something behind"


# Workflows in the YAML DSL (sample-job-template-1.yaml is a job template, not a workflow).
YAML_SAMPLES = sorted(
    p.name for p in (SAMPLES.glob("*.yaml") if SAMPLES.is_dir() else []) if "template" not in p.name
)


# The job templates a sample names by type, as Maestro's own parser test resolves them
# (WorkflowParserTest: spark is a Notebook job, shell a Kubernetes one).
SAMPLE_TEMPLATES = {"spark": ("v1", "Notebook"), "shell": ("default", "Kubernetes")}


async def _push_templates(client: httpx.AsyncClient, text: str) -> None:
    for job_type, (version, step_type) in SAMPLE_TEMPLATES.items():
        if f"type: {job_type}" in text:
            definition = {"job_type": job_type, "step_type": step_type, "version": version}
            body = {"owner": "tester", "status": "test", "support": "t", "definition": definition}
            pushed = await client.post("/api/v3/job-templates", json=body)
            assert pushed.status_code == 200, pushed.text


@pytest.mark.parametrize("name", YAML_SAMPLES)
async def test_yaml_sample_is_accepted(
    client: httpx.AsyncClient, samples_dir: Path, name: str
) -> None:
    text = (samples_dir / name).read_text()
    headers = {"content-type": "application/yaml"}
    if "type: spark" in text:
        # a job type that is neither a step type nor a template is refused, naming it
        refused = await client.put(
            "/api/v3/workflows/actions/validate/yaml", content=text, headers=headers
        )
        assert refused.status_code == 400 and "job type: [spark]" in refused.text
    await _push_templates(client, text)
    validated = await client.put(
        "/api/v3/workflows/actions/validate/yaml", content=text, headers=headers
    )
    assert validated.status_code == 200, validated.text
    created = await client.post("/api/v3/workflows/yaml", content=text, headers=headers)
    assert created.status_code == 200, created.text
    definition = created.json()["workflow_definition"]
    workflow_id = definition["workflow"]["id"]
    read = await client.get(f"/api/v3/workflows/{workflow_id}/versions/1")
    assert read.json() == definition
