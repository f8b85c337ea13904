"""The SDK's builders produce the YAML DSL, and from it Maestro's create request."""

from __future__ import annotations

import yaml

import maestoso.sdk
from maestoso.sdk import Expr, Foreach, Job, Subworkflow, While, Workflow


def test_the_public_surface() -> None:
    assert maestoso.sdk.__all__ == sorted(maestoso.sdk.__all__)
    assert {"Workflow", "Job", "Foreach", "While", "Subworkflow"} <= set(maestoso.sdk.__all__)


def test_maestro_sdk_style_builders() -> None:
    wf = Workflow(id="test-wf")
    wf.owner("tester").tags("test")
    wf.job(Job(id="job1", type="NoOp"))

    assert yaml.safe_load(wf.to_yaml()) == {
        "Workflow": {
            "id": "test-wf",
            "owner": "tester",
            "tags": ["test"],
            "jobs": [{"job": {"id": "job1", "type": "NoOp"}}],
        }
    }


def test_shortcuts_chain_with_after_and_conditions() -> None:
    wf = Workflow("etl", owner="alice")
    extract = wf.shell("extract", "echo hi", env={"A": "1"})
    wf.shell("load", "echo loaded", after=extract, when="day > 1")
    wf.param("day", 20240101).param("next", Expr("day + 1"), type="long", mode="constant")

    request = wf.to_request()

    steps = [item["step"] for item in request["workflow"]["steps"]]
    assert [(s["id"], s["type"]) for s in steps] == [("extract", "Shell"), ("load", "Shell")]
    assert steps[0]["transition"]["successors"] == {"load": "day > 1"}
    assert steps[0]["params"]["env"] == {"value": {"A": "1"}, "type": "STRING_MAP"}
    params = request["workflow"]["params"]
    assert params["day"] == {"value": 20240101, "type": "LONG"}
    assert params["next"] == {"expression": "day + 1", "type": "LONG", "mode": "CONSTANT"}
    assert request["properties"]["owner"] == "alice"


def test_loops_and_subworkflows() -> None:
    wf = Workflow("nested", owner="alice")
    loop = Foreach("each", concurrency=2).loop_param("part", ["a", "b"]).range("hour", to=3)
    loop.noop("inner")
    again = While("again", Expr("i < 3")).loop_param("i", 0)
    again.sleep("wait", 1)
    wf.job(loop, again.transition("child"), Subworkflow("child", workflow_id="etl", sync=True))

    steps = wf.to_request()["workflow"]["steps"]

    kinds = [next(iter(item)) for item in steps]
    assert kinds == ["foreach", "while", "subworkflow"]
    assert steps[0]["foreach"]["steps"][0]["step"]["id"] == "inner"
    assert steps[1]["while"]["condition"] == "i < 3"
    assert steps[1]["while"]["transition"]["successors"] == {"child": "true"}
    assert steps[2]["subworkflow"]["params"]["subworkflow_id"]["value"] == "etl"
