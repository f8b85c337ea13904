"""The workflow object, create requests, stored definitions and Maestro's naming rules."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from maestoso.models import (
    ActionEvent,
    CaseInsensitiveEnum,
    Criticality,
    Metadata,
    Workflow,
    WorkflowAction,
    WorkflowCreateRequest,
    WorkflowDefinition,
    WorkflowTimelineEntry,
)
from maestoso.models.naming import (
    check_name,
    check_param_name,
    check_step_id,
    check_workflow_id,
)
from maestoso.models.timeline import LogEvent

NOOP = {"step": {"id": "job.1", "type": "NoOp"}}


def _workflow(**fields: Any) -> Workflow:
    return Workflow.model_validate({"id": "wf", "steps": [NOOP], **fields})


def _error(model: Any, data: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return str(caught.value)


# -- naming ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "workflow_id",
    ["wf", "1wf", "_wf", "a.b-c_d", "sample-dag-test-1-wf", "x" * 128, "my_maestro_wf", "maestro"],
)
def test_valid_workflow_ids(workflow_id: str) -> None:
    assert check_workflow_id(workflow_id) == workflow_id
    assert _workflow(id=workflow_id).id == workflow_id


@pytest.mark.parametrize(
    ("workflow_id", "message"),
    [
        ("", "must not be empty"),
        ("x" * 129, "is longer than 128 characters"),
        (".wf", "does not match the pattern [_a-zA-Z0-9][.-_a-zA-Z0-9]*"),
        ("-wf", "does not match the pattern"),
        ("w f", "does not match the pattern"),
        ("wf/1", "does not match the pattern"),
        ("wf!", "does not match the pattern"),
        ("maestro_wf", "must not start with maestro_ or end with _maestro"),
        ("Maestro_wf", "must not start with maestro_ or end with _maestro"),
        ("wf_maestro", "must not start with maestro_ or end with _maestro"),
        ("wf_MAESTRO", "must not start with maestro_ or end with _maestro"),
    ],
)
def test_invalid_workflow_ids(workflow_id: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_workflow_id(workflow_id)
    assert message in str(caught.value)
    assert message in _error(Workflow, {"id": workflow_id, "steps": [NOOP]})


def test_workflow_id_may_contain_the_step_separator() -> None:
    assert check_workflow_id("a__b") == "a__b"


@pytest.mark.parametrize(
    ("step_id", "message"),
    [
        ("1a", "does not match the pattern [_a-zA-Z][.-_a-zA-Z0-9]*"),
        ("maestro_a", "must not start with maestro_"),
        ("a__b", "must not contain the reserved separator __"),
        ("x" * 129, "longer than 128"),
    ],
)
def test_check_step_id(step_id: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_step_id(step_id)
    assert message in str(caught.value)


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(ValueError) as caught:
        check_workflow_id("y" * 200)
    assert str(caught.value) == f"[{'y' * 32}...] is longer than 128 characters"


def test_check_name() -> None:
    assert check_name("n" * 256) == "n" * 256
    assert check_name("any text / with spaces") == "any text / with spaces"
    with pytest.raises(ValueError, match="longer than 256"):
        check_name("n" * 257)
    with pytest.raises(ValueError, match="must not be empty"):
        check_name("")


@pytest.mark.parametrize("name", ["a", "_a", "a.b-c", "RUN_TS", "x" * 128])
def test_valid_param_names(name: str) -> None:
    assert check_param_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1a", "param name [1a] does not match the pattern"),
        ("a b", "does not match the pattern"),
        ("", "must not be empty"),
        ("x" * 129, "longer than 128"),
    ],
)
def test_invalid_param_names(name: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_param_name(name)
    assert message in str(caught.value)


# -- workflow ----------------------------------------------------------------------------------


def test_workflow_key_order_and_nulls_omitted() -> None:
    workflow = Workflow.model_validate(
        {
            "steps": [NOOP],
            "params": {"p": {"value": 1, "type": "long"}},
            "instance_step_concurrency": 10,
            "criticality": "high",
            "signal_triggers": [{"definitions": {"s": {}}}],
            "time_triggers": [{"type": "predefined", "expression": "@daily"}],
            "timeout": "10 minutes",
            "tags": ["t"],
            "description": "d",
            "name": "n",
            "id": "wf",
        }
    )
    out = workflow.to_json()
    assert list(out) == [
        "id",
        "name",
        "description",
        "tags",
        "timeout",
        "time_triggers",
        "signal_triggers",
        "criticality",
        "instance_step_concurrency",
        "params",
        "steps",
    ]
    assert out["criticality"] == "HIGH"
    assert _workflow().to_json() == {
        "id": "wf",
        "steps": [{"step": {"id": "job.1", "transition": {}, "type": "NoOp"}}],
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"steps": []}, "steps"),
        ({"steps": None}, "steps"),
        ({"name": "n" * 257}, "longer than 256"),
        ({"description": "d" * 16385}, "at most 16384 characters"),
        ({"instance_step_concurrency": 0}, "greater than or equal to 1"),
        ({"instance_step_concurrency": 1001}, "less than or equal to 1000"),
        ({"criticality": "urgent"}, "criticality"),
        ({"timeout": -1}, "must be non-negative"),
        ({"timeout": "forever"}, "[forever]"),
        ({"run_strategy": "sequential"}, "run_strategy"),
    ],
)
def test_workflow_rejects(fields: dict[str, Any], message: str) -> None:
    assert message in _error(Workflow, {"id": "wf", "steps": [NOOP], **fields})


def test_workflow_requires_an_id() -> None:
    assert "id" in _error(Workflow, {"steps": [NOOP]})


@pytest.mark.parametrize("timeout", [0, 600, "600", "10 minutes", "$timeout", "${t}"])
def test_workflow_timeout_forms(timeout: int | str) -> None:
    assert _workflow(timeout=timeout).timeout == timeout


def test_all_steps_is_depth_first_in_definition_order() -> None:
    workflow = _workflow(
        steps=[
            {"step": {"id": "a", "type": "NoOp"}},
            {
                "foreach": {
                    "id": "f",
                    "steps": [
                        {
                            "while": {
                                "id": "w",
                                "condition": "c",
                                "steps": [{"step": {"id": "w1", "type": "NoOp"}}],
                            }
                        },
                        {"step": {"id": "f2", "type": "NoOp"}},
                    ],
                }
            },
            {"subworkflow": {"id": "s"}},
        ]
    )
    assert [s.id for s in workflow.top_steps()] == ["a", "f", "s"]
    assert [s.id for s in workflow.all_steps()] == ["a", "f", "w", "w1", "f2", "s"]


def test_criticality_values() -> None:
    assert [c.value for c in Criticality] == ["CRITICAL", "HIGH", "MEDIUM", "LOW"]


# -- case-insensitive enums ------------------------------------------------------------------------


class _Colour(CaseInsensitiveEnum):
    RED = "red-value"


@pytest.mark.parametrize("given", ["red-value", "RED-VALUE", "red", "Red", "RED"])
def test_case_insensitive_enum_takes_values_and_names(given: str) -> None:
    assert _Colour(given) is _Colour.RED
    assert str(_Colour.RED) == "red-value"


@pytest.mark.parametrize("given", ["blue", 1, None])
def test_case_insensitive_enum_rejects_others(given: Any) -> None:
    with pytest.raises(ValueError):
        _Colour(given)


# -- create requests and definitions -------------------------------------------------------------


def test_create_request_defaults_and_metadata_extras() -> None:
    request = WorkflowCreateRequest.model_validate(
        {
            "workflow": {"id": "wf", "steps": [NOOP]},
            "dsl_source": "yaml",
            "manifest": {"a": 1},
        }
    )
    assert request.is_active is True
    assert request.properties is None
    assert request.extras == {"dsl_source": "yaml", "manifest": {"a": 1}}
    out = request.to_json()
    assert list(out) == ["workflow", "is_active", "dsl_source", "manifest"]


def test_create_request_keeps_order_properties_workflow_is_active_git_info() -> None:
    request = WorkflowCreateRequest.model_validate(
        {
            "git_info": {"branch": "main", "sha": "abc", "uncommitted_changes": False},
            "is_active": False,
            "workflow": {"id": "wf", "steps": [NOOP]},
            "properties": {"owner": "tester", "run_strategy": "sequential"},
        }
    )
    out = request.to_json()
    assert list(out) == ["properties", "workflow", "is_active", "git_info"]
    assert out["git_info"] == {"branch": "main", "sha": "abc", "uncommitted_changes": False}
    assert out["is_active"] is False


@pytest.mark.parametrize(
    "key", ["workflow_id", "workflow_version_id", "git_info_x", "version_author", "create_time"]
)
def test_create_request_rejects_reserved_metadata_keys(key: str) -> None:
    data = {"workflow": {"id": "wf", "steps": [NOOP]}, key: 1}
    if key == "git_info_x":
        assert WorkflowCreateRequest.model_validate(data).extras == {key: 1}
        return
    assert f"extra info must not contain the reserved keys ['{key}']" in _error(
        WorkflowCreateRequest, data
    )


def test_create_request_rejects_unknown_git_info_keys() -> None:
    data = {"workflow": {"id": "wf", "steps": [NOOP]}, "git_info": {"repo": "x"}}
    assert "repo" in _error(WorkflowCreateRequest, data)


def test_workflow_definition_round_trip() -> None:
    data = {
        "properties_snapshot": {
            "workflow_id": "wf",
            "create_time": 1,
            "author": "tester",
            "owner": {"name": "tester", "AUTH_BLOB": {"user": "x"}},
            "run_strategy": {"rule": "SEQUENTIAL", "workflow_concurrency": 1},
            "step_concurrency": 20,
        },
        "metadata": {
            "workflow_id": "wf",
            "workflow_version_id": 1,
            "create_time": 1,
            "version_author": "tester",
            "git_info": {"sha": "abc"},
            "step_ordinals": {"job.1": 1},
        },
        "workflow": {
            "id": "wf",
            "steps": [{"step": {"id": "job.1", "transition": {}, "type": "NoOp"}}],
        },
        "is_active": True,
        "activate_time": 2,
        "activated_by": "tester",
        "is_latest": True,
        "is_default": True,
        "internal_id": 10000,
        "enriched_extras": {"next_execution_time": 3},
        "modify_time": 2,
    }
    definition = WorkflowDefinition.model_validate(data)
    assert definition.metadata.extras == {"step_ordinals": {"job.1": 1}}
    out = definition.to_json()
    assert out == data
    assert list(out) == list(data)


def test_metadata_requires_its_identity() -> None:
    assert "workflow_version_id" in _error(Metadata, {"workflow_id": "wf", "create_time": 1})


def test_timeline_models() -> None:
    event = ActionEvent.model_validate(
        {"timestamp": 1, "action": "activate", "author": {"name": "a"}, "info": {"k": 1}}
    )
    assert event.action is WorkflowAction.ACTIVATE
    assert event.to_json() == {
        "timestamp": 1,
        "type": "ACTION",
        "action": "ACTIVATE",
        "author": "a",
        "info": {"k": 1},
    }
    assert LogEvent(timestamp=2, message="m").to_json() == {
        "timestamp": 2,
        "type": "LOG",
        "level": "INFO",
        "message": "m",
    }
    entry = WorkflowTimelineEntry.model_validate({"log": "created", "timestamp": 3})
    assert entry.to_json() == {"log": "created", "timestamp": 3}
