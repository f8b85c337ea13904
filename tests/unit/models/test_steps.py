"""Steps: the wrappers of every kind, typed steps, retry policies and Maestro's output shape."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from maestoso.models import (
    FailureMode,
    ForeachStep,
    RetryPolicy,
    StepBox,
    StepType,
    SubworkflowStep,
    TemplateStep,
    TypedStep,
    WhileStep,
    box_key,
    unbox,
)
from maestoso.models.retry import DEFAULT_BACKOFF, ExponentialBackoff, FixedBackoff
from maestoso.models.steps import (
    FOREACH_CONCURRENCY_MAX,
    LEAF_STEP_TYPES,
    AbstractStep,
    TypedStepBox,
)

BOX = TypeAdapter(StepBox)
NOOP = {"step": {"id": "inner", "type": "NoOp"}}


def _box(data: Any) -> Any:
    return BOX.validate_python(data)


def _error(data: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        _box(data)
    return str(caught.value)


@pytest.mark.parametrize(
    ("data", "cls", "key", "kind"),
    [
        ({"step": {"id": "a", "type": "NoOp"}}, TypedStep, "step", StepType.NOOP),
        (
            {"foreach": {"id": "a", "steps": [NOOP]}},
            ForeachStep,
            "foreach",
            StepType.FOREACH,
        ),
        (
            {"while": {"id": "a", "condition": "i < 3", "steps": [NOOP]}},
            WhileStep,
            "while",
            StepType.WHILE,
        ),
        ({"subworkflow": {"id": "a"}}, SubworkflowStep, "subworkflow", StepType.SUBWORKFLOW),
        ({"template": {"id": "a", "sub_type": "x"}}, TemplateStep, "template", StepType.TEMPLATE),
    ],
)
def test_every_wrapper_kind(data: Any, cls: type, key: str, kind: StepType) -> None:
    box = _box(data)
    step = unbox(box)
    assert isinstance(step, cls)
    assert step.id == "a"
    assert step.kind is kind
    assert box_key(box) == key
    # Maestro writes an empty transition of an end step as {}; nested steps get one too.
    out = box.to_json()
    assert out[key]["transition"] == {}
    assert {k: v for k, v in out[key].items() if k not in ("transition", "steps")} == {
        k: v for k, v in data[key].items() if k != "steps"
    }
    assert list(box.to_json()) == [key]


def test_children_of_loops_and_leaves() -> None:
    foreach = unbox(_box({"foreach": {"id": "f", "steps": [NOOP, NOOP]}}))
    assert [unbox(c).id for c in foreach.children] == ["inner", "inner"]
    loop = unbox(_box({"while": {"id": "w", "condition": "c", "steps": [NOOP]}}))
    assert len(loop.children) == 1
    assert unbox(_box({"subworkflow": {"id": "s"}})).children == []
    assert unbox(_box(NOOP)).children == []


@pytest.mark.parametrize(
    "data",
    [
        {"job": {"id": "a", "type": "NoOp"}},
        {"Step": {"id": "a", "type": "NoOp"}},
        {"step": {"id": "a", "type": "NoOp"}, "foreach": {"id": "b", "steps": [NOOP]}},
        {"step": {"id": "a", "type": "NoOp"}, "extra": 1},
        {},
        {"id": "a", "type": "NoOp"},
        "step",
        ["step"],
        None,
    ],
)
def test_a_bad_wrapper_is_rejected(data: Any) -> None:
    assert (
        "a step must be an object with exactly one key: "
        "step, foreach, while, subworkflow or template"
    ) in _error(data)


@pytest.mark.parametrize("value", [object(), {"step": {}, "x": {}}, {"job": {}}, "step"])
def test_unbox_and_box_key_reject_non_wrappers(value: Any) -> None:
    with pytest.raises(TypeError, match="not a step wrapper"):
        unbox(value)
    with pytest.raises(TypeError, match="not a step wrapper"):
        box_key(value)


def test_box_key_of_a_dict_wrapper() -> None:
    assert box_key({"while": {}}) == "while"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("noop", StepType.NOOP),
        ("NOOP", StepType.NOOP),
        ("NoOp", StepType.NOOP),
        ("sleep", StepType.SLEEP),
        ("kubernetes", StepType.KUBERNETES),
        ("KUBERNETES", StepType.KUBERNETES),
        ("notebook", StepType.NOTEBOOK),
        ("http", StepType.HTTP),
        ("HTTP", StepType.HTTP),
        ("titus", StepType.TITUS),
    ],
)
def test_step_types_are_case_insensitive(given: str, expected: StepType) -> None:
    step = unbox(_box({"step": {"id": "a", "type": given}}))
    assert step.type is expected
    assert step.to_json()["type"] == expected.value


def test_leaf_step_types() -> None:
    assert {t.value for t in LEAF_STEP_TYPES} == {
        "NoOp",
        "Sleep",
        "Titus",
        "Notebook",
        "Kubernetes",
        "Http",
        "Shell",
        "Python",
    }


@pytest.mark.parametrize("kind", ["foreach", "WHILE", "subworkflow", "Template"])
def test_a_non_leaf_type_in_a_step_wrapper_points_to_its_wrapper(kind: str) -> None:
    value = StepType(kind).value
    assert f"type [{value}] is not a typed step; use the [{value}] wrapper" in _error(
        {"step": {"id": "a", "type": kind}}
    )


def test_join_is_internal() -> None:
    assert "type [Join] is internal and cannot be defined" in _error(
        {"step": {"id": "a", "type": "join"}}
    )


def test_a_malformed_step_type_and_an_unknown_field_are_rejected() -> None:
    assert "invalid step type [no spaces]" in _error({"step": {"id": "a", "type": "no spaces"}})
    assert "bogus" in _error({"step": {"id": "a", "type": "NoOp", "bogus": 1}})


def test_another_step_type_is_kept_as_a_plugin_s_name() -> None:
    # Whether a plugin provides it is for the server to say (dsl validation).
    step = unbox(_box({"step": {"id": "a", "type": "spark.Submit"}}))
    assert step.type == "spark.Submit" and not isinstance(step.type, StepType)
    assert step.to_json()["type"] == "spark.Submit"


def test_typed_step_key_order_and_nulls_omitted() -> None:
    data = {
        "params": {"p": {"value": 1, "type": "LONG"}},
        "signal_outputs": [{"name": "out"}],
        "signal_dependencies": [{"name": "in"}],
        "timeout": "1 hour",
        "tags": ["t"],
        "retry_policy": {"error_retry_limit": 3},
        "failure_mode": "ignore_failure",
        "sub_type_version": "1",
        "sub_type": "shell",
        "type": "kubernetes",
        "transition": {"successors": {"b": "true"}},
        "description": "d",
        "name": "n",
        "id": "a",
    }
    out = unbox(_box({"step": data})).to_json()
    assert list(out) == [
        "id",
        "name",
        "description",
        "transition",
        "type",
        "sub_type",
        "sub_type_version",
        "failure_mode",
        "retry_policy",
        "tags",
        "timeout",
        "signal_dependencies",
        "signal_outputs",
        "params",
    ]
    assert out["type"] == "Kubernetes"
    assert out["failure_mode"] == "IGNORE_FAILURE"
    assert out["retry_policy"] == {"error_retry_limit": 3}


def test_minimal_typed_step_omits_nulls_and_writes_an_empty_transition() -> None:
    step = unbox(_box({"step": {"id": "a", "type": "NoOp"}}))
    assert step.to_json() == {"id": "a", "transition": {}, "type": "NoOp"}
    assert step.successors == {}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [(True, "true"), (False, "false"), (1, "1"), (2.5, "2.5"), ("x > 1", "x > 1")],
)
def test_successor_conditions_become_strings(condition: Any, expected: str) -> None:
    step = unbox(
        _box({"step": {"id": "a", "type": "NoOp", "transition": {"successors": {"b": condition}}}})
    )
    assert step.successors == {"b": expected}


def test_transition_keeps_predecessors() -> None:
    step = unbox(
        _box({"step": {"id": "a", "type": "NoOp", "transition": {"predecessors": ["x", "y"]}}})
    )
    assert step.transition.predecessors == ["x", "y"]


@pytest.mark.parametrize("mode", list(FailureMode))
def test_failure_modes_are_case_insensitive(mode: FailureMode) -> None:
    step = unbox(_box({"subworkflow": {"id": "a", "failure_mode": mode.value.lower()}}))
    assert step.failure_mode is mode


@pytest.mark.parametrize(
    "step_id", ["a", "_a", "job.1", "job-1", "a_b", "A.b-c_d9", "x" * 128, "maestroish"]
)
def test_valid_step_ids(step_id: str) -> None:
    assert unbox(_box({"step": {"id": step_id, "type": "NoOp"}})).id == step_id


@pytest.mark.parametrize(
    ("step_id", "message"),
    [
        ("1job", "does not match the pattern [_a-zA-Z][.-_a-zA-Z0-9]*"),
        (".a", "does not match the pattern"),
        ("-a", "does not match the pattern"),
        ("a b", "does not match the pattern"),
        ("a/b", "does not match the pattern"),
        ("maestro_x", "must not start with maestro_"),
        ("MAESTRO_x", "must not start with maestro_"),
        ("a__b", "must not contain the reserved separator __"),
        ("__a", "must not contain the reserved separator __"),
        ("", "must not be empty"),
        ("x" * 129, "is longer than 128 characters"),
    ],
)
def test_invalid_step_ids(step_id: str, message: str) -> None:
    assert message in _error({"step": {"id": step_id, "type": "NoOp"}})


def test_step_id_may_end_with_maestro_suffix() -> None:
    assert unbox(_box({"step": {"id": "a_maestro", "type": "NoOp"}})).id == "a_maestro"


def test_step_name_and_description_limits() -> None:
    assert unbox(_box({"subworkflow": {"id": "a", "name": "n" * 256}})).name == "n" * 256
    assert "longer than 256" in _error({"subworkflow": {"id": "a", "name": "n" * 257}})
    assert "description" in _error({"subworkflow": {"id": "a", "description": "d" * 16385}})


def test_loops_need_steps() -> None:
    assert "steps" in _error({"foreach": {"id": "a", "steps": []}})
    assert "steps" in _error({"foreach": {"id": "a"}})
    assert "steps" in _error({"while": {"id": "a", "condition": "c", "steps": []}})


def test_while_needs_a_condition() -> None:
    assert "condition" in _error({"while": {"id": "a", "steps": [NOOP]}})
    assert "condition" in _error({"while": {"id": "a", "condition": "", "steps": [NOOP]}})


@pytest.mark.parametrize(
    ("concurrency", "ok"), [(1, True), (FOREACH_CONCURRENCY_MAX, True), (0, False), (501, False)]
)
def test_foreach_concurrency_limits(concurrency: int, ok: bool) -> None:
    data = {"foreach": {"id": "a", "concurrency": concurrency, "steps": [NOOP]}}
    if ok:
        assert unbox(_box(data)).concurrency == concurrency  # type: ignore[union-attr]
    else:
        assert "concurrency" in _error(data)


def test_nested_wrappers_round_trip() -> None:
    data = {
        "foreach": {
            "id": "outer",
            "params": {
                "loop_params": {
                    "value": {"i": {"value": [1, 2], "type": "LONG_ARRAY"}},
                    "type": "MAP",
                }
            },
            "steps": [
                {
                    "while": {
                        "id": "loop",
                        "condition": "i < 3",
                        "steps": [{"subworkflow": {"id": "sub", "sync": False}}],
                    }
                },
                {"template": {"id": "tpl", "sub_type": "x"}},
            ],
        }
    }
    box = _box(data)
    expected = {"foreach": {"id": "outer", "transition": {}, **data["foreach"]}}
    expected["foreach"]["steps"] = [
        {
            "while": {
                "id": "loop",
                "transition": {},
                "condition": "i < 3",
                "steps": [{"subworkflow": {"id": "sub", "transition": {}, "sync": False}}],
            }
        },
        {"template": {"id": "tpl", "transition": {}, "sub_type": "x"}},
    ]
    assert box.to_json() == expected


def test_signal_dependencies_and_outputs() -> None:
    step = unbox(
        _box(
            {
                "step": {
                    "id": "a",
                    "type": "NoOp",
                    "signal_dependencies": [
                        {
                            "name": "db/table/${x}",
                            "match_params": {
                                "dateint": {
                                    "param": {"value": 20240101, "type": "LONG"},
                                    "operator": ">=",
                                }
                            },
                        }
                    ],
                    "signal_outputs": [
                        {"name": "out", "params": {"k": {"value": "v", "type": "STRING"}}}
                    ],
                }
            }
        )
    )
    assert isinstance(step, TypedStep)
    assert step.signal_dependencies is not None and step.signal_outputs is not None
    match = step.signal_dependencies[0].match_params
    assert match is not None and match["dateint"].operator.value == ">="
    assert step.signal_outputs[0].params is not None
    assert "name" in _error({"step": {"id": "a", "type": "NoOp", "signal_outputs": [{"name": ""}]}})
    assert "operator" in _error(
        {
            "step": {
                "id": "a",
                "type": "NoOp",
                "signal_dependencies": [
                    {
                        "name": "s",
                        "match_params": {
                            "p": {"param": {"value": 1, "type": "LONG"}, "operator": "!="}
                        },
                    }
                ],
            }
        }
    )


# -- retry policy ----------------------------------------------------------------------------------


def test_retry_policy_with_exponential_backoff() -> None:
    policy = RetryPolicy.model_validate(
        {
            "error_retry_limit": 2,
            "platform_retry_limit": "$limit",
            "timeout_retry_limit": "3",
            "backoff": {
                "type": "exponential_backoff",
                "error_retry_backoff_in_secs": "1 min 40 s",
                "error_retry_exponent": 2,
                "error_retry_limit_in_secs": "${cap}",
            },
        }
    )
    assert isinstance(policy.backoff, ExponentialBackoff)
    assert policy.platform_retry_limit == "$limit"
    assert policy.backoff.error_retry_backoff_in_secs == "1 min 40 s"
    assert policy.to_json()["backoff"] == {
        "type": "EXPONENTIAL_BACKOFF",
        "error_retry_backoff_in_secs": "1 min 40 s",
        "error_retry_exponent": 2,
        "error_retry_limit_in_secs": "${cap}",
    }


@pytest.mark.parametrize("given", ["FIXED_BACKOFF", "fixed_backoff", "Fixed_Backoff"])
def test_backoff_type_is_case_insensitive(given: str) -> None:
    policy = RetryPolicy.model_validate(
        {"backoff": {"type": given, "error_retry_backoff_in_secs": 30}}
    )
    assert isinstance(policy.backoff, FixedBackoff)
    assert policy.to_json() == {
        "backoff": {"type": "FIXED_BACKOFF", "error_retry_backoff_in_secs": 30}
    }


@pytest.mark.parametrize(
    ("backoff", "message"),
    [
        ({"type": "LINEAR_BACKOFF"}, "does not match any of the expected tags"),
        ({}, "type"),
        ({"type": "FIXED_BACKOFF", "error_retry_exponent": 2}, "error_retry_exponent"),
        ({"type": "FIXED_BACKOFF", "error_retry_backoff_in_secs": -1}, "must be non-negative"),
        ({"type": "EXPONENTIAL_BACKOFF", "platform_retry_exponent": "twice"}, "[twice]"),
    ],
)
def test_invalid_backoffs(backoff: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RetryPolicy.model_validate({"backoff": backoff})
    assert message in str(caught.value)


@pytest.mark.parametrize(
    "field", ["error_retry_limit", "platform_retry_limit", "timeout_retry_limit"]
)
def test_retry_limits_are_parsable_longs(field: str) -> None:
    with pytest.raises(ValidationError):
        RetryPolicy.model_validate({field: -1})
    with pytest.raises(ValidationError):
        RetryPolicy.model_validate({field: "many"})
    assert getattr(RetryPolicy.model_validate({field: "5"}), field) == "5"


def test_default_backoff_is_maestros() -> None:
    assert DEFAULT_BACKOFF.to_json() == {
        "type": "EXPONENTIAL_BACKOFF",
        "error_retry_backoff_in_secs": 60,
        "error_retry_exponent": 2,
        "error_retry_limit_in_secs": 600,
        "platform_retry_backoff_in_secs": 60,
        "platform_retry_exponent": 2,
        "platform_retry_limit_in_secs": 3600,
        "timeout_retry_backoff_in_secs": 60,
        "timeout_retry_exponent": 2,
        "timeout_retry_limit_in_secs": 3600,
    }


def test_typed_step_box_serialises_under_step() -> None:
    box = TypedStepBox.model_validate({"step": {"id": "a", "type": "sleep"}})
    assert box.to_json() == {"step": {"id": "a", "transition": {}, "type": "Sleep"}}


def test_the_abstract_step_has_no_kind() -> None:
    with pytest.raises(NotImplementedError):
        _ = AbstractStep(id="a").kind
