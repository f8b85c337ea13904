"""The semantic rules of a definition: graph, limits, required params, crons, retries, timeouts."""

from __future__ import annotations

from typing import Any

import pytest

from maestoso.dsl.validation import (
    RESERVED_PARAM_NAMES,
    ValidationSettings,
    cron_problem,
    quartz_to_unix,
    validate_request,
)
from maestoso.models import WorkflowCreateRequest


def _step(step_id: str, kind: str = "NoOp", **fields: Any) -> dict[str, Any]:
    return {"step": {"id": step_id, "type": kind, **fields}}


def _then(*successors: str) -> dict[str, Any]:
    return {"successors": dict.fromkeys(successors, "true")}


def _foreach(step_id: str, steps: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    loop = {"type": "MAP", "value": {"i": {"type": "LONG_ARRAY", "value": [1, 2]}}}
    params = fields.pop("params", {"loop_params": loop})
    return {"foreach": {"id": step_id, "params": params, "steps": steps, **fields}}


def _map(**entries: Any) -> dict[str, Any]:
    return {
        "type": "MAP",
        "value": {k: {"type": "STRING", "value": v} for k, v in entries.items()},
    }


def _errors(
    steps: list[dict[str, Any]] | None = None,
    *,
    properties: dict[str, Any] | None = None,
    settings: ValidationSettings | None = None,
    **workflow: Any,
) -> list[str]:
    data: dict[str, Any] = {"workflow": {"id": "wf", "steps": steps or [_step("a")], **workflow}}
    if properties is not None:
        data["properties"] = properties
    return validate_request(WorkflowCreateRequest.model_validate(data), settings)


def test_a_valid_request_has_no_errors() -> None:
    assert (
        _errors(
            [
                _step("a", transition=_then("b", "c")),
                _step("b", transition={"successors": {"d": "x > 1"}, "predecessors": ["a"]}),
                _step("c", transition=_then("d")),
                _step("d", transition={"predecessors": ["c", "b"]}),
            ],
            properties={"owner": "tester", "run_strategy": "sequential"},
            timeout="10 days",
            params={"p": {"type": "LONG", "value": 1}},
            time_triggers=[{"type": "cron", "cron": "0 0 * * *", "timezone": "US/Pacific"}],
        )
        == []
    )


# -- properties --------------------------------------------------------------------------------


def test_tags_cannot_be_set_in_properties() -> None:
    assert _errors(properties={"tags": ["t"]}) == [
        "properties.tags: tags cannot be set here; use the properties tag endpoints"
    ]


def test_pagerduty_services_must_be_allowed() -> None:
    properties = {"alerting": {"pagerduties": ["ok", "other"]}}
    assert _errors(properties=properties) == [
        "properties.alerting.pagerduties: unknown PagerDuty service [ok]; the services that can "
        "be paged are [] (MAESTOSO_PAGERDUTY_SERVICES)",
        "properties.alerting.pagerduties: unknown PagerDuty service [other]; the services that "
        "can be paged are [] (MAESTOSO_PAGERDUTY_SERVICES)",
    ]
    settings = ValidationSettings(pagerduty_services=frozenset({"ok", "b"}))
    assert _errors(properties=properties, settings=settings) == [
        "properties.alerting.pagerduties: unknown PagerDuty service [other]; the services that "
        "can be paged are ['b', 'ok'] (MAESTOSO_PAGERDUTY_SERVICES)"
    ]
    assert _errors(properties={"alerting": {"pagerduties": ["ok"]}}, settings=settings) == []
    assert _errors(properties={"alerting": {"emails": ["a@b.c"]}}) == []


def test_a_step_type_must_be_built_in_or_provided_by_a_plugin() -> None:
    steps = [_step("a", "Python"), _foreach("loop", [_step("b", "Spark"), _step("c", "shell")])]
    assert _errors(steps) == [
        "workflow.steps[1].foreach.steps[0].step.type: unknown step type [Spark]: not a built-in "
        "step type, and no installed plugin provides it (plugin step types: none installed)"
    ]
    settings = ValidationSettings(plugin_step_types=frozenset({"Spark"}))
    assert _errors(steps, settings=settings) == []
    other = ValidationSettings(plugin_step_types=frozenset({"Dbt", "spark"}))
    assert _errors(steps, settings=other) == [
        "workflow.steps[1].foreach.steps[0].step.type: unknown step type [Spark]: not a built-in "
        "step type, and no installed plugin provides it (plugin step types: ['Dbt', 'spark'])"
    ]


def test_pagerduty_services_of_type_configs_must_be_allowed() -> None:
    properties = {"alerting": {"type_configs": {"STEP_FAILURE": {"pagerduties": ["secret"]}}}}
    assert _errors(properties=properties) != []


# -- timeouts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeout", "message"),
    [
        (0, "must be greater than 0"),
        ("0", "must be greater than 0"),
        ("0 s", "must be greater than 0"),
        ("500 ms", "must be greater than 0"),
        (120 * 86_400 + 1, "must be at most 10368000 seconds (120 days)"),
        ("121 days", "must be at most 10368000 seconds (120 days)"),
        ("2881 hours", "must be at most 10368000 seconds (120 days)"),
    ],
)
def test_invalid_timeouts(timeout: int | str, message: str) -> None:
    assert _errors(timeout=timeout) == [f"workflow.timeout: {message}"]
    assert _errors([_step("a", timeout=timeout)]) == [f"workflow.steps[0].step.timeout: {message}"]


@pytest.mark.parametrize("timeout", [1, "1 s", 120 * 86_400, "120 days", "$t", "${t}", "${t}s"])
def test_valid_timeouts(timeout: int | str) -> None:
    assert _errors(timeout=timeout) == []
    assert _errors([_step("a", timeout=timeout)]) == []


def test_nested_step_timeouts_are_checked() -> None:
    steps = [_foreach("f", [{"subworkflow": {"id": "s", "timeout": 0, "params": _sub()}}])]
    assert _errors(steps) == [
        "workflow.steps[0].foreach.steps[0].subworkflow.timeout: must be greater than 0"
    ]


def _sub() -> dict[str, Any]:
    return {"subworkflow_id": {"type": "STRING", "value": "child"}}


# -- params ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        *sorted(RESERVED_PARAM_NAMES),
        "scheduler",
        "scheduler_x",
        "maestro_step",
    ],
)
def test_reserved_param_names(name: str) -> None:
    params = {name: {"type": "STRING", "value": "x"}}
    assert _errors(params=params) == [f"workflow.params.{name}: [{name}] is a reserved param name"]
    assert _errors([_step("a", params=params)]) == [
        f"workflow.steps[0].step.params.{name}: [{name}] is a reserved param name"
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("1x", "param name [1x] must start with a letter or _"),
        ("-x", "param name [-x] must start with a letter or _"),
        ("", "param name [] must start with a letter or _"),
        ("a__b", "param name [a__b] must not contain __"),
    ],
)
def test_invalid_param_names(name: str, message: str) -> None:
    params = {name: {"type": "STRING", "value": "x"}}
    assert _errors(params=params) == [f"workflow.params.{name}: {message}"]


@pytest.mark.parametrize("name", ["x", "_x", "RUN_TS", "maestro1", "util_x", "Scheduler_x"])
def test_allowed_param_names(name: str) -> None:
    assert _errors(params={name: {"type": "STRING", "value": "x"}}) == []


# -- time and signal triggers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "cron",
    [
        "*/2 * * * *",
        "0 0 * * *",
        "*/15 9-17 * * MON-FRI",
        "0 0 12 1/1 * ? *",
        "0 30 * * * ?",
        "0 0 12 ? * MON-FRI",
        "0 0/5 * * * ?",
        "0 15 10 ? * 2-6 *",
    ],
)
def test_valid_crons(cron: str) -> None:
    assert cron_problem(cron) is None
    assert _errors(time_triggers=[{"type": "CRON", "cron": cron}]) == []


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        ("61 * * * *", "[61 * * * *] is not a valid cron expression"),
        ("* * 32 * *", "[* * 32 * *] is not a valid cron expression"),
        ("a b c d e", "[a b c d e] is not a valid cron expression"),
        ("* * * *", "[* * * *] must have 5 (Unix) or 6-7 (Quartz) fields"),
        ("0 0 0 * * ? * *", "[0 0 0 * * ? * *] must have 5 (Unix) or 6-7 (Quartz) fields"),
        ("", "[] must have 5 (Unix) or 6-7 (Quartz) fields"),
        ("@daily", "[@daily] must have 5 (Unix) or 6-7 (Quartz) fields"),
        ("30 0 12 * * ?", "[30 0 12 * * ?] is not a valid Quartz cron expression"),
        ("0 0 12 * * ? 2030", "[0 0 12 * * ? 2030] is not a valid Quartz cron expression"),
        ("0 0 12 ? * ?", "[0 0 12 ? * ?] is not a valid Quartz cron expression"),
        ("0 0 25 * * ?", "[0 0 25 * * ?] is not a valid cron expression"),
    ],
)
def test_invalid_crons(cron: str, problem: str) -> None:
    assert cron_problem(cron) == problem
    assert _errors(time_triggers=[{"type": "CRON", "cron": cron}]) == [
        f"workflow.time_triggers[0].cron: {problem}"
    ]


@pytest.mark.parametrize(
    ("quartz", "unix"),
    [
        ("0 0 12 1/1 * ? *", "0 12 1/1 * *"),
        ("0 30 * * * ?", "30 * * * *"),
        ("* 30 * * * ?", "30 * * * *"),
        ("0 0 12 ? * 1", "0 12 * * 0"),
        ("0 0 12 ? * 2-6", "0 12 * * 1-5"),
        ("0 0 12 ? * 1,7", "0 12 * * 0,6"),
        ("0 0 12 ? * MON", "0 12 * * MON"),
        ("0 0 12 15 * ?", "0 12 15 * *"),
        ("0 0 12 * * ? ?", "0 12 * * *"),
    ],
)
def test_quartz_to_unix(quartz: str, unix: str) -> None:
    assert quartz_to_unix(quartz.split()) == unix


@pytest.mark.parametrize(
    ("quartz", "unix"),
    [("0 0 12 ? * 6#3", "0 12 * * 5#3"), ("0 0 12 ? * 1/2", "0 12 * * 0/2")],
)
def test_quartz_weekday_counts_are_not_shifted(quartz: str, unix: str) -> None:
    assert quartz_to_unix(quartz.split()) == unix


@pytest.mark.parametrize(
    "expression",
    ["@daily", "@hourly", "@weekly", "@monthly", "@yearly", "@annually", "@midnight", "@DAILY"],
)
def test_predefined_expressions(expression: str) -> None:
    assert _errors(time_triggers=[{"type": "predefined", "expression": expression}]) == []


def test_unknown_predefined_expression() -> None:
    assert _errors(time_triggers=[{"type": "predefined", "expression": "@fortnightly"}]) == [
        "workflow.time_triggers[0].expression: [@fortnightly] is not one of ['@annually', "
        "'@daily', '@hourly', '@midnight', '@monthly', '@weekly', '@yearly']"
    ]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "UTC+25", "", "../etc/passwd", "US/Nowhere"])
def test_unknown_time_zones(zone: str) -> None:
    triggers = [
        {"type": "cron", "cron": "*/5 * * * *", "timezone": zone},
        {"type": "predefined", "expression": "@daily", "timezone": zone},
    ]
    assert _errors(time_triggers=triggers) == [
        f"workflow.time_triggers[0].timezone: unknown time zone [{zone}]",
        f"workflow.time_triggers[1].timezone: unknown time zone [{zone}]",
    ]


@pytest.mark.parametrize("zone", ["UTC", "US/Pacific", "Asia/Tokyo", "Europe/Paris"])
def test_known_time_zones(zone: str) -> None:
    assert _errors(time_triggers=[{"type": "cron", "cron": "*/5 * * * *", "timezone": zone}]) == []


def test_interval_triggers_need_a_positive_interval() -> None:
    assert _errors(time_triggers=[{"type": "interval", "interval": "1 hour"}]) == []
    assert _errors(time_triggers=[{"type": "interval", "interval": 0}]) == [
        "workflow.time_triggers[0].interval: must be greater than 0"
    ]


def test_signal_trigger_limits() -> None:
    nine = {f"s{i}": {} for i in range(9)}
    eight = {f"s{i}": {} for i in range(8)}
    assert _errors(signal_triggers=[{"definitions": eight}]) == []
    assert _errors(signal_triggers=[{"definitions": eight}, {"definitions": nine}]) == [
        "workflow.signal_triggers[1]: a trigger may join at most 8 signals"
    ]
    uneven = {"a": {"join_keys": ["x"]}, "b": {"join_keys": ["x", "y"]}}
    assert _errors(signal_triggers=[{"definitions": uneven}]) == [
        "workflow.signal_triggers[0].definitions: join_keys must have the same size in every signal"
    ]
    even = {"a": {"join_keys": ["x"]}, "b": {"join_keys": ["y"]}}
    assert _errors(signal_triggers=[{"definitions": even}]) == []


# -- graph -----------------------------------------------------------------------------------------


def test_duplicate_step_ids() -> None:
    assert _errors([_step("a"), _step("a")]) == ["workflow.steps[1].step.id: duplicate step id [a]"]


def test_nested_duplicate_step_ids() -> None:
    steps = [_step("a"), _foreach("f", [_step("b"), _foreach("g", [_step("a"), _step("f")])])]
    assert _errors(steps) == [
        "workflow.steps[1].foreach.steps[1].foreach.steps[0].step.id: duplicate step id [a]",
        "workflow.steps[1].foreach.steps[1].foreach.steps[1].step.id: duplicate step id [f]",
    ]


def test_duplicate_ids_across_sibling_loops() -> None:
    steps = [_foreach("f", [_step("x")]), _foreach("g", [_step("x")])]
    assert _errors(steps) == ["workflow.steps[1].foreach.steps[0].step.id: duplicate step id [x]"]


def test_unknown_successors() -> None:
    steps = [_step("a", transition=_then("b", "job.9", "zz")), _step("b")]
    assert _errors(steps) == [
        "workflow.steps[0].step.transition.successors: unknown step [job.9, zz]"
    ]


def test_successors_must_be_on_the_same_level() -> None:
    steps = [
        _step("a", transition=_then("inner")),
        _foreach("f", [_step("inner", transition=_then("a"))]),
    ]
    assert _errors(steps) == [
        "workflow.steps[1].foreach.steps[0].step.transition.successors: unknown step [a]",
        "workflow.steps[0].step.transition.successors: unknown step [inner]",
    ]


def test_predecessors_must_match_the_edges() -> None:
    steps = [
        _step("a", transition=_then("c")),
        _step("b", transition={"predecessors": []}),
        _step("c", transition={"predecessors": ["b"]}),
    ]
    assert _errors(steps) == [
        "workflow.steps[2].step.transition.predecessors: [b] do not match the steps leading "
        "here [a]"
    ]


@pytest.mark.parametrize(
    ("steps", "cycle"),
    [
        ([_step("a", transition=_then("a"))], "a -> a"),
        ([_step("a", transition=_then("b")), _step("b", transition=_then("a"))], "a -> b -> a"),
        (
            [
                _step("start", transition=_then("x")),
                _step("x", transition=_then("y")),
                _step("y", transition=_then("z")),
                _step("z", transition=_then("x")),
            ],
            "x -> y -> z -> x",
        ),
    ],
)
def test_cycles_name_their_steps(steps: list[dict[str, Any]], cycle: str) -> None:
    assert f"workflow.steps: the steps [{cycle}] form a cycle" in _errors(steps)


def test_cycles_in_nested_levels() -> None:
    inner = [_step("p", transition=_then("q")), _step("q", transition=_then("p"))]
    assert _errors([_foreach("f", inner)]) == [
        "workflow.steps[0].foreach.steps: the steps [p -> q -> p] form a cycle"
    ]


def test_step_limit() -> None:
    limit = [_step(f"s{i}") for i in range(300)]
    assert _errors(limit) == []
    over = [_foreach("f", [_step(f"s{i}") for i in range(300)])]
    assert _errors(over) == ["workflow.steps: has 301 steps; at most 300 are allowed"]


def _nest(levels: int) -> dict[str, Any]:
    step: dict[str, Any] = _step("leaf")
    for level in range(levels):
        step = _foreach(f"loop{level}", [step])
    return step


def test_depth_limit() -> None:
    assert _errors([_nest(9)]) == []
    path = "workflow.steps" + "[0].foreach.steps" * 10
    assert _errors([_nest(10)]) == [f"{path}: steps are nested deeper than 10 levels"]


# -- step kinds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (None, ["params.loop_params: a foreach step needs a non-empty MAP param"]),
        ({}, ["params.loop_params: a foreach step needs a non-empty MAP param"]),
        (
            {"loop_params": {"type": "STRING", "value": "x"}},
            ["params.loop_params: a foreach step needs a non-empty MAP param"],
        ),
        (
            {"loop_params": {"type": "MAP", "value": {}}},
            ["params.loop_params: a foreach step needs a non-empty MAP param"],
        ),
        (
            {
                "loop_params": {
                    "type": "MAP",
                    "value": {"i": {"type": "LONG_ARRAY", "value": [1]}},
                },
                "loop_index": {"type": "LONG", "value": 0},
            },
            ["params.loop_index: is reserved for the iteration index"],
        ),
    ],
)
def test_foreach_rules(params: dict[str, Any] | None, errors: list[str]) -> None:
    step = {"foreach": {"id": "f", "steps": [_step("a")]}}
    if params is not None:
        step["foreach"]["params"] = params
    assert _errors([step]) == [f"workflow.steps[0].foreach.{e}" for e in errors]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (None, []),
        ({"loop_params": {"type": "MAP", "value": {"i": {"type": "LONG", "value": 1}}}}, []),
        (
            {"loop_params": {"type": "LONG", "value": 1}},
            ["params.loop_params: must be a MAP param"],
        ),
        (
            {
                "loop_index": {"type": "LONG", "value": 1},
                "condition": {"type": "STRING", "value": "c"},
            },
            [
                "params.loop_index: is reserved in a while step",
                "params.condition: is reserved in a while step",
            ],
        ),
    ],
)
def test_while_rules(params: dict[str, Any] | None, errors: list[str]) -> None:
    step: dict[str, Any] = {"while": {"id": "w", "condition": "i < 3", "steps": [_step("a")]}}
    if params is not None:
        step["while"]["params"] = params
    assert _errors([step]) == [f"workflow.steps[0].while.{e}" for e in errors]


def test_subworkflow_needs_its_id() -> None:
    assert _errors([{"subworkflow": {"id": "s", "params": _sub()}}]) == []
    assert _errors([{"subworkflow": {"id": "s"}}]) == [
        "workflow.steps[0].subworkflow.params.subworkflow_id: a subworkflow step needs this param"
    ]


def test_template_steps_have_no_extra_rules() -> None:
    assert _errors([{"template": {"id": "t", "sub_type": "x"}}]) == []


@pytest.mark.parametrize(
    ("kind", "params", "errors"),
    [
        ("Kubernetes", {"kubernetes": _map(image="busybox")}, []),
        ("Kubernetes", None, ["params.kubernetes: a Kubernetes step needs this MAP param"]),
        (
            "kubernetes",
            {"kubernetes": _map(cpu="1")},
            ["params.kubernetes.value.image: is required"],
        ),
        (
            "Kubernetes",
            {"kubernetes": {"type": "STRING", "value": "busybox"}},
            ["params.kubernetes.type: must be MAP"],
        ),
        ("Kubernetes", {"kubernetes": {"type": "MAP", "expression": "k8s_config"}}, []),
        ("Http", {"http": _map(url="http://x")}, []),
        ("http", {"http": _map(method="GET")}, ["params.http.value.url: is required"]),
        ("Http", {}, ["params.http: a Http step needs this MAP param"]),
        ("Notebook", {"notebook": _map(input_path="s3://nb")}, []),
        ("Notebook", None, ["params.notebook: a Notebook step needs this MAP param"]),
        (
            "notebook",
            {"notebook": _map(git_repo="r")},
            ["params.notebook.value.input_path: is required"],
        ),
        ("NoOp", None, []),
        ("Titus", None, []),
        ("Sleep", {"sleep_seconds": {"type": "LONG", "value": 3}}, []),
        ("Sleep", {"sleep_seconds": {"type": "STRING", "value": "3"}}, []),
        (
            "Sleep",
            {"sleep_seconds": {"type": "DOUBLE", "value": 3.5}},
            ["params.sleep_seconds: must be a LONG param"],
        ),
    ],
)
def test_typed_step_params(kind: str, params: dict[str, Any] | None, errors: list[str]) -> None:
    fields = {} if params is None else {"params": params}
    assert _errors([_step("a", kind, **fields)]) == [f"workflow.steps[0].step.{e}" for e in errors]


def test_a_sub_type_takes_params_from_its_job_template() -> None:
    assert _errors([_step("a", "Kubernetes", sub_type="spark")]) == []


# -- retry policies --------------------------------------------------------------------------------


def _retry(policy: dict[str, Any]) -> list[str]:
    return _errors([_step("a", retry_policy=policy)])


@pytest.mark.parametrize(
    "field", ["error_retry_limit", "platform_retry_limit", "timeout_retry_limit"]
)
def test_retry_limits(field: str) -> None:
    assert _retry({field: 99}) == []
    assert _retry({field: 0}) == []
    assert _retry({field: "$limit"}) == []
    assert _retry({field: 100}) == [
        f"workflow.steps[0].step.retry_policy.{field}: must be at most 99"
    ]


@pytest.mark.parametrize(
    "policy",
    [
        {"error_retry_limit": "100"},
        {"backoff": {"type": "EXPONENTIAL_BACKOFF", "error_retry_exponent": "0"}},
    ],
)
def test_numeric_string_retry_values_are_checked(policy: dict[str, Any]) -> None:
    assert _retry(policy) != []


@pytest.mark.parametrize(
    ("backoff", "errors"),
    [
        ({"type": "FIXED_BACKOFF", "error_retry_backoff_in_secs": 86_400}, []),
        ({"type": "fixed_backoff", "platform_retry_backoff_in_secs": "1 day"}, []),
        (
            {"type": "FIXED_BACKOFF", "timeout_retry_backoff_in_secs": 86_401},
            ["backoff.timeout_retry_backoff_in_secs: must be at most 86400 (1 day)"],
        ),
        (
            {
                "type": "EXPONENTIAL_BACKOFF",
                "error_retry_backoff_in_secs": "25 hours",
                "platform_retry_limit_in_secs": "86401",
                "timeout_retry_limit_in_secs": "$cap",
            },
            [
                "backoff.error_retry_backoff_in_secs: must be at most 86400 (1 day)",
                "backoff.platform_retry_limit_in_secs: must be at most 86400 (1 day)",
            ],
        ),
        (
            {
                "type": "exponential_backoff",
                "error_retry_exponent": 0,
                "platform_retry_exponent": 1,
                "timeout_retry_exponent": 0,
            },
            [
                "backoff.error_retry_exponent: must be at least 1",
                "backoff.timeout_retry_exponent: must be at least 1",
            ],
        ),
    ],
)
def test_backoffs(backoff: dict[str, Any], errors: list[str]) -> None:
    assert _retry({"backoff": backoff}) == [
        f"workflow.steps[0].step.retry_policy.{e}" for e in errors
    ]


def test_retry_policy_without_backoff() -> None:
    assert _retry({"error_retry_limit": 1}) == []


# -- all at once -----------------------------------------------------------------------------------


def test_every_error_is_collected() -> None:
    errors = _errors(
        [
            _step("a", transition=_then("b", "ghost"), timeout=0),
            _step("b", transition=_then("a"), retry_policy={"error_retry_limit": 100}),
            _step("b", "Http"),
        ],
        properties={"tags": ["t"]},
        timeout="121 days",
        params={"params": {"type": "STRING", "value": "x"}},
        time_triggers=[{"type": "cron", "cron": "bad"}],
    )
    assert errors == [
        "properties.tags: tags cannot be set here; use the properties tag endpoints",
        "workflow.timeout: must be at most 10368000 seconds (120 days)",
        "workflow.params.params: [params] is a reserved param name",
        "workflow.time_triggers[0].cron: [bad] must have 5 (Unix) or 6-7 (Quartz) fields",
        "workflow.steps[0].step.timeout: must be greater than 0",
        "workflow.steps[1].step.retry_policy.error_retry_limit: must be at most 99",
        "workflow.steps[2].step.id: duplicate step id [b]",
        "workflow.steps[2].step.params.http: a Http step needs this MAP param",
        "workflow.steps[0].step.transition.successors: unknown step [ghost]",
        "workflow.steps: the steps [a -> b -> a] form a cycle",
    ]


@pytest.mark.parametrize("cron", ["* * * * *", "* 0 12 * * ?", "0-59/1 * * * *"])
def test_crons_firing_more_often_than_every_two_minutes_are_refused(cron: str) -> None:
    problem = cron_problem(cron)
    assert problem is not None and "minimum interval between firings is 120 seconds" in problem
