"""Merging layers with Maestro's mode rules, and the restart semantics."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.params.helpers import clock, defs

from maestoso.models import ParamMode
from maestoso.params import (
    Layer,
    ParamError,
    ParamSource,
    StaticContext,
    evaluate_workflow_params,
    merge_layers,
    merge_workflow_params,
)
from maestoso.params.merge import cleanup

DEFINITION = {"type": "LONG", "expression": "1 + 1"}


def _start(mode: ParamMode | None, override: dict[str, Any]) -> dict[str, Any]:
    definition = dict(DEFINITION, **({"mode": mode.value} if mode else {}))
    params = evaluate_workflow_params(
        defs(p=definition), clock=clock(), run_params=defs(p=override), defaults={}
    )
    return params["p"].to_json()


def _restart(mode: ParamMode, override: dict[str, Any] | None) -> dict[str, Any]:
    first = evaluate_workflow_params(
        defs(p=dict(DEFINITION, mode=mode.value), q={"type": "LONG", "expression": "p * 10"}),
        clock=clock(),
        defaults={},
    )
    again = evaluate_workflow_params(
        None,
        clock=clock(),
        previous=first,
        restart_params=None if override is None else defs(p=override),
    )
    return again["p"].to_json()


START_OK = {ParamMode.MUTABLE, ParamMode.MUTABLE_ON_START, ParamMode.MUTABLE_ON_START_RESTART}
RESTART_OK = {ParamMode.MUTABLE, ParamMode.MUTABLE_ON_START_RESTART}


@pytest.mark.parametrize("mode", list(ParamMode))
def test_each_mode_at_start(mode: ParamMode) -> None:
    override = {"type": "LONG", "value": 5}
    if mode in START_OK:
        assert _start(mode, override)["evaluated_result"] == 5
    else:
        with pytest.raises(ParamError) as raised:
            _start(mode, override)
        assert raised.value.message == f"Cannot modify param with mode [{mode}] for parameter [p]"


@pytest.mark.parametrize("mode", list(ParamMode))
def test_each_mode_at_restart(mode: ParamMode) -> None:
    override = {"type": "LONG", "value": 5}
    if mode in RESTART_OK:
        assert _restart(mode, override)["evaluated_result"] == 5
    else:
        with pytest.raises(ParamError) as raised:
            _restart(mode, override)
        assert raised.value.message == f"Cannot modify param with mode [{mode}] for parameter [p]"


def test_restart_keeps_results_but_evaluates_immutable_params_again() -> None:
    constant = _restart(ParamMode.CONSTANT, None)
    assert constant["value"] == 2 and "expression" not in constant
    immutable = _restart(ParamMode.IMMUTABLE, None)
    assert immutable["expression"] == "1 + 1" and immutable["evaluated_result"] == 2


def test_the_clock_of_a_restart_gives_new_times_only_to_evaluated_params() -> None:
    context = StaticContext()
    first = evaluate_workflow_params(
        defs(p={"type": "LONG", "value": 1}), clock=clock(), context=context
    )
    later = clock()
    later.shift(60)
    again = evaluate_workflow_params(None, clock=later, previous=first, context=context)
    assert again["RUN_TS"].evaluated_result == first["RUN_TS"].evaluated_result
    assert again["p"].evaluated_time == first["p"].evaluated_time + 60_000


def test_a_mode_cannot_become_less_strict() -> None:
    with pytest.raises(ParamError) as raised:
        _start(ParamMode.MUTABLE_ON_START, {"type": "LONG", "value": 5, "mode": "MUTABLE"})
    assert raised.value.message == (
        "Cannot modify param mode to be less strict for parameter [p] "
        "from [MUTABLE_ON_START] to [MUTABLE]"
    )


def test_an_unchanged_override_is_no_change() -> None:
    assert _start(ParamMode.CONSTANT, dict(DEFINITION))["evaluated_result"] == 2


def test_an_override_keeps_the_declared_type() -> None:
    converted = _start(None, {"type": "STRING", "value": "7"})
    assert converted["type"] == "LONG" and converted["evaluated_result"] == 7
    with pytest.raises(ParamError) as raised:
        _start(None, {"type": "STRING", "value": "seven"})
    assert raised.value.message.startswith(
        "ParameterDefinition type mismatch name [p] from [STRING] != to [LONG]"
    )
    expression = _start(None, {"type": "STRING", "expression": "'8'"})
    assert expression["type"] == "LONG" and expression["evaluated_result"] == 8


def test_reserved_defaults_cannot_be_changed() -> None:
    with pytest.raises(ParamError) as raised:
        merge_workflow_params(defs(owner={"type": "STRING", "value": "me"}))
    assert raised.value.message == (
        "Cannot modify param with mode [CONSTANT] for parameter [owner]"
    )


def test_user_layers_cannot_set_system_meta() -> None:
    base = defs(p={"type": "STRING", "value": "a"})
    with pytest.raises(ParamError, match=r"Cannot modify system mode for parameter \[p\]"):
        merge_layers(
            [
                Layer(base, ParamSource.DEFINITION),
                Layer(defs(p={"type": "STRING", "value": "b", "internal_mode": "OPTIONAL"}),
                      ParamSource.LAUNCH),
            ]
        )  # fmt: skip
    with pytest.raises(ParamError, match=r"Cannot modify source for parameter \[p\]"):
        merge_layers(
            [
                Layer(base, ParamSource.DEFINITION),
                Layer(defs(p={"type": "STRING", "value": "b", "source": "SYSTEM"}),
                      ParamSource.LAUNCH),
            ]
        )  # fmt: skip


def test_layers_merge_in_order_and_record_their_source() -> None:
    merged = merge_workflow_params(
        defs(RUN_TS={"type": "LONG", "value": 5}, mine={"type": "STRING", "value": "d"}),
        run_params=defs(mine={"type": "STRING", "value": "r"}, extra={"type": "LONG", "value": 1}),
    )
    assert merged["RUN_TS"].value == 5 and merged["RUN_TS"].extras["source"] == "DEFINITION"
    assert merged["TARGET_RUN_DATE"].extras["source"] == "SYSTEM_DEFAULT"
    assert merged["mine"].value == "r" and merged["mine"].extras["source"] == "LAUNCH"
    assert merged["extra"].extras["source"] == "LAUNCH"
    assert "job_template_version" not in merged  # an OPTIONAL default nobody set
    assert list(merged)[-2:] == ["mine", "extra"]


def test_time_trigger_runs_are_upstream_merges() -> None:
    params = evaluate_workflow_params(
        None,
        clock=clock(),
        context=StaticContext(),
        run_params=defs(RUN_TS={"type": "LONG", "value": 1_000, "mode": "MUTABLE"}),
        run_source=ParamSource.TIME_TRIGGER,
    )
    assert params["RUN_TS"].evaluated_result == 1_000
    assert params["RUN_TS"].mode is ParamMode.MUTABLE_ON_START
    assert params["RUN_DATE"].evaluated_result == "19700101"


def test_map_and_string_map_merge_entry_by_entry() -> None:
    merged = merge_layers(
        [
            Layer(
                defs(
                    m={"type": "MAP", "mode": "IMMUTABLE",
                       "value": {"a": {"type": "LONG", "value": 1},
                                 "b": {"type": "STRING", "value": "x", "mode": "MUTABLE"}}},
                    s={"type": "STRING_MAP", "value": {"a": "1", "b": "2"}},
                ),
                ParamSource.DEFINITION,
            ),
            Layer(defs(s={"type": "STRING_MAP", "value": {"b": "3"}}), ParamSource.LAUNCH),
        ]
    )  # fmt: skip
    assert merged["s"].value == {"a": "1", "b": "3"}
    assert merged["m"].value["b"].mode is ParamMode.IMMUTABLE  # the parent's stricter mode
    with pytest.raises(ParamError, match=r"Cannot modify param with mode \[IMMUTABLE\]"):
        merge_layers(
            [
                Layer(merged, ParamSource.SYSTEM),
                Layer(defs(m={"type": "MAP", "value": {"a": {"type": "LONG", "value": 2}}}),
                      ParamSource.LAUNCH),
            ]
        )  # fmt: skip


def test_map_merges_need_literal_maps_of_the_same_type() -> None:
    layers = [Layer(defs(m={"type": "STRING", "value": "x"}), ParamSource.DEFINITION)]
    override = defs(m={"type": "MAP", "value": {"a": {"type": "LONG", "value": 1}}})
    with pytest.raises(ParamError, match=r"\[m\] is not a \[MAP\] but \[STRING\]"):
        merge_layers([*layers, Layer(override, ParamSource.LAUNCH)])
    layers = [Layer(defs(m={"type": "STRING_MAP", "expression": "x"}), ParamSource.DEFINITION)]
    override = defs(m={"type": "STRING_MAP", "value": {"a": "b"}})
    with pytest.raises(ParamError, match=r"STRING_MAP param \[m\] definition is not a literal"):
        merge_layers([*layers, Layer(override, ParamSource.LAUNCH)])


def test_tags_are_united_and_validators_kept() -> None:
    merged = merge_layers(
        [
            Layer(defs(p={"type": "LONG", "value": 1, "tags": ["a"], "validator": "@Positive"}),
                  ParamSource.DEFINITION),
            Layer(defs(p={"type": "LONG", "value": 2, "tags": ["b", "a"]}), ParamSource.LAUNCH),
        ]
    )  # fmt: skip
    assert merged["p"].tags == ["a", "b"]
    assert merged["p"].validator == "@Positive"


def test_cleanup_requires_the_required_and_drops_the_optional() -> None:
    required = merge_workflow_params(None, defaults={})
    assert required == {}
    from maestoso.params.parameter import read_definition

    placeholder = read_definition("sub", {"type": "STRING", "internal_mode": "REQUIRED"})
    with pytest.raises(ParamError) as raised:
        cleanup({"sub": placeholder})
    assert raised.value.message == "[sub] is a required parameter (type=[STRING])"
    optional = read_definition("m", {"type": "MAP", "value": {}, "internal_mode": "OPTIONAL"})
    assert cleanup({"m": optional}) == {}
