"""Definition-time reference checks."""

from __future__ import annotations

from typing import Any

from maestoso.dsl.validation import validate_request
from maestoso.models import Workflow, WorkflowCreateRequest
from maestoso.params import unknown_references


def _workflow(params: dict[str, Any] | None, steps: list[dict[str, Any]]) -> Workflow:
    return Workflow.model_validate({"id": "wf", "params": params, "steps": steps})


def _expr(text: str, kind: str = "LONG") -> dict[str, Any]:
    return {"type": kind, "expression": text}


def test_known_names_pass() -> None:
    workflow = _workflow(
        {"a": _expr("1"), "b": _expr("a + RUN_TS + sig__p"), "bad": _expr("1 +")},
        [
            {"step": {"id": "s", "type": "NoOp", "params": {
                "x": _expr("a + y + step_id + other__p + Math.max(1, 2)"), "y": _expr("1")}}},
            {"foreach": {"id": "f", "params": {"loop_params": {"type": "MAP", "value": {
                "i": {"type": "LONG_ARRAY", "value": [1]}}}},
                "steps": [{"step": {"id": "in", "type": "NoOp", "params": {
                    "z": _expr("i + loop_index + a")}}}]}},
        ],
    )  # fmt: skip
    assert unknown_references(workflow, steps=True) == []


def test_unknown_names_are_reported_with_their_path() -> None:
    workflow = _workflow(
        {"a": _expr("nope + 1"),
         "m": {"type": "MAP", "value": {"k": _expr("missing")}}},
        [{"step": {"id": "s", "type": "NoOp", "params": {"x": _expr("y")}}}],
    )  # fmt: skip
    assert unknown_references(workflow) == [
        "workflow.params.a.expression: [nope] is not a param",
        "workflow.params.m.value.k.expression: [missing] is not a param",
    ]
    assert unknown_references(workflow, steps=True)[-1] == (
        "workflow.steps[0].step.params.x.expression: [y] is not a param"
    )


def test_loop_params_from_an_expression_open_the_scope() -> None:
    workflow = _workflow(
        None,
        [{"foreach": {"id": "f", "params": {"loop_params": _expr("x", "MAP")},
          "steps": [{"step": {"id": "in", "type": "NoOp", "params": {"z": _expr("i")}}}]}}],
    )  # fmt: skip
    assert unknown_references(workflow, steps=True) == [
        "workflow.steps[0].foreach.params.loop_params.expression: [x] is not a param"
    ]


def test_validation_reports_unknown_workflow_references() -> None:
    request = WorkflowCreateRequest.model_validate(
        {"properties": {"owner": "tester"}, "workflow": {
            "id": "wf", "params": {"a": _expr("nope")},
            "steps": [{"step": {"id": "s", "type": "NoOp"}}]}}
    )  # fmt: skip
    assert "workflow.params.a.expression: [nope] is not a param" in validate_request(request)
