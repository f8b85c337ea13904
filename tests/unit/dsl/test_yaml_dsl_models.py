"""The DSL's output is a create request that Maestoso's own models and rules accept."""

from __future__ import annotations

from pathlib import Path

import pytest

from maestoso.dsl.requests import parse_model
from maestoso.dsl.validation import validate_request
from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.models import WorkflowCreateRequest


def resolver(job_type: str, version: str | None) -> str | None:
    return {"spark": "Notebook", "shell": "Kubernetes"}.get(job_type)


@pytest.mark.parametrize(
    "name", ["sample-dsl-wf-1.yaml", "sample-conditional-wf.yaml", "sample-http-wf.yaml"]
)
@pytest.mark.parametrize("with_resolver", [True, False])
def test_sample_output_is_a_valid_create_request(
    maestro_samples: Path, name: str, with_resolver: bool
) -> None:
    text = (maestro_samples / name).read_text()
    data = parse_workflow_yaml(text, resolve_step_type=resolver if with_resolver else None)
    request = parse_model(WorkflowCreateRequest, data)
    assert validate_request(request) == []
    assert request.workflow.id == data["workflow"]["id"]


def test_user_guide_example_is_a_valid_create_request() -> None:
    guide = (Path(__file__).resolve().parents[3] / "docs" / "yaml-dsl.md").read_text()
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    request = parse_model(WorkflowCreateRequest, parse_workflow_yaml(example))
    assert validate_request(request) == []
