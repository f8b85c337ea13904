"""The typed readings of a run's and a step attempt's documents: what the engine reads of
them, and that writing a record back gives Maestro's JSON, nothing lost."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from maestoso.params import ParamError
from maestoso.store.run_records import FRESH_RUN, RunConfig, RunProperties, RunRecord, StepRecord

PARAMS = {
    "who": {"value": "carol", "type": "STRING", "evaluated_result": "carol", "evaluated_time": 7},
    "n": {"expression": "1 + 2", "type": "LONG", "evaluated_result": 3, "evaluated_time": 7},
}
RESTART = {"step_restart_params": {"job": {"x": {"value": 1, "type": "LONG"}}}}
DOCUMENT: dict[str, Any] = {
    "correlation_id": "root-1",
    "group_info": 64,
    "internal_id": 12,
    "run_config": {
        "policy": "RESTART_FROM_INCOMPLETE",
        "correlation_id": "root-1",
        "runtime_tags": ["t"],
        "restart_config": RESTART,
        "start_step_ids": ["a"],
    },
    "run_params": {"n": {"value": 3, "type": "LONG"}},
    "run_properties": {
        "owner": {"name": "carol", "team": "data"},
        "step_concurrency": 4,
        "alerting": {"emails": ["team@example.com"]},
        "create_time": 5,
        "tags": ["nightly"],
    },
    "runtime_workflow": {"id": "wf", "instance_step_concurrency": 2, "steps": []},
    "runtime_dag": {"a": {"predecessors": [], "successors": {"b": "true"}}, "b": {}},
    "timeout_in_millis": 60_000,
    "params": PARAMS,
    "aggregated_info": {"workflow_instance_status": "SUCCEEDED"},
}


def test_a_run_document_reads_back_as_it_was_written() -> None:
    document = copy.deepcopy(DOCUMENT)

    record = RunRecord.from_json(document)

    assert record.to_json() == DOCUMENT
    assert document == DOCUMENT  # reading it changed nothing


def test_a_run_record_types_what_the_engine_reads() -> None:
    record = RunRecord.from_json(DOCUMENT)

    assert record.internal_id == 12
    assert record.run_properties.owner_name == "carol"
    assert record.run_properties.step_concurrency == 4
    assert record.run_properties.alerting == {"emails": ["team@example.com"]}
    assert record.step_ids == ["a", "b"]
    assert record.definition_step_concurrency == 2
    assert record.results == {"who": "carol", "n": 3}
    assert record.result("n") == 3 and record.result("missing") is None
    assert record.params["n"].evaluated_result == 3
    assert record.params["n"].definition.expression == "1 + 2"


def test_the_params_are_decoded_once_and_only_when_read() -> None:
    broken = {**DOCUMENT, "params": {"who": {"value": "x", "type": "STRING"}}}
    record = RunRecord.from_json(broken)  # the other fields stay readable

    assert record.internal_id == 12
    with pytest.raises(ParamError, match=r"Param \[who\] evaluated result"):
        _ = record.params
    good = RunRecord.from_json(DOCUMENT)
    assert good.params is good.params  # decoded once


def test_an_empty_document_has_the_defaults_of_a_fresh_run() -> None:
    record = RunRecord.from_json({})

    assert record.params == {} and record.results == {}
    assert record.step_ids == [] and record.runtime_dag is None
    assert record.run_config.is_fresh
    assert record.definition_step_concurrency is None
    assert record.to_json() == {
        "run_config": {},
        "run_properties": {},
        "runtime_workflow": {},
        "params": {},
    }


def test_a_null_reads_as_the_fields_default() -> None:
    record = RunRecord.from_json({"runtime_workflow": None, "params": None, "run_config": None})

    assert record.runtime_workflow == {} and record.params == {}
    assert record.run_config.is_fresh and record.definition_step_concurrency is None


def test_only_a_restart_carries_a_steps_restart_params() -> None:
    restart = RunConfig(policy="RESTART_FROM_SPECIFIC", restart_config=RESTART)
    fresh = RunConfig(policy=FRESH_RUN, restart_config=RESTART)

    assert restart.step_restart_params("job") == {"x": {"value": 1, "type": "LONG"}}
    assert restart.step_restart_params("other") is None
    assert fresh.step_restart_params("job") is None


@pytest.mark.parametrize(
    ("owner", "name"), [("carol", "carol"), ({"name": "bo"}, "bo"), (None, None)]
)
def test_an_owner_is_a_name_or_a_user_object(owner: Any, name: Any) -> None:
    assert RunProperties(owner=owner).owner_name == name


def test_a_concurrency_that_is_not_a_positive_number_is_no_limit() -> None:
    for value in (0, -1, "3", None):
        record = RunRecord(runtime_workflow={"instance_step_concurrency": value})
        assert record.definition_step_concurrency is None
    assert RunRecord(instance_step_concurrency=5).definition_step_concurrency == 5


STEP_DOCUMENT: dict[str, Any] = {
    "workflow_uuid": "u-1",
    "correlation_id": "root-1",
    "step_instance_id": 3,
    "workflow_version_id": 2,
    "group_info": 64,
    "owner": "carol",
    "definition": {"step": {"id": "job", "type": "NoOp"}},
    "tags": [],
    "transition": {"predecessors": [], "successors": {}},
    "step_run_params": {"x": {"value": 1, "type": "LONG"}},
    "params": PARAMS,
    "signal_outputs": {"info": {"message": "sent"}},
    "retry_at": 1_000,
    "step_retry": {"error_retries": 1},
    "timeout_in_millis": 5_000,
    "restart_config": {"restart_path": []},
}


def test_a_step_document_reads_back_as_it_was_written() -> None:
    record = StepRecord.from_json(STEP_DOCUMENT)

    assert record.to_json() == STEP_DOCUMENT
    assert record.extras == {"restart_config": {"restart_path": []}}
    assert (record.step_instance_id, record.retry_at) == (3, 1_000)
    assert record.step_retry == {"error_retries": 1}
    assert record.signal_dependencies is None
    assert record.results == {"who": "carol", "n": 3}


def test_a_new_attempts_document_writes_only_what_it_has() -> None:
    record = StepRecord(step_instance_id=1, tags=[])

    assert record.to_json() == {"step_instance_id": 1, "tags": []}
    assert record.params == {} and record.result("n") is None
    with_params = replace(record, params_json=PARAMS)
    assert with_params.results["who"] == "carol"
    assert record.results == {}  # a changed copy decodes its own
