"""Maestro's job template samples end to end: ``sample-job-template-1`` (a Notebook template
named ``shell``) pushed, then ``sample-shell-wf`` run with it, its notebook job on a small
Kubernetes API on loopback (the notebook pointed at a local copy: no internet here)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness
from tests.integration.test_runtime_notebook import venv_path, write_notebook
from tests.unit.runtimes.harness import engine_at
from tests.unit.runtimes.kube_server import KubeServer, kube_api

from maestoso.models.steps import StepType
from maestoso.runtimes import KubernetesRuntime, NotebookRuntime, ShellRuntime

__all__ = ["venv_path"]

# Maestro's demo notebook runs the `script` param in a shell; this one does the same.
RUN_SCRIPT = (
    "import subprocess\n"
    "print(subprocess.run(script, shell=True, capture_output=True, text=True).stdout)\n"
)


@pytest.fixture
async def engine(
    database_url: str, tmp_path: Path, venv_path: None
) -> AsyncIterator[tuple[Harness, KubeServer]]:
    with kube_api(tmp_path / "kubelet") as kube:
        config = kube.kubeconfig(tmp_path / "kubeconfig")
        kubernetes = KubernetesRuntime(
            namespace="maestro", config_file=str(config), poll_seconds=0.1
        )
        runtimes = {StepType.NOTEBOOK: NotebookRuntime(ShellRuntime(), kubernetes)}
        async with engine_at(database_url, tmp_path / "home", runtimes) as running:
            yield running, kube


async def test_sample_shell_wf_runs_once_its_template_is_pushed(
    engine: tuple[Harness, KubeServer], tmp_path: Path
) -> None:
    harness, kube = engine
    samples = require(shared_dir() / "maestro-samples")
    template = json.loads((samples / "sample-job-template-1.json").read_text())
    notebook = template["definition"]["params"]["notebook"]["value"]
    notebook["input_path"]["value"] = str(write_notebook(tmp_path / "demo01.ipynb", RUN_SCRIPT))
    del notebook["init_command"]  # a pip install
    pushed = await harness.http.post("/api/v3/job-templates", json=template)
    assert pushed.status_code == 200, pushed.text

    body = json.loads((samples / "sample-shell-wf.json").read_text())
    await harness.create(body)
    await harness.start("sample-shell-wf")
    row = await harness.wait("sample-shell-wf", 1, timeout=90)
    job = (await harness.steps("sample-shell-wf", 1))["job.2"]
    assert row.status == "SUCCEEDED", job.timeline

    params = job.document["params"]
    # the template's params (image, notebook) under the step's own (script, foo)
    assert params["kubernetes"]["evaluated_result"] == {"image": "python:3"}
    assert params["kubernetes"]["source"] == "TEMPLATE_SCHEMA"
    assert params["script"]["source"] == "DEFINITION"
    assert params["script"]["evaluated_result"].startswith("echo hello world && echo $MAESTRO")
    assert [t if isinstance(t, str) else t["name"] for t in job.document["tags"]] == [
        "notebook",
        "shell",
        "example",
    ]
    container = kube.state.created[0]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "python:3"
    assert "papermill" in json.dumps(container)
