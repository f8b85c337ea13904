"""Maestro's Kubernetes samples in the engine, against a small Kubernetes API on loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness
from tests.unit.runtimes.harness import engine_at
from tests.unit.runtimes.kube_server import KubeServer, kube_api

from maestoso.models.steps import StepType
from maestoso.runtimes import KubernetesRuntime


@pytest.fixture
async def engine(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Harness, KubeServer]]:
    with kube_api(tmp_path / "kubelet") as kube:
        config = kube.kubeconfig(tmp_path / "kubeconfig")
        runtime = KubernetesRuntime(namespace="maestro", config_file=str(config), poll_seconds=0.1)
        async with engine_at(
            database_url, tmp_path / "home", {StepType.KUBERNETES: runtime}
        ) as running:
            yield running, kube


async def run_sample(engine: Harness, name: str, timeout: float = 20) -> str:
    body = json.loads((require(shared_dir() / "maestro-samples") / name).read_text())
    await engine.create(body)
    workflow_id = body["workflow"]["id"]
    await engine.start(workflow_id)
    return (await engine.wait(workflow_id, 1, timeout=timeout)).status


async def test_sample_kubernetes_wf(engine: tuple[Harness, KubeServer], tmp_path: Path) -> None:
    harness, kube = engine
    assert await run_sample(harness, "sample-kubernetes-wf.json") == "SUCCEEDED"
    step = (await harness.steps("sample-kubernetes-wf", 1))["job.2"]
    assert step.status == "SUCCEEDED"
    assert step.artifacts is not None
    assert step.artifacts["maestro_kubernetes"]["execution_script"] == "echo hello world"
    [instance] = (tmp_path / "home/logs/sample-kubernetes-wf").glob("1-*")
    log = instance / "1/job.2/1/stdout.log"
    assert log.read_text() == "hello world\n"
    assert kube.state.created[0]["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox"


@pytest.mark.parametrize("name", ["sample-kubernetes-output-wf", "sample-kubernetes-env-wf"])
async def test_output_data_changes_a_param_and_the_path_taken(
    engine: tuple[Harness, KubeServer], tmp_path: Path, name: str
) -> None:
    harness, _ = engine
    assert await run_sample(harness, f"{name}.json") == "SUCCEEDED"
    steps = await harness.steps(name, 1)
    job = steps["job1"]
    assert job.document["params"]["foo"]["evaluated_result"] == "bar"
    assert job.artifacts is not None
    dynamic = job.artifacts["maestro_dynamic_output"]
    assert dynamic["type"] == "DYNAMIC_OUTPUT"
    assert dynamic["signal_outputs"][0]["evaluated_result"] == {"name": "demo_table"}
    # foo != 'default' now, so the edge to `end` is taken.
    assert steps["end"].status == "SUCCEEDED"
    if name == "sample-kubernetes-env-wf":
        [instance] = (tmp_path / f"home/logs/{name}").glob("1-*")
        log = instance / "1/job1/1/stdout.log"
        assert log.read_text().splitlines()[0] == "error retries: 0"


@pytest.mark.slow
async def test_a_failure_marked_non_retryable_is_not_retried(
    engine: tuple[Harness, KubeServer],
) -> None:
    harness, kube = engine
    assert await run_sample(harness, "sample-kubernetes-nonretryable-wf.json") == "FAILED"
    job = (await harness.steps("sample-kubernetes-nonretryable-wf", 1))["job1"]
    # error_retry_limit is 3, yet the one attempt is final.
    assert job.status == "FATALLY_FAILED" and job.attempt_id == 1
    assert len(kube.state.created) == 1
    messages = [entry["message"] for entry in job.timeline]
    assert (
        "Step failed with [USER_ERROR] and its output data classified it as non-retryable."
        in messages
    )
