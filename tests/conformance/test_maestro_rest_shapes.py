"""What the rest of Maestro's API answers, against Maestro's own fixtures: job templates,
the fields of instances and step instances, step restart bodies and answers, enriched
definitions, inline paths, flattened records and the foreach overview."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.integration.engine_support import Harness, harness

from maestoso.engine.reads.flatten import encode_by_length, rank_text
from maestoso.engine.templates import schema_params
from maestoso.models.restart import StepInstanceRestartRequest
from maestoso.models.templates import JobTemplateCreateRequest
from maestoso.runtimes.foreach_details import foreach_details, intervals, merged


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Harness]:
    async with harness(f"sqlite:///{tmp_path / 'db.sqlite'}") as running:
        yield running


def fixture(samples_dir: Path, name: str) -> Any:
    return json.loads((samples_dir / "fixtures" / name).read_text())


def sample(samples_dir: Path, name: str) -> Any:
    return json.loads((samples_dir / name).read_text())


# -- job templates ---------------------------------------------------------------------------------


async def test_maestros_template_requests_store_as_maestros_stored_template(
    engine: Harness, samples_dir: Path
) -> None:
    request = fixture(samples_dir, "sample-job-template-create-request.json")
    stored = fixture(samples_dir, "job_template.json")
    answer = (await engine.http.post("/api/v3/job-templates", json=request)).json()
    assert list(answer) == list(stored) == ["metadata", "definition"]
    # the same keys in the same order; create_time is now, the extra key comes from the request
    assert list(answer["metadata"]) == [k for k in stored["metadata"] if k != "foo"] + ["foo"]
    assert answer["definition"]["params"] == stored["definition"]["params"]
    assert list(answer["definition"])[:3] == ["job_type", "step_type", "version"]
    read = await engine.http.get("/api/v3/job-templates/shell", params={"version": "v1"})
    assert read.json() == answer


def test_maestros_template_schema_reads_as_param_definitions(samples_dir: Path) -> None:
    schema = fixture(samples_dir, "sample-template-schema-notebook.json")["params"]
    params = schema_params(schema)
    titus = params["titus"]
    assert titus.type.value == "MAP"
    assert titus.extras["internal_mode"] == "PROVIDED"
    nested = titus.value
    assert nested["allocate_ip"].value is None  # a placeholder: the step may give it
    assert nested["cpu"].value == 1.0 and nested["cpu"].extras["internal_mode"] == "PROVIDED"
    assert params["notebook"].value["input_path"].extras["internal_mode"] == "REQUIRED"
    assert JobTemplateCreateRequest.model_validate(
        sample(samples_dir, "sample-job-template-1.json")
    ).extras == {"foo": 10}


# -- instances -----------------------------------------------------------------------------------


async def test_instances_and_steps_carry_the_fields_maestro_writes(
    engine: Harness, samples_dir: Path
) -> None:
    body = sample(samples_dir, "sample-dag-test-1.json")
    await engine.create(body)
    await engine.start("sample-dag-test-1")
    await engine.wait("sample-dag-test-1", 1)
    instance = (await engine.http.get("/api/v3/workflows/sample-dag-test-1/instances/1")).json()
    step = (
        await engine.http.get("/api/v3/workflows/sample-dag-test-1/instances/1/steps/job.1")
    ).json()

    maestro_instance = fixture(samples_dir, "sample-workflow-instance-succeeded.json")
    maestro_step = fixture(samples_dir, "sample-step-instance-succeeded.json")
    # every field Maestro wrote for its finished run and step (signal outputs: that step had some)
    assert set(maestro_instance) <= set(instance)
    assert set(maestro_step) - {"signal_outputs"} <= set(step)
    assert instance["correlation_id"] == "sample-dag-test-1:1:1"
    assert step["correlation_id"] == instance["correlation_id"]
    assert step["group_info"] == instance["group_info"] == 64  # the flow groups in use
    assert step["owner"] == "tester"
    # StepRetry's order, and the backoff with every field Maestro writes
    running = fixture(samples_dir, "sample-foreach-step-instance-running.json")["step_retry"]
    assert [k for k in step["step_retry"] if k in running] == list(running)
    assert set(running["backoff"]) <= set(step["step_retry"]["backoff"])
    assert list(step["step_retry"]["backoff"])[-1] == "type"


# -- restarts --------------------------------------------------------------------------------------


def test_maestros_step_restart_requests_parse(samples_dir: Path) -> None:
    for name in ("sample-step-restart-request.json", "sample-step-restart-request-from-root.json"):
        request = StepInstanceRestartRequest.model_validate(fixture(samples_dir, name))
        assert request.request_id == "97a57978-803f-403e-9f9b-376d34689723"
        assert request.step_run_params is not None and set(request.step_run_params) == {
            "foo", "auu", "aaa", "bbb",
        }  # fmt: skip


async def test_a_step_restart_answers_maestros_restart_response(
    engine: Harness, samples_dir: Path
) -> None:
    await engine.create(
        {
            "properties": {"owner": "tester"},
            "workflow": {"id": "again", "steps": [{"step": {"id": "s", "type": "NoOp"}}]},
        }
    )
    await engine.start("again")
    await engine.wait("again", 1)
    request = fixture(samples_dir, "sample-step-restart-request.json")
    request["step_run_params"] = {"foo": request["step_run_params"]["foo"]}
    answer = await engine.http.post(
        "/api/v3/workflows/again/instances/1/steps/s/actions/restart", json=request
    )
    expected = fixture(samples_dir, "sample-step-restart-response.json")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert list(body)[: len(expected)] == list(expected)
    assert body["timeline_event"].keys() == expected["timeline_event"].keys()
    assert body["status"] == expected["status"] == "CREATED"
    await engine.wait("again", 1, run_id=2)
    duplicate = await engine.http.post(
        "/api/v3/workflows/again/instances/1/steps/s/actions/restart", json=request
    )
    assert duplicate.json()["status"] == "DUPLICATED"


# -- enriched definitions ------------------------------------------------------------------------


async def test_enriched_extras_have_maestros_shape(engine: Harness, samples_dir: Path) -> None:
    stored = sample(samples_dir, "sample-active-wf-with-enriched-extras.json")
    workflow = stored["workflow"]
    await engine.create({"properties": {"owner": "tester"}, "workflow": workflow})
    answer = await engine.http.get(
        f"/api/v3/workflows/{workflow['id']}/versions/latest", params={"enriched": "true"}
    )
    extras = answer.json()["enriched_extras"]
    expected = stored["enriched_extras"]
    assert list(extras)[:2] == list(expected)[:2] == ["workflow_params", "step_params"]
    for name, param in expected["workflow_params"].items():
        assert extras["workflow_params"][name]["value"] == param["value"]
        assert extras["workflow_params"][name]["source"] == "DEFINITION"
    # (its step_params name a step it does not have: compare the shape of a definition)
    [maestro_param] = [p for params in expected["step_params"].values() for p in params.values()]
    assert set(extras["step_params"]) == {"job.1", "job.2", "job.3"}
    for params in extras["step_params"].values():
        for param in params.values():
            assert set(param) - {"value", "expression", "validator", "tags", "internal_mode",
                                 "source"} <= set(maestro_param)  # fmt: skip
    assert extras["step_params"]["job.1"]["foo"]["source"] == "DEFINITION"
    assert extras["step_params"]["job.2"]["subworkflow_id"]["value"] == "demo-sample-test-2"


# -- inline paths, flattened records and the foreach overview ----------------------------------


def test_iteration_ranks_and_attempt_sequences_are_maestros(samples_dir: Path) -> None:
    records = fixture(samples_dir, "flattening_records.json")
    assert encode_by_length(25) == "225" and encode_by_length(1234567890) == "A1234567890"
    for record in records:
        rank = record["instance"]["iteration_rank"]
        parts = tuple(int(part[1:]) for part in rank.split("-"))
        assert rank_text(parts) == rank
    sequences = {record["step_attempt_seq"] for record in records}
    assert "11-11-11-11-11-11" in sequences


def test_foreach_details_are_maestros_intervals(samples_dir: Path) -> None:
    details = fixture(samples_dir, "sample-foreach-details.json")["test1"]
    window = []
    for status, spans in details.items():
        for start, end in intervals(spans):
            window += [(i, status) for i in range(start, end + 1)]
    rebuilt = foreach_details(None, window)
    assert {status: merged(intervals(spans)) for status, spans in rebuilt.items()} == {
        status: merged(intervals(spans)) for status, spans in details.items()
    }
    assert rebuilt["SUCCEEDED"] == [10, [16, 20], 22]
    # the next read: non-terminal statuses are the window's, terminal ones accumulate
    after = foreach_details(rebuilt, [(2, "SUCCEEDED"), (4, "FAILED"), (21, "IN_PROGRESS")])
    assert after["IN_PROGRESS"] == [21]
    assert after["SUCCEEDED"] == [2, 10, [16, 20], 22]
    assert after["FAILED"] == [4, [8, 9], [11, 15]]
    assert "CREATED" not in after and "PAUSED" not in after


async def test_a_foreach_overview_has_maestros_keys(engine: Harness, samples_dir: Path) -> None:
    await engine.create(sample(samples_dir, "sample-foreach-wf.json"))
    await engine.start("sample-foreach-wf")
    assert (await engine.wait("sample-foreach-wf", 1)).status == "SUCCEEDED"
    foreach = (await engine.steps("sample-foreach-wf", 1))["foreach-job"]
    overview = foreach.artifacts["maestro_foreach"]["foreach_overview"]
    expected = fixture(samples_dir, "sample-foreach-step-overview.json")
    assert list(overview) == list(expected)
    assert overview["details"] == {"SUCCEEDED": [[1, 9]]}

    ancestors = fixture(samples_dir, "sample-workflow-instance-nested-inline-foreach.json")[
        "initiator"
    ]["ancestors"]
    inline = foreach.artifacts["maestro_foreach"]["foreach_workflow_id"]
    path = (await engine.http.get(f"/api/v3/workflows/{inline}/instances/1/inline-path")).json()
    assert list(path[0]) == list(ancestors[0])
