"""Injected defaults with a fake clock, and step params end to end."""

from __future__ import annotations

import pytest
from tests.unit.params.helpers import NOW, clock, defs

from maestoso.models import ForeachStep, StepType, TypedStep
from maestoso.params import (
    ParamError,
    StaticContext,
    dry_run_defaults,
    evaluate_step_params,
    evaluate_workflow_params,
    only_step_defaults,
    only_workflow_defaults,
    step_defaults,
    step_type_defaults,
    workflow_defaults,
)

INSTANCE = {"owner": "tester", "workflow_id": "wf", "workflow_instance_id": 3}


def _workflow(**instance: object) -> dict[str, object]:
    context = StaticContext(instance={**INSTANCE, **instance})
    params = evaluate_workflow_params(None, clock=clock(), context=context)
    return {name: param.evaluated_result for name, param in params.items()}


def test_workflow_defaults_in_utc() -> None:
    values = _workflow()
    assert values["RUN_TS"] == NOW
    assert values["DSL_DEFAULT_TZ"] == "UTC" and values["WORKFLOW_CRON_TIMEZONE"] == "UTC"
    assert values["TARGET_RUN_DATE"] == "20190920" and values["TARGET_RUN_HOUR"] == "22"
    assert values["DERIVED_RUN_TS"] == NOW - 20 * 60 * 1000
    assert values["DERIVED_RUN_DATE_US_PACIFIC"] == "20190920"
    assert values["DERIVED_RUN_DATE_US_PACIFIC_MINUS_ONE"] == "20190919"
    assert values["DERIVED_RUN_DATE_UTC_PLUS_ONE"] == "20190921"
    assert values["DERIVED_RUN_DATE_UTC_PLUS_ONE_HOUR"] == "20190920"
    assert values["DERIVED_RUN_HOUR_US_PACIFIC"] == "15"
    assert values["DERIVED_RUN_HOUR_UTC_MINUS_ONE_HOUR"] == "21"
    assert values["RUN_DATE_MINUS_7"] == "20190913" and values["LOCAL_RUN_DATE"] == "20190920"
    assert values["owner"] == "tester" and values["workflow_id"] == "wf"


def test_the_initiator_time_zone_moves_the_target_date() -> None:
    values = _workflow(INITIATOR_TIMEZONE="Asia/Tokyo")
    assert values["WORKFLOW_CRON_TIMEZONE"] == "Asia/Tokyo"
    assert values["TARGET_RUN_DATE"] == "20190921" and values["TARGET_RUN_HOUR"] == "07"
    assert _workflow(FIRST_TIME_TRIGGER_TIMEZONE="America/New_York")["DSL_DEFAULT_TZ"] == (
        "America/New_York"
    )


def test_default_sets() -> None:
    assert {"RUN_TS", "owner", "workflow_id"} <= set(workflow_defaults())
    assert list(step_defaults()) == [
        "workflow_instance_id", "step_instance_uuid", "step_attempt_id", "step_id",
    ]  # fmt: skip
    assert set(step_type_defaults(StepType.FOREACH)) == {"loop_params", "loop_index"}
    assert "condition" in step_type_defaults(StepType.WHILE)
    assert step_type_defaults(StepType.NOOP) == {}
    assert dry_run_defaults()["FROM_DATE"].value == "20210101"


STEP_CONTEXT = StaticContext(
    instance=INSTANCE,
    current_step={"step_id": "s1", "step_instance_uuid": "uuid-1", "step_attempt_id": 2},
)


def test_step_params_merge_defaults_definition_and_run_params() -> None:
    workflow = evaluate_workflow_params(
        defs(base={"type": "LONG", "value": 10}), clock=clock(), context=STEP_CONTEXT
    )
    step = TypedStep.model_validate(
        {
            "id": "s1",
            "type": "NoOp",
            "params": {
                "x": {"type": "LONG", "expression": "base + step_attempt_id"},
                "y": {"type": "STRING", "value": "${step_id}-$RUN_DATE"},
            },
        }
    )
    params = evaluate_step_params(
        step,
        workflow,
        clock=clock(),
        context=STEP_CONTEXT,
        run_params=defs(y={"type": "STRING", "value": "run-$step_id"}),
    )
    assert params["workflow_instance_id"].evaluated_result == 3
    assert params["step_instance_uuid"].evaluated_result == "uuid-1"
    assert params["x"].evaluated_result == 12
    assert params["y"].evaluated_result == "run-s1"
    assert params["y"].to_json()["source"] == "LAUNCH"


def test_a_step_restart_may_only_change_restartable_params() -> None:
    step = TypedStep.model_validate(
        {"id": "s1", "type": "NoOp", "params": {"x": {"type": "LONG", "value": 1,
                                                    "mode": "MUTABLE_ON_START"}}}
    )  # fmt: skip
    with pytest.raises(ParamError, match=r"mode \[MUTABLE_ON_START\] for parameter \[x\]"):
        evaluate_step_params(
            step,
            {},
            clock=clock(),
            context=STEP_CONTEXT,
            restart_params=defs(x={"type": "LONG", "value": 2}),
            restart=True,
        )


def test_foreach_defaults_keep_their_placeholder_until_set() -> None:
    step = ForeachStep.model_validate(
        {
            "id": "loop",
            "params": {"loop_params": {"type": "MAP", "value": {
                "i": {"type": "LONG_ARRAY", "value": [1, 2]}}}},
            "steps": [{"step": {"id": "inner", "type": "NoOp"}}],
        }
    )  # fmt: skip
    params = evaluate_step_params(step, {}, clock=clock(), context=STEP_CONTEXT)
    assert params["loop_index"].evaluated_result == -1
    assert params["loop_params"].evaluated_result == {"i": [1, 2]}
    empty = ForeachStep.model_validate(
        {"id": "loop", "steps": [{"step": {"id": "inner", "type": "NoOp"}}],
         "params": {"loop_params": {"type": "MAP", "value": {}}}}
    )  # fmt: skip
    with pytest.raises(ParamError, match=r"Param \[loop_params\] must not be empty"):
        evaluate_step_params(empty, {}, clock=clock(), context=STEP_CONTEXT)


def test_a_merge_kept_for_a_step_or_workflow_never_hides_the_params_of_a_run() -> None:
    definitions = defs(base={"type": "LONG", "value": 10})
    step = TypedStep.model_validate(
        {"id": "s1", "type": "NoOp", "params": {"y": {"type": "STRING", "value": "definition"}}}
    )
    for _ in range(2):  # the second time from what the first kept
        workflow = evaluate_workflow_params(definitions, clock=clock(), context=STEP_CONTEXT)
        plain = evaluate_step_params(step, workflow, clock=clock(), context=STEP_CONTEXT)
        assert workflow["base"].evaluated_result == 10
        assert plain["y"].evaluated_result == "definition"

    overridden = evaluate_workflow_params(
        definitions,
        clock=clock(),
        context=STEP_CONTEXT,
        run_params=defs(base={"type": "LONG", "value": 20}),
    )
    run = evaluate_step_params(
        step,
        overridden,
        clock=clock(),
        context=STEP_CONTEXT,
        run_params=defs(y={"type": "STRING", "value": "run"}),
    )
    assert overridden["base"].evaluated_result == 20
    assert run["y"].evaluated_result == "run"
    again = evaluate_step_params(step, workflow, clock=clock(), context=STEP_CONTEXT)
    assert again["y"].evaluated_result == "definition"


def test_only_a_step_without_params_of_its_own_has_only_trusted_expressions() -> None:
    plain = TypedStep.model_validate({"id": "a", "type": "NoOp"})
    empty = TypedStep.model_validate({"id": "a", "type": "NoOp", "params": {}})
    own = TypedStep.model_validate(
        {"id": "a", "type": "NoOp", "params": {"x": {"type": "LONG", "expression": "1 + 1"}}}
    )
    values = {"i": {"type": "LONG_ARRAY", "value": [1]}}
    loop = ForeachStep.model_validate(
        {"id": "loop", "steps": [{"step": {"id": "inner", "type": "NoOp"}}],
         "params": {"loop_params": {"type": "MAP", "value": values}}}
    )  # fmt: skip
    restart = defs(y={"type": "STRING", "expression": "'x'.repeat(3)"})

    assert only_step_defaults(plain) and only_step_defaults(empty)
    assert not only_step_defaults(own)
    assert not only_step_defaults(loop)  # its type's defaults read the loop
    assert not only_step_defaults(plain, restart_params=restart)
    assert not only_step_defaults(plain, injected=restart)
    # what they evaluate to is the step's own fields, as with any other step
    evaluated = evaluate_step_params(plain, {}, clock=clock(), context=STEP_CONTEXT)
    assert set(evaluated) == set(step_defaults())


def test_only_a_workflow_without_params_started_without_run_params_is_trusted() -> None:
    own = defs(x={"type": "LONG", "expression": "1 + 1"})

    assert only_workflow_defaults(None) and only_workflow_defaults({})
    assert not only_workflow_defaults(own)
    assert not only_workflow_defaults(None, run_params=own)
