"""The YAML DSL end to end: Maestro's samples, workflow fields, properties and root errors.

Expectations marked "Java:" are pinned by Maestro's own tests of ``maestro-dsl``
(``WorkflowParserTest``, ``TransitionParserTest``, ``ParamParserTest``); the rest of each
expected document is the JSON that Maestro's model serializes for the same objects.
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.errors import ValidationError

ROOT_PROBLEM = "unknown key; the root must only hold Workflow, time_triggers and signal_triggers"


def parse(text: str, **kwargs: Any) -> dict[str, Any]:
    return parse_workflow_yaml(dedent(text), **kwargs)


def errors_of(text: str, **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse(text, **kwargs)
    assert caught.value.errors, "a ValidationError must list its problems"
    assert caught.value.message.startswith("Invalid YAML workflow: ")
    return caught.value.errors


def java_test_resolver(job_type: str, version: str | None) -> str | None:
    """The resolver of WorkflowParserTest.setup: spark is a Notebook, shell is Kubernetes."""
    return {"spark": "Notebook", "shell": "Kubernetes"}.get(job_type)


MINIMAL = """
Workflow:
  id: wf
  jobs:
    - job: {id: a, type: NoOp}
"""


def test_minimal_workflow_gets_maestro_defaults() -> None:
    assert parse(MINIMAL) == {
        "properties": {
            "run_strategy": {"rule": "SEQUENTIAL", "workflow_concurrency": 1},
            "step_concurrency": 20,
        },
        "workflow": {
            "id": "wf",
            "params": {},
            "steps": [{"step": {"id": "a", "transition": {}, "type": "NoOp", "params": {}}}],
        },
        "is_active": True,
    }


# Java: WorkflowParserTest.testWorkflowParser, on maestro-dsl's fixtures/sample-dsl-wf-1.yaml.
SAMPLE_DSL_WF_1: dict[str, Any] = {
    "properties": {
        "owner": "tester",
        "run_strategy": {"rule": "PARALLEL", "workflow_concurrency": 5},
        "step_concurrency": 20,
    },
    "workflow": {
        "id": "sample-dsl-wf-1",
        "name": "Sample Workflow DSL Example 1",
        "description": "A comprehensive example workflow demonstrating Maestro DSL",
        "tags": [{"name": "example"}],
        "timeout": "2h",
        "criticality": "CRITICAL",
        "params": {
            "month": {
                "expression": "new DateTime(1569018000000).withZone(DateTimeZone.forID('UTC'))"
                ".monthOfYear().getAsText();",
                "type": "STRING",
            },
            "data_source": {"value": "s3://my-bucket/raw-data", "type": "STRING"},
            "output_path": {"value": "s3://my-bucket/processed-data", "type": "STRING"},
            "partition_count": {"expression": "1+9", "type": "LONG", "mode": "CONSTANT"},
        },
        "steps": [
            {
                "step": {
                    "id": "extract_data",
                    "name": "Extract Data from Source",
                    "description": "Extract raw data from the data lake using Spark",
                    "transition": {"successors": {"process_partitions": "partition_count > 0"}},
                    "type": "Notebook",
                    "sub_type": "spark",
                    "sub_type_version": "v1",
                    "timeout": "30min",
                    "params": {},
                }
            },
            {
                "foreach": {
                    "id": "process_partitions",
                    "name": "Process Data Partitions",
                    "description": "Iterate over each data partition and process independently",
                    "transition": {},
                    "params": {
                        "foo": {"value": "bar", "type": "STRING"},
                        "loop_params": {
                            "value": {
                                "date": {
                                    "value": [20200101, 20200102, 20200103],
                                    "type": "LONG_ARRAY",
                                },
                                "hour": {
                                    "expression": "Util.intsBetween(0, 24, 1);",
                                    "type": "LONG_ARRAY",
                                },
                            },
                            "type": "MAP",
                        },
                    },
                    "steps": [
                        {
                            "while": {
                                "id": "retry_failed_partitions",
                                "name": "Retry Failed Partitions",
                                "description": "Keep retrying failed partitions until success "
                                "or max attempts",
                                "transition": {},
                                "timeout": "1h",
                                "condition": "attempt_cnt < 10",
                                "params": {
                                    "foo": {"value": "bar", "type": "STRING"},
                                    "loop_params": {
                                        "value": {"attempt_cnt": {"value": 1, "type": "LONG"}},
                                        "type": "MAP",
                                    },
                                },
                                "steps": [
                                    {
                                        "step": {
                                            "id": "process_data",
                                            "name": "Process Data from Source",
                                            "transition": {
                                                "successors": {
                                                    "validation_workflow": "foo == 'bar'"
                                                }
                                            },
                                            "type": "Kubernetes",
                                            "sub_type": "shell",
                                            "params": {},
                                        }
                                    },
                                    {
                                        "subworkflow": {
                                            "id": "validation_workflow",
                                            "name": "Data Validation Pipeline",
                                            "description": "Run comprehensive data validation "
                                            "checks as a subworkflow",
                                            "transition": {},
                                            "explicit_params": True,
                                            "params": {
                                                "foo": {"value": "bar", "type": "STRING"},
                                                "subworkflow_id": {
                                                    "value": "validation_workflow",
                                                    "type": "STRING",
                                                },
                                                "subworkflow_version": {
                                                    "value": "default",
                                                    "type": "STRING",
                                                },
                                            },
                                        }
                                    },
                                ],
                            }
                        }
                    ],
                }
            },
        ],
    },
    "is_active": True,
}


def test_sample_dsl_wf_1_matches_the_java_parser(maestro_samples: Path) -> None:
    text = (maestro_samples / "sample-dsl-wf-1.yaml").read_text()
    result = parse_workflow_yaml(text, resolve_step_type=java_test_resolver)
    assert result == SAMPLE_DSL_WF_1
    # Maestro serializes in its declared key order; so do we.
    assert list(result) == ["properties", "workflow", "is_active"]
    assert list(result["workflow"]) == [
        "id", "name", "description", "tags", "timeout", "criticality", "params", "steps",
    ]  # fmt: skip
    assert list(result["workflow"]["steps"][0]["step"])[:6] == [
        "id", "name", "description", "transition", "type", "sub_type",
    ]  # fmt: skip


def test_sample_dsl_wf_1_without_a_resolver_has_template_steps(maestro_samples: Path) -> None:
    result = parse_workflow_yaml((maestro_samples / "sample-dsl-wf-1.yaml").read_text())
    first = result["workflow"]["steps"][0]
    assert first == {
        "template": {
            "id": "extract_data",
            "name": "Extract Data from Source",
            "description": "Extract raw data from the data lake using Spark",
            "transition": {"successors": {"process_partitions": "partition_count > 0"}},
            "sub_type": "spark",
            "timeout": "30min",
            "params": {},
        }
    }


def test_resolver_receives_the_type_version() -> None:
    """Java: WorkflowParserTest.testTypeVersionResolution."""
    calls: list[tuple[str, str | None]] = []

    def resolver(job_type: str, version: str | None) -> str | None:
        calls.append((job_type, version))
        if job_type == "shell":
            return "NOTEBOOK" if version == "v2" else "kubernetes"
        return None

    result = parse(
        """
        Workflow:
          id: wf
          jobs:
            - job: {id: a, type: shell, type_version: v2, transition: [b]}
            - job: {id: b, type: shell}
        """,
        resolve_step_type=resolver,
    )
    steps = [box["step"] for box in result["workflow"]["steps"]]
    assert [(s["type"], s["sub_type"]) for s in steps] == [
        ("Notebook", "shell"),
        ("Kubernetes", "shell"),
    ]
    assert steps[0]["sub_type_version"] == "v2"
    assert "sub_type_version" not in steps[1]
    assert calls == [("shell", "v2"), ("shell", None)]


def test_resolver_that_finds_nothing_is_a_problem() -> None:
    errors = errors_of(
        """
        Workflow:
          id: wf
          jobs:
            - job: {id: a, type: spark}
        """,
        resolve_step_type=lambda job_type, version: None,
    )
    assert errors == [
        "Workflow.jobs[0].job.type: cannot find step type for job id: [a] with job type: "
        "[spark] (line 5)"
    ]


def test_a_plugin_s_step_type_makes_a_typed_step_and_other_kinds_stay_refused() -> None:
    resolved = {"echo": "Echo", "loop": "foreach", "odd": "not a type"}
    text = """
        Workflow:
          id: wf
          jobs:
            - job: {id: a, type: echo, message: hi}
            - job: {id: b, type: loop}
            - job: {id: c, type: odd}
        """
    errors = errors_of(text, resolve_step_type=lambda job_type, version: resolved[job_type])
    assert [error.split(": ", 1)[0] for error in errors] == [
        "Workflow.jobs[1].job.type",
        "Workflow.jobs[2].job.type",
    ]
    text = text.replace("            - job: {id: b, type: loop}\n", "")
    text = text.replace("            - job: {id: c, type: odd}\n", "")
    step = parse(text, resolve_step_type=lambda job_type, version: "Echo")["workflow"]["steps"][0]
    assert step == {
        "step": {
            "id": "a",
            "transition": {},
            "type": "Echo",
            "params": {"message": {"value": "hi", "type": "STRING"}},
        }
    }


# The JSON counterpart of sample-conditional-wf.yaml (maestro-server__samples__...) differs
# from what the DSL produces in ways Maestro's DSL pins: OTHERWISE is written as the negation
# of the IF conditions (Java: TransitionParserTest), an expression param without a type is a
# STRING (Java: ParamParserTest), and the run strategy is Maestro's serialized object.
CONDITIONAL_DIFFERENCES = {
    ("job.3", "transition"): {"successors": {"job.4": "param2 < 0", "job.6": "!((param2 < 0))"}},
    ("job.7", "params"): {"param5": {"expression": "params.get('param0')", "type": "STRING"}},
}


def test_sample_conditional_wf_matches_its_json_counterpart(maestro_samples: Path) -> None:
    result = parse_workflow_yaml((maestro_samples / "sample-conditional-wf.yaml").read_text())
    counterpart = json.loads(
        (maestro_samples / "maestro-server__samples__sample-conditional-wf.json").read_text()
    )
    expected_steps = []
    for box in counterpart["workflow"]["steps"]:
        step = {"transition": {}, "params": {}, **box["step"]}
        for (step_id, key), value in CONDITIONAL_DIFFERENCES.items():
            if step["id"] == step_id:
                step[key] = value
        expected_steps.append({"step": step})
    assert result["workflow"]["steps"] == expected_steps
    assert result["workflow"]["params"] == counterpart["workflow"]["params"]
    for key in ("id", "name", "description"):
        assert result["workflow"][key] == counterpart["workflow"][key]
    assert result["properties"] == {
        "owner": "tester",
        "run_strategy": {"rule": "PARALLEL", "workflow_concurrency": 20},
        "step_concurrency": 20,
    }


def test_sample_http_wf_converts(maestro_samples: Path) -> None:
    result = parse_workflow_yaml((maestro_samples / "sample-http-wf.yaml").read_text())
    steps = [box["step"] for box in result["workflow"]["steps"]]
    # dag: sequential chains the five jobs in order.
    assert [s["transition"] for s in steps] == [
        {"successors": {"job.2": "true"}},
        {"successors": {"job.3": "true"}},
        {"successors": {"job.4": "true"}},
        {"successors": {"job.5": "true"}},
        {},
    ]
    assert {s["type"] for s in steps} == {"Http"}
    assert steps[3]["params"] == {
        "http": {
            "value": {
                "url": {
                    "value": "http://localhost:8080/api/v3/workflows/sample-wf-2",
                    "type": "STRING",
                },
                "method": {"value": "DELETE", "type": "STRING"},
                "headers": {"value": {"user": "tester"}, "type": "STRING_MAP"},
            },
            "type": "MAP",
        }
    }
    assert steps[4]["params"]["state_expr"] == {
        "value": 'if (status_code == 404) return "DONE";\nelse return "FATAL_ERROR";\n',
        "type": "STRING",
    }
    body = result["workflow"]["params"]["wf_body"]["value"]
    # The embedded workflow is itself a valid DSL document.
    assert parse_workflow_yaml(body)["workflow"]["id"] == "sample-wf-2"


def test_every_workflow_yaml_sample_converts(maestro_samples: Path) -> None:
    samples = sorted(maestro_samples.glob("*.y*ml"))
    workflows = [path for path in samples if "job-template" not in path.name]
    assert len(workflows) >= 3
    for path in workflows:
        result = parse_workflow_yaml(path.read_text())
        assert result["workflow"]["steps"], path.name


def test_job_template_yaml_sample_is_not_a_workflow(maestro_samples: Path) -> None:
    """sample-job-template-1.yaml is a job template request, which has no Workflow root."""
    with pytest.raises(ValidationError) as caught:
        parse_workflow_yaml((maestro_samples / "sample-job-template-1.yaml").read_text())
    assert f"document.definition: {ROOT_PROBLEM} (line 15)" in (caught.value.errors)
    assert "document: must have exactly one Workflow (or workflow) key (line 1)" in (
        caught.value.errors
    )


def test_lowercase_root_key_is_accepted() -> None:
    assert parse(MINIMAL.replace("Workflow:", "workflow:"))["workflow"]["id"] == "wf"


def test_workflow_fields_and_params() -> None:
    result = parse(
        """
        Workflow:
          id: wf
          name: A name
          description: Some text
          owner: alice
          run_strategy: strict_sequential
          tags: [a, b]
          timeout: 100
          criticality: low
          jobs:
            - job: {id: a, type: noop}
          retries: 3
          ratio: 0.5
          enabled: true
          '!when': RUN_TS + 1
        """
    )
    workflow = result["workflow"]
    assert result["properties"] == {
        "owner": "alice",
        "run_strategy": {"rule": "STRICT_SEQUENTIAL", "workflow_concurrency": 1},
        "step_concurrency": 20,
    }
    assert workflow["tags"] == [{"name": "a"}, {"name": "b"}]
    assert workflow["timeout"] == "100"  # Maestro's DSL keeps the timeout as text
    assert workflow["criticality"] == "LOW"
    assert workflow["params"] == {
        "retries": {"value": 3, "type": "LONG"},
        "ratio": {"value": 0.5, "type": "DOUBLE"},
        "enabled": {"value": True, "type": "BOOLEAN"},
        "when": {"expression": "RUN_TS + 1", "type": "STRING"},
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("run_strategy: parallel", {"rule": "PARALLEL", "workflow_concurrency": 20}),
        (
            "run_strategy: PARALLEL\n  workflow_concurrency: 7",
            {"rule": "PARALLEL", "workflow_concurrency": 7},
        ),
        ("run_strategy: first_only", {"rule": "FIRST_ONLY", "workflow_concurrency": 1}),
        (
            "run_strategy: last_only\n  workflow_concurrency: 0",
            {"rule": "LAST_ONLY", "workflow_concurrency": 0},
        ),
        # As in Maestro, a concurrency without a run strategy leaves the default.
        ("workflow_concurrency: 5", {"rule": "SEQUENTIAL", "workflow_concurrency": 1}),
    ],
)
def test_run_strategy_mapping(fields: str, expected: dict[str, Any]) -> None:
    text = MINIMAL.replace("  id: wf\n", f"  id: wf\n  {fields}\n")
    assert parse(text)["properties"]["run_strategy"] == expected


def test_workflow_field_errors_are_all_reported() -> None:
    errors = errors_of(
        """
        Workflow:
          name: [not, text]
          run_strategy: sometimes
          workflow_concurrency: many
          criticality: urgent
          tags: [a, a]
          workflow_params: {x: 1}
          jobs:
            - job: {id: a, type: NoOp}
        """
    )
    assert errors == [  # in the order of their lines
        "Workflow: a workflow needs an id (line 2)",
        "Workflow.name: must be a string (line 3)",
        "Workflow.run_strategy: invalid run strategy [sometimes]; expected one of "
        "['FIRST_ONLY', 'LAST_ONLY', 'PARALLEL', 'SEQUENTIAL', 'SERIAL_LATEST_ONLY', "
        "'STRICT_SEQUENTIAL'] (line 4)",
        "Workflow.workflow_concurrency: must be a whole number, not [many] (line 5)",
        "Workflow.criticality: invalid criticality [urgent]; expected one of "
        "['CRITICAL', 'HIGH', 'LOW', 'MEDIUM'] (line 6)",
        "Workflow.tags: tag [a] is given more than once (line 7)",
        "Workflow.workflow_params: [workflow_params] is reserved and cannot be a param (line 8)",
    ]


def test_concurrency_above_one_needs_parallel() -> None:
    errors = errors_of(MINIMAL.replace("  id: wf\n", "  id: wf\n  run_strategy: sequential\n"
                                       "  workflow_concurrency: 3\n"))  # fmt: skip
    assert errors == [
        "Workflow.workflow_concurrency: only the PARALLEL run strategy allows a "
        "workflow_concurrency greater than 1 (line 5)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 2]", "document: must be a mapping with a Workflow key (line 1)"),
        ("Workflow: 3", "Workflow: must be a mapping (line 1)"),
        ("Workflow: {id: x}\nworkflow: {id: y}", "document: must have exactly one Workflow"),
        ("Pipeline: {id: x}", "document: must have exactly one Workflow (or workflow) key"),
        ("Workflow: {id: x}", "Workflow: a workflow needs at least one job in jobs (line 1)"),
        ("Workflow: {id: x, jobs: []}", "Workflow: a workflow needs at least one job in jobs"),
        ("Workflow: {id: x, jobs: a}", "Workflow.jobs: must be a list (line 1)"),
    ],
)
def test_root_problems(text: str, expected: str) -> None:
    errors = errors_of(text)
    assert any(error.startswith(expected) for error in errors), errors


def test_unknown_root_keys_are_reported_with_their_path() -> None:
    errors = errors_of(MINIMAL + "extra: 1\n")
    assert errors == [f"document.extra: {ROOT_PROBLEM} (line 6)"]


def test_many_problems_are_summarised_in_the_message() -> None:
    with pytest.raises(ValidationError) as caught:
        parse("Workflow: {jobs: [{job: {}}, {job: {}}]}")
    assert caught.value.errors == [
        "Workflow: a workflow needs an id (line 1)",
        "Workflow.jobs[0].job: a job needs an id (line 1)",
        "Workflow.jobs[1].job: a job needs an id (line 1)",
        "Workflow.jobs[0].job: a job needs a type (line 1)",
        "Workflow.jobs[1].job: a job needs a type (line 1)",
    ]
    assert caught.value.message == (
        "Invalid YAML workflow: Workflow: a workflow needs an id (line 1) (and 4 more problems)"
    )


def test_scalars_in_text_fields_become_their_text() -> None:
    result = parse(
        """
        Workflow:
          id: 42
          name: true
          description: 1.5
          tags: [false, 7]
          jobs:
            - job: {id: a, type: NoOp}
        """
    )
    workflow = result["workflow"]
    assert (workflow["id"], workflow["name"], workflow["description"]) == ("42", "true", "1.5")
    assert workflow["tags"] == [{"name": "false"}, {"name": "7"}]


def test_list_items_of_the_wrong_kind_are_reported() -> None:
    errors = errors_of(MINIMAL.replace("  id: wf\n", "  id: wf\n  tags: [a, [b], ~, {c: d}]\n"))
    assert errors == [
        "Workflow.tags[1]: must be a string (line 4)",
        "Workflow.tags[3]: must be a string (line 4)",
    ]


def test_the_example_of_the_user_guide_converts() -> None:
    guide = (Path(__file__).resolve().parents[3] / "docs" / "yaml-dsl.md").read_text()
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    result = parse_workflow_yaml(example)
    assert result["properties"]["run_strategy"] == {"rule": "PARALLEL", "workflow_concurrency": 3}
    steps = result["workflow"]["steps"]
    assert steps[0]["step"]["transition"] == {
        "successors": {"report": "day > 20231231", "skip": "!((day > 20231231))"}
    }
    assert steps[1]["foreach"]["params"]["loop_params"]["value"]["hour"] == {
        "expression": "Util.intsBetween(0, 24, 1);",
        "type": "LONG_ARRAY",
    }
