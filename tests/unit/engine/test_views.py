"""Instance and step JSON built from hand-made rows: Maestro's key order, omitted nulls,
stored statuses, the aggregated overlay of runs and the view of a step across runs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import require, shared_dir

from maestoso.engine.reads.aggregated import aggregated_info, decode_step_overview
from maestoso.engine.reads.steps import STEP_KEYS, latest_views, step_json
from maestoso.engine.reads.views import INSTANCE_KEYS, instance_json
from maestoso.store.records import InstanceRow, StepAttemptRow

STEPS = ["a", "b", "c", "d"]
DAG = {
    "a": {"successors": {"b": "true"}},
    "b": {"predecessors": ["a"], "successors": {"c": "true"}},
    "c": {"predecessors": ["b"]},
}
RUNTIME_WORKFLOW = {"id": "wf", "steps": [{"step": {"id": step, "type": "NoOp"}} for step in STEPS]}


def run_row(run_id: int = 1, **changes: Any) -> InstanceRow:
    row = InstanceRow(
        workflow_id="wf",
        instance_id=7,
        run_id=run_id,
        uuid=f"uuid-{run_id}",
        version_id=2,
        status="IN_PROGRESS",
        group_id=3,
        initiator={"type": "MANUAL", "user": "tester"},
        depth=0,
        document={"runtime_workflow": RUNTIME_WORKFLOW, "runtime_dag": DAG},
        runtime_overview=None,
        artifacts=None,
        timeline=[],
        execution_id=None,
        request_time=90,
        create_time=100,
        start_time=None,
        end_time=None,
        modify_time=110,
    )
    return replace(row, **changes)


def overview(**by_status: list[list[int | None]]) -> dict[str, Any]:
    """A runtime overview placing steps by their 1-based ordinal in the DAG."""
    step_overview = {
        status: {"cnt": len(steps), "steps": steps} for status, steps in by_status.items()
    }
    total = sum(len(steps) for steps in by_status.values())
    return {"total_step_count": total, "step_overview": step_overview}


def attempt_row(
    step_id: str = "a", run_id: int = 1, attempt_id: int = 1, **changes: Any
) -> StepAttemptRow:
    row = StepAttemptRow(
        workflow_id="wf",
        instance_id=7,
        run_id=run_id,
        step_id=step_id,
        attempt_id=attempt_id,
        step_uuid=f"{step_id}-{run_id}-{attempt_id}",
        status="RUNNING",
        runtime_state={"status": "RUNNING", "create_time": 200},
        document={"step_instance_id": STEPS.index(step_id) + 1 if step_id in STEPS else 9},
        artifacts=None,
        timeline=[],
        create_time=200,
        modify_time=210,
    )
    return replace(row, **changes)


# -- workflow instances --------------------------------------------------------------------------


def test_instance_keys_follow_maestro_then_the_alphabet() -> None:
    document = {
        "zeta_extra": 1,
        "params": {"p": {"value": 1, "type": "LONG"}},
        "run_config": {"policy": "START_FRESH_NEW_RUN"},
        "alpha_extra": 2,
        "internal_id": 12345,
        "group_info": 8,
        "timeout_in_millis": 1000,
        "runtime_dag": DAG,
        "correlation_id": "corr",
        "runtime_workflow": RUNTIME_WORKFLOW,
        "run_properties": {"owner": "tester"},
        "run_params": {"x": {"value": 1, "type": "LONG"}},
        "step_run_params": {"a": {}},
    }
    row = run_row(
        document=document,
        status="SUCCEEDED",
        execution_id="exec",
        start_time=120,
        end_time=130,
        runtime_overview=overview(SUCCEEDED=[[1, 120, 130]]),
        artifacts={"k": {"type": "DEFAULT"}},
        timeline=[{"timestamp": 125, "type": "LOG", "level": "INFO", "message": "m"}],
    )
    body = instance_json(row, aggregated_info={"workflow_instance_status": "SUCCEEDED"})
    assert list(body) == [*INSTANCE_KEYS, "alpha_extra", "zeta_extra"]
    assert body["workflow_instance_id"] == 7 and body["workflow_run_id"] == 1
    assert body["workflow_uuid"] == "uuid-1" and body["workflow_version_id"] == 2
    assert body["correlation_id"] == "corr"


def test_instance_omits_nulls_and_empty_collections() -> None:
    row = run_row(document={"timeout_in_millis": None, "runtime_dag": DAG}, artifacts={})
    body = instance_json(row)
    for absent in (
        "timeout_in_millis", "execution_id", "start_time", "end_time", "runtime_overview",
        "artifacts", "timeline", "aggregated_info", "runtime_workflow",
    ):  # fmt: skip
        assert absent not in body
    assert body["correlation_id"] == "wf:7:1"
    assert body["status"] == "IN_PROGRESS"


@pytest.mark.parametrize("stored", ["FAILED", "FAILED_1", "FAILED_2"])
def test_stored_failed_statuses_read_as_failed(stored: str) -> None:
    row = run_row(status=stored, end_time=300)
    assert instance_json(row)["status"] == "FAILED"
    assert aggregated_info([row])["workflow_instance_status"] == "FAILED"
    enriched = instance_json(row, enriched=True)["timeline"]
    assert enriched[-1] == {"timestamp": 300, "type": "STATUS", "status": "FAILED"}


def test_enriched_timeline_adds_lifecycle_events_in_time_order() -> None:
    log = {"timestamp": 150, "type": "LOG", "level": "INFO", "message": "hello"}
    row = run_row(status="STOPPED", start_time=200, end_time=300, timeline=[log])
    assert instance_json(row)["timeline"] == [log]
    assert instance_json(row, enriched=True)["timeline"] == [
        {"timestamp": 100, "type": "STATUS", "status": "CREATED"},
        log,
        {"timestamp": 200, "type": "STATUS", "status": "IN_PROGRESS"},
        {"timestamp": 300, "type": "STATUS", "status": "STOPPED"},
    ]
    assert row.timeline == [log]


def test_stored_aggregated_baseline_is_not_passed_through() -> None:
    row = run_row(document={"aggregated_info": {"workflow_instance_status": "FAILED"}})
    assert "aggregated_info" not in instance_json(row)


# -- aggregated info -----------------------------------------------------------------------------


def three_runs() -> list[InstanceRow]:
    """Run 1 fails at b; run 2 (restart from incomplete: b, c) reruns b and stops at c;
    run 3 (c only) is queued."""
    first = run_row(
        1,
        status="FAILED_2",
        runtime_overview=overview(SUCCEEDED=[[1, 10, 20]], FATALLY_FAILED=[[2, 20, 30]]),
    )
    second_dag = {"b": DAG["b"], "c": DAG["c"]}
    second = run_row(
        2,
        status="STOPPED",
        document={"runtime_workflow": RUNTIME_WORKFLOW, "runtime_dag": second_dag},
        runtime_overview=overview(SUCCEEDED=[[1, 40, 50]], STOPPED=[[2, 50, None]]),
    )
    third = run_row(
        3,
        status="CREATED",
        document={"runtime_workflow": RUNTIME_WORKFLOW, "runtime_dag": {"c": DAG["c"]}},
    )
    return [first, second, third]


def test_aggregated_info_of_a_single_run() -> None:
    first = three_runs()[0]
    assert aggregated_info([first]) == {
        "workflow_instance_status": "FAILED",
        "step_aggregated_views": {
            "a": {"workflow_run_id": 1, "status": "SUCCEEDED", "start_time": 10, "end_time": 20},
            "b": {
                "workflow_run_id": 1,
                "status": "FATALLY_FAILED",
                "start_time": 20,
                "end_time": 30,
            },
            "c": {"status": "NOT_CREATED"},
            "d": {"status": "NOT_CREATED"},
        },
    }


def test_aggregated_info_takes_each_step_from_the_latest_run_with_it() -> None:
    runs = three_runs()
    info = aggregated_info(runs[:2])
    assert list(info) == ["workflow_instance_status", "step_aggregated_views"]
    assert info["workflow_instance_status"] == "STOPPED"
    views = info["step_aggregated_views"]
    assert views["a"] == {
        "workflow_run_id": 1,
        "status": "SUCCEEDED",
        "start_time": 10,
        "end_time": 20,
    }
    assert views["b"] == {
        "workflow_run_id": 2,
        "status": "SUCCEEDED",
        "start_time": 40,
        "end_time": 50,
    }
    assert views["c"] == {"workflow_run_id": 2, "status": "STOPPED", "start_time": 50}
    assert views["d"] == {"status": "NOT_CREATED"}


def test_a_step_due_to_rerun_goes_back_to_not_created() -> None:
    info = aggregated_info(three_runs())
    assert info["workflow_instance_status"] == "CREATED"
    views = info["step_aggregated_views"]
    assert views["a"]["workflow_run_id"] == 1
    assert views["b"]["workflow_run_id"] == 2
    assert views["c"] == {"status": "NOT_CREATED"}
    # Maestro's overlay is a LinkedHashMap: a reset step moves to the end.
    assert list(views) == ["a", "b", "d", "c"]


def test_decode_step_overview_uses_ordinals_of_the_runtime_dag() -> None:
    states = decode_step_overview(overview(RUNNING=[[3, 5, None]], SUCCEEDED=[[1, 1, 2]]), DAG)
    assert states == {
        "a": {"status": "SUCCEEDED", "start_time": 1, "end_time": 2},
        "c": {"status": "RUNNING", "start_time": 5, "end_time": None},
    }
    assert list(states) == ["c", "a"]  # statuses in declaration order: RUNNING first
    assert decode_step_overview(None, DAG) == {}
    assert decode_step_overview({"step_overview": {"RUNNING": 1}}, DAG) == {}
    assert decode_step_overview(overview(RUNNING=[[9, 1, 2]]), DAG) == {}


# -- steps ---------------------------------------------------------------------------------------


def test_step_keys_follow_maestro_then_the_alphabet() -> None:
    document = {
        "zz_extra": True,
        "signal_outputs": {"outputs": []},
        "signal_dependencies": {"dependencies": []},
        "timeout_in_millis": 600000,
        "step_retry": {"error_retries": 0},
        "transition": {"predecessors": [], "successors": {}},
        "params": {},
        "restart_config": {"restart_policy": "RESTART_FROM_SPECIFIC"},
        "step_run_params": {"p": {"value": 1, "type": "LONG"}},
        "tags": [{"name": "t"}],
        "definition": {"step": {"id": "a", "type": "NoOp"}},
        "owner": "tester",
        "group_info": 8,
        "workflow_version_id": 2,
        "step_instance_id": 1,
        "correlation_id": "corr",
        "workflow_uuid": "uuid-1",
    }
    row = attempt_row(
        document=document,
        artifacts={"k": {"type": "DEFAULT"}},
        timeline=[{"timestamp": 1, "type": "LOG", "level": "INFO", "message": "m"}],
    )
    body = step_json(row)
    assert list(body) == [*STEP_KEYS, "zz_extra"]
    # params is an empty map, not a null: Maestro keeps it.
    assert body["params"] == {}


def test_step_runtime_state_in_order_without_nulls() -> None:
    state = {
        "modify_time": 9,
        "end_time": None,
        "execute_time": 5,
        "create_time": 1,
        "status": "CREATED",
        "initialize_time": 2,
    }
    body = step_json(attempt_row(status="RUNNING", runtime_state=state))
    assert body["runtime_state"] == {
        "status": "RUNNING",
        "create_time": 1,
        "initialize_time": 2,
        "execute_time": 5,
        "modify_time": 9,
    }
    assert list(body["runtime_state"]) == [
        "status", "create_time", "initialize_time", "execute_time", "modify_time",
    ]  # fmt: skip
    assert "artifacts" not in body and "timeline" not in body


def test_enriched_step_timeline() -> None:
    info = {"timestamp": 4, "type": "LOG", "level": "INFO", "message": "signals matched"}
    milestone = {"timestamp": 6, "type": "MILESTONE", "status": "started"}
    row = attempt_row(
        status="SUCCEEDED",
        runtime_state={"create_time": 1, "initialize_time": 2, "execute_time": 5, "end_time": 7},
        document={"step_instance_id": 1, "signal_dependencies": {"info": info}},
        artifacts={"maestro_titus": {"type": "TITUS", "milestones": [milestone]}},
        timeline=[{"timestamp": 3, "type": "LOG", "level": "INFO", "message": "stored"}],
    )
    timeline = step_json(row, enriched=True)["timeline"]
    assert [(event["timestamp"], event.get("status")) for event in timeline] == [
        (1, "CREATED"),
        (2, "INITIALIZED"),
        (3, None),
        (4, None),
        (5, "RUNNING"),
        (6, "started"),
        (7, "SUCCEEDED"),
    ]
    assert len(step_json(row)["timeline"]) == 1


def test_latest_views_take_the_latest_attempt_of_the_latest_run() -> None:
    attempts = [
        attempt_row("b", 1, 1),
        attempt_row("b", 1, 3),
        attempt_row("a", 2, 1),
        attempt_row("a", 1, 1),
        attempt_row("a", 1, 2),
        attempt_row("c", 1, 1),
    ]
    views = latest_views(attempts)
    assert [(row.step_id, row.run_id, row.attempt_id) for row in views] == [
        ("a", 2, 1),
        ("b", 1, 3),
        ("c", 1, 1),
    ]
    assert latest_views([]) == []


# -- Maestro's own fixtures survive the round trip -----------------------------------------------

_INSTANCE_COLUMNS = {
    "workflow_id", "workflow_instance_id", "workflow_run_id", "workflow_uuid",
    "workflow_version_id", "execution_id", "initiator", "status", "request_time", "create_time",
    "start_time", "end_time", "modify_time", "runtime_overview", "artifacts", "timeline",
}  # fmt: skip
_STEP_COLUMNS = {
    "workflow_id", "workflow_instance_id", "workflow_run_id", "step_id", "step_attempt_id",
    "step_uuid", "runtime_state", "artifacts", "timeline",
}  # fmt: skip


def fixture(name: str) -> dict[str, Any]:
    folder = require(shared_dir() / "maestro-samples" / "fixtures")
    data: dict[str, Any] = json.loads(Path(folder / name).read_text())
    return data


@pytest.mark.parametrize(
    "name", ["sample-workflow-instance-failed.json", "sample-workflow-instance-succeeded.json"]
)
def test_instance_fixture_round_trip(name: str) -> None:
    data = fixture(name)
    row = InstanceRow(
        workflow_id=data["workflow_id"],
        instance_id=data["workflow_instance_id"],
        run_id=data["workflow_run_id"],
        uuid=data["workflow_uuid"],
        version_id=data["workflow_version_id"],
        status=data["status"],
        group_id=1,
        initiator=data["initiator"],
        depth=0,
        document={key: value for key, value in data.items() if key not in _INSTANCE_COLUMNS},
        runtime_overview=data.get("runtime_overview"),
        artifacts=data.get("artifacts"),
        timeline=data.get("timeline", []),
        execution_id=data.get("execution_id"),
        request_time=data["request_time"],
        create_time=data["create_time"],
        start_time=data.get("start_time"),
        end_time=data.get("end_time"),
        modify_time=data["modify_time"],
    )
    body = instance_json(row)
    assert body == data
    assert list(body) == [key for key in INSTANCE_KEYS if key in data]


@pytest.mark.parametrize(
    "name",
    [
        "sample-step-instance-running.json",
        "sample-step-instance-failed.json",
        "sample-step-instance-succeeded.json",
    ],
)
def test_step_fixture_round_trip(name: str) -> None:
    data = fixture(name)
    row = StepAttemptRow(
        workflow_id=data["workflow_id"],
        instance_id=data["workflow_instance_id"],
        run_id=data["workflow_run_id"],
        step_id=data["step_id"],
        attempt_id=data["step_attempt_id"],
        step_uuid=data["step_uuid"],
        status=data["runtime_state"]["status"],
        runtime_state=data["runtime_state"],
        document={key: value for key, value in data.items() if key not in _STEP_COLUMNS},
        artifacts=data.get("artifacts"),
        timeline=data.get("timeline", []),
        create_time=data["runtime_state"]["create_time"],
        modify_time=data["runtime_state"]["modify_time"],
    )
    body = step_json(row)
    assert body == data
    assert list(body) == [key for key in STEP_KEYS if key in data]
