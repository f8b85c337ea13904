"""Notebook steps: papermill here, or as a Kubernetes job when ``kubernetes`` is given."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import require, shared_dir
from tests.integration.engine_support import Harness
from tests.unit.runtimes.harness import engine_at
from tests.unit.runtimes.kube_server import kube_api

from maestoso.models.steps import StepType
from maestoso.runtimes import KubernetesRuntime, NotebookRuntime, ShellRuntime


def write_notebook(path: Path, body: str) -> Path:
    cells = [
        {
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "source": "x = 1\n",
            "outputs": [],
            "execution_count": None,
        },
        {
            "cell_type": "code",
            "metadata": {},
            "source": body,
            "outputs": [],
            "execution_count": None,
        },
    ]
    notebook = {
        "cells": cells,
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    }
    path.write_text(json.dumps(notebook))
    return path


def notebook_workflow(workflow_id: str, notebook: dict[str, Any], **params: Any) -> dict:
    step = {
        "id": "nb",
        "type": "Notebook",
        "retry_policy": {"error_retry_limit": 0},
        "params": {
            "notebook": {
                "type": "MAP",
                "value": {k: {"type": "STRING", "value": v} for k, v in notebook.items()},
            },
            **params,
        },
    }
    return {
        "properties": {"owner": "tester"},
        "workflow": {"id": workflow_id, "steps": [{"step": step}]},
    }


@pytest.fixture
def venv_path() -> Iterator[None]:
    """Processes started for the steps find this interpreter's papermill first."""
    before = os.environ["PATH"]
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{before}"
    yield
    os.environ["PATH"] = before


@pytest.fixture
async def engine(database_url: str, tmp_path: Path, venv_path: None) -> AsyncIterator[Harness]:
    with kube_api(tmp_path / "kubelet") as kube:
        config = kube.kubeconfig(tmp_path / "kubeconfig")
        kubernetes = KubernetesRuntime(
            namespace="maestro", config_file=str(config), poll_seconds=0.1
        )
        runtimes = {StepType.NOTEBOOK: NotebookRuntime(ShellRuntime(), kubernetes)}
        async with engine_at(database_url, tmp_path / "home", runtimes) as running:
            yield running


async def test_a_local_notebook_runs_with_the_step_params(engine: Harness, tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "in.ipynb", "print('x is', x * 2)\n")
    await engine.create(
        notebook_workflow("local-nb", {"input_path": str(source)}, x={"type": "LONG", "value": 21})
    )
    await engine.start("local-nb")
    row = await engine.wait("local-nb", 1, timeout=60)
    step = (await engine.steps("local-nb", 1))["nb"]
    assert row.status == "SUCCEEDED", step.timeline
    executed = Path(step.artifacts["maestro_notebook"]["output_path"])
    cells = json.loads(executed.read_text())["cells"]
    sources = "".join("".join(c["source"]) for c in cells)
    assert "x = 21" in sources, "the param was injected"
    outputs = json.dumps([c.get("outputs") for c in cells])
    assert "x is 42" in outputs


async def test_a_failing_notebook_fails_the_step(engine: Harness, tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "bad.ipynb", "raise ValueError('no good')\n")
    await engine.create(notebook_workflow("bad-nb", {"input_path": str(source)}))
    await engine.start("bad-nb")
    assert (await engine.wait("bad-nb", 1, timeout=60)).status == "FAILED"
    assert (await engine.steps("bad-nb", 1))["nb"].status == "FATALLY_FAILED"


async def test_a_notebook_without_input_path_is_refused(engine: Harness) -> None:
    response = await engine.http.post(
        "/api/v3/workflows", json=notebook_workflow("no-input", {"output_path": "x"})
    )
    assert response.status_code == 400
    assert "params.notebook.value.input_path: is required" in response.text


async def test_sample_notebook_wf_runs_as_a_kubernetes_job(engine: Harness, tmp_path: Path) -> None:
    """Maestro's sample, its notebook pointed at a local copy (no internet here) and its
    init command (a pip install) dropped."""
    body = json.loads(
        (require(shared_dir() / "maestro-samples") / "sample-notebook-wf.json").read_text()
    )
    step = body["workflow"]["steps"][1]["step"]
    source = write_notebook(tmp_path / "demo01.ipynb", "print('foo is', foo)\n")
    step["params"]["notebook"]["value"]["input_path"]["value"] = str(source)
    del step["params"]["notebook"]["value"]["init_command"]
    executed = tmp_path / "executed.ipynb"
    step["params"]["notebook"]["value"]["output_path"] = {"type": "STRING", "value": str(executed)}
    await engine.create(body)
    await engine.start("sample-notebook-wf")
    row = await engine.wait("sample-notebook-wf", 1, timeout=60)
    job2 = (await engine.steps("sample-notebook-wf", 1))["job.2"]
    assert row.status == "SUCCEEDED", job2.timeline
    assert (
        job2.artifacts["maestro_kubernetes"]["image"]
        if "image" in job2.artifacts["maestro_kubernetes"]
        else True
    )
    assert "papermill" in json.dumps(job2.artifacts["maestro_kubernetes"])
