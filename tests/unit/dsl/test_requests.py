"""Request parsing: JSON syntax errors, and model errors listed as ``path: message``."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from maestoso.dsl.requests import format_path, parse_json, parse_model, pydantic_errors
from maestoso.errors import ValidationError
from maestoso.models import Properties, RetryPolicy, Workflow, WorkflowCreateRequest

NOOP = {"step": {"id": "a", "type": "NoOp"}}


def _errors(model: type[pydantic.BaseModel], data: Any, root: str = "") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_model(model, data, root=root)
    return caught.value.errors


def _request(*steps: Any, **workflow: Any) -> dict[str, Any]:
    return {"workflow": {"id": "wf", "steps": list(steps) or [NOOP], **workflow}}


@pytest.mark.parametrize(
    ("loc", "root", "path"),
    [
        (("workflow", "steps", 2, "step", "step", "id"), "", "workflow.steps[2].step.id"),
        (
            ("workflow", "steps", 0, "foreach", "foreach", "steps", 1, "step", "step", "type"),
            "",
            "workflow.steps[0].foreach.steps[1].step.type",
        ),
        (("steps", 0, "while", "while", "condition"), "", "steps[0].while.condition"),
        (("steps", 0, "subworkflow", "subworkflow"), "", "steps[0].subworkflow"),
        (("steps", 0, "template", "template", "id"), "", "steps[0].template.id"),
        (("id",), "workflow", "workflow.id"),
        ((0, "name"), "tags", "tags[0].name"),
        ((), "", ""),
        ((), "body", "body"),
        ((3,), "", "[3]"),
        (("owner", "User", "name"), "", "owner.name"),
        (("owner", "str"), "", "owner"),
        (("tags", 0, "function-after[check_name(), str]"), "", "tags[0]"),
        (("timeout", "int"), "", "timeout"),
        (("flag", "bool"), "", "flag"),
        (("tags", 1, "Tag", "permit"), "", "tags[1].permit"),
        (("time_triggers", 0, "CRON", "cron"), "", "time_triggers[0].cron"),
        (("backoff", "FIXED_BACKOFF", "type"), "", "backoff.type"),
        (("params", "CRON", "value"), "", "params.CRON.value"),
        (("steps", "steps", "id"), "", "steps.steps.id"),
    ],
)
def test_format_path(loc: tuple[int | str, ...], root: str, path: str) -> None:
    assert format_path(loc, root=root) == path


def test_parse_model_returns_the_model() -> None:
    request = parse_model(WorkflowCreateRequest, _request())
    assert isinstance(request, WorkflowCreateRequest)
    assert request.workflow.id == "wf"


def test_an_error_names_the_path_of_a_nested_step() -> None:
    data = _request(
        {"foreach": {"id": "f", "steps": [NOOP, {"step": {"id": "b"}}]}},
    )
    with pytest.raises(ValidationError) as caught:
        parse_model(WorkflowCreateRequest, data)
    assert caught.value.errors == ["workflow.steps[0].foreach.steps[1].step.type: is required"]
    assert caught.value.message == (
        "invalid workflow create request: 1 error: "
        "workflow.steps[0].foreach.steps[1].step.type: is required"
    )


def test_every_error_is_listed_once_per_path() -> None:
    data = _request(
        NOOP,
        {"step": {"id": "maestro_b", "type": "NoOp", "bogus": 1}},
        {"while": {"id": "w", "steps": [{"job": {}}]}},
        {"step": {"id": "c", "type": "NoOp", "timeout": "whenever"}},
        {"subworkflow": {"id": "s", "tags": ["t", {"name": "t"}]}},
    )
    errors = _errors(WorkflowCreateRequest, data)
    assert errors == [
        "workflow.steps[1].step.id: [maestro_b] must not start with maestro_",
        "workflow.steps[1].step.bogus: unknown field",
        "workflow.steps[2].while.condition: is required",
        "workflow.steps[2].while.steps[0]: a step must be an object with exactly one key: "
        "step, foreach, while, subworkflow or template",
        "workflow.steps[3].step.timeout: [whenever] is neither a number, a duration "
        "(e.g. '10 minutes') nor a $param reference",
        "workflow.steps[4].subworkflow.tags: duplicate tag name [t]",
    ]
    with pytest.raises(ValidationError) as caught:
        parse_model(WorkflowCreateRequest, data)
    assert caught.value.message.startswith(
        f"invalid workflow create request: 6 errors: {errors[0]}"
    )


def test_error_paths_of_a_step_parse_without_union_members() -> None:
    data = _request(
        {
            "step": {
                "id": "a",
                "type": "NoOp",
                "retry_policy": {
                    "backoff": {"type": "fixed_backoff", "error_retry_backoff_in_secs": -1}
                },
                "params": {"p": {"type": "LONG_ARRAY", "value": [1, "x"]}},
            }
        },
        time_triggers=[{"type": "cron", "fuzzy_max_delay": "later"}],
    )
    assert _errors(WorkflowCreateRequest, data) == [
        "workflow.time_triggers[0].cron: is required",
        "workflow.time_triggers[0].fuzzy_max_delay: [later] is neither a number, a duration "
        "(e.g. '10 minutes') nor a $param reference",
        "workflow.steps[0].step.retry_policy.backoff.error_retry_backoff_in_secs: "
        "must be non-negative",
        "workflow.steps[0].step.params.p: element [1]: ['x'] is not a LONG",
    ]


def test_missing_and_unknown_top_level_fields() -> None:
    assert _errors(Workflow, {"steps": [NOOP], "owner": "x"}, root="workflow") == [
        "workflow.id: is required",
        "workflow.owner: unknown field",
    ]
    assert _errors(WorkflowCreateRequest, {}) == ["workflow: is required"]


def test_model_level_errors_have_no_path() -> None:
    data = {**_request(), "create_time": 1}
    assert _errors(WorkflowCreateRequest, data) == [
        "extra info must not contain the reserved keys ['create_time']"
    ]


def test_a_body_that_is_not_an_object() -> None:
    assert _errors(Properties, ["x"]) == [
        "Input should be a valid dictionary or instance of Properties"
    ]
    assert _errors(Properties, ["x"], root="properties") == [
        "properties: Input should be a valid dictionary or instance of Properties"
    ]


def test_the_message_names_the_model_in_words() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_model(RetryPolicy, {"error_retry_limit": -1})
    assert caught.value.message == (
        "invalid retry policy: 1 error: error_retry_limit: must be non-negative"
    )


def test_pydantic_errors_with_a_root() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Workflow.model_validate({"id": "maestro_x", "steps": []})
    assert pydantic_errors(caught.value, root="workflow") == [
        "workflow.id: [maestro_x] must not start with maestro_ or end with _maestro",
        "workflow.steps: List should have at least 1 item after validation, not 0",
    ]


def test_parse_json() -> None:
    assert parse_json('{"a": [1, 2.5, null, true]}') == {"a": [1, 2.5, None, True]}
    assert parse_json(b'{"name": "caf\xc3\xa9"}') == {"name": "café"}


@pytest.mark.parametrize(
    ("body", "line", "column", "reason"),
    [
        ('{"a": 1,}', 1, 9, "Expecting property name enclosed in double quotes"),
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "Expecting ',' delimiter"),
        ("", 1, 1, "Expecting value"),
        ("[1, 2", 1, 6, "Expecting ',' delimiter"),
        ('{"a": 1} x', 1, 10, "Extra data"),
    ],
)
def test_malformed_json_names_line_and_column(
    body: str, line: int, column: int, reason: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_json(body)
    assert caught.value.message == f"malformed JSON at line {line} column {column}: {reason}"
    assert caught.value.errors == [f"body: {reason} (line {line}, column {column})"]


def test_a_body_that_is_not_utf8() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_json(b'{"a": "\xff\xfe\xfa"}')
    assert caught.value.message == "the request body is not valid UTF-8"
    assert len(caught.value.errors) == 1


def test_errors_name_the_value_they_refuse() -> None:
    body = {
        "workflow": {
            "id": "wf",
            "instance_step_concurrency": 0,
            "steps": [{"step": {"id": "a", "type": "NoOp", "failure_mode": "Bogus"}}],
        }
    }
    with pytest.raises(ValidationError) as caught:
        parse_model(WorkflowCreateRequest, body)

    errors = caught.value.errors
    assert any(
        e.startswith("workflow.steps[0].step.failure_mode: [Bogus] is not allowed") for e in errors
    )
    assert any(
        e.startswith("workflow.instance_step_concurrency:") and e.endswith("got [0]")
        for e in errors
    )
