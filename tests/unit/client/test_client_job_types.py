"""The client resolves the job templates of a YAML document with its server before pushing."""

from __future__ import annotations

import json

import httpx
import pytest

from maestoso.client import Client
from maestoso.errors import ValidationError

YAML = """Workflow:
  id: y
  owner: ann
  jobs:
    - job: {id: hi, type: greet, type_version: v2, who: bob}
    - job: {id: sh, type: shell, command: ls}
"""


def serving(templates: dict[tuple[str, str], str]) -> tuple[Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.startswith("/api/v3/job-templates/"):
            key = (request.url.path.rsplit("/", 1)[1], request.url.params["version"])
            if key not in templates:
                return httpx.Response(404, json={"status": "NOT_FOUND", "message": "no"})
            definition = {"job_type": key[0], "version": key[1], "step_type": templates[key]}
            return httpx.Response(200, json={"metadata": {}, "definition": definition})
        body = {"workflow": json.loads(request.content)["workflow"], "metadata": {}}
        return httpx.Response(200, json={"workflow_definition": body})

    return Client("http://maestoso", transport=httpx.MockTransport(handler)), seen


def test_a_template_job_is_pushed_as_a_step_of_the_templates_step_type() -> None:
    client, seen = serving({("greet", "v2"): "Shell"})

    client.push(YAML)

    asked = [r.url.path for r in seen if r.method == "GET"]
    assert asked == ["/api/v3/job-templates/greet"]  # Shell is built in: nothing to ask
    steps = json.loads(seen[-1].content)["workflow"]["steps"]
    assert steps[0]["step"]["type"] == "Shell"
    assert steps[0]["step"]["sub_type"] == "greet"
    assert steps[0]["step"]["sub_type_version"] == "v2"
    assert steps[1]["step"]["type"] == "Shell" and "sub_type" not in steps[1]["step"]


def test_an_unknown_job_type_is_refused_before_anything_is_pushed() -> None:
    client, seen = serving({})

    with pytest.raises(ValidationError) as caught:
        client.push(YAML)

    assert "with job type: [greet] of version [v2]" in caught.value.errors[0]
    assert all(r.method == "GET" for r in seen)
