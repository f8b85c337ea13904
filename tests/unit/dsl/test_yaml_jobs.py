"""DSL jobs: the four kinds, their fields and aliases, transitions, dag, and their problems."""

from __future__ import annotations

from textwrap import dedent
from typing import Any

import pytest

from maestoso.dsl.yaml_dsl import parse_workflow_yaml
from maestoso.errors import ValidationError


def steps_of(jobs_yaml: str, dag: str = "") -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = parse_workflow_yaml(_workflow(jobs_yaml, dag))["workflow"][
        "steps"
    ]
    return steps


def errors_of(jobs_yaml: str, dag: str = "") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_workflow_yaml(_workflow(jobs_yaml, dag))
    return caught.value.errors


def _workflow(jobs_yaml: str, dag: str) -> str:
    jobs = dedent(jobs_yaml).strip("\n")
    text = "Workflow:\n  id: wf\n  jobs:\n" + "\n".join(f"    {line}" for line in jobs.split("\n"))
    return text + (f"\n  dag: {dag}" if dag else "") + "\n"


def successors(steps: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [next(iter(box.values()))["transition"].get("successors", {}) for box in steps]


def test_typed_job_with_every_base_field() -> None:
    [box] = steps_of(
        """
        - job:
            id: a
            name: A
            description: does a
            type: sleep
            failure_mode: ignore_failure
            tags: [x, y]
            timeout: 10 minutes
            sleep_seconds: 5
        """
    )
    assert box == {
        "step": {
            "id": "a",
            "name": "A",
            "description": "does a",
            "transition": {},
            "type": "Sleep",
            "failure_mode": "IGNORE_FAILURE",
            "tags": [{"name": "x"}, {"name": "y"}],
            "timeout": "10 minutes",
            "params": {"sleep_seconds": {"value": 5, "type": "LONG"}},
        }
    }


@pytest.mark.parametrize(
    ("written", "json_type"),
    [("noop", "NoOp"), ("NOOP", "NoOp"), ("titus", "Titus"), ("Notebook", "Notebook"),
     ("KUBERNETES", "Kubernetes"), ("http", "Http")],
)  # fmt: skip
def test_known_step_types_are_case_insensitive(written: str, json_type: str) -> None:
    [box] = steps_of(f"- job: {{id: a, type: {written}, type_version: v3}}")
    assert box["step"]["type"] == json_type
    assert box["step"]["sub_type_version"] == "v3"
    assert "sub_type" not in box["step"]


def test_template_type_is_a_template_step() -> None:
    [box] = steps_of("- job: {id: a, type: Template}")
    assert box == {"template": {"id": "a", "transition": {}, "params": {}}}


def test_unknown_type_is_the_sub_type_of_a_template_step() -> None:
    [box] = steps_of("- job: {id: a, type: my_shell, type_version: v2, script: echo}")
    assert box == {
        "template": {
            "id": "a",
            "transition": {},
            "sub_type": "my_shell",
            "params": {"script": {"value": "echo", "type": "STRING"}},
        }
    }


def test_foreach_with_aliases_ranges_and_nested_jobs() -> None:
    [box] = steps_of(
        """
        - foreach:
            id: loop
            job_concurrency: 3
            params:
              day<array<long>>: [1, 2]
            ranges:
              hour: {to: 24}
              back: {from: 10, to: 0, increment: -2}
            strict: yes
            jobs:
              - job: {id: inner, type: NoOp}
        """
    )
    assert box == {
        "foreach": {
            "id": "loop",
            "transition": {},
            "concurrency": 3,
            "params": {
                "strict": {"value": True, "type": "BOOLEAN"},
                "loop_params": {
                    "value": {
                        "day": {"value": [1, 2], "type": "LONG_ARRAY"},
                        "hour": {"expression": "Util.intsBetween(0, 24, 1);", "type": "LONG_ARRAY"},
                        "back": {
                            "expression": "Util.intsBetween(10, 0, -2);",
                            "type": "LONG_ARRAY",
                        },
                    },
                    "type": "MAP",
                },
            },
            "steps": [{"step": {"id": "inner", "transition": {}, "type": "NoOp", "params": {}}}],
        }
    }


def test_foreach_without_loop_params_gets_an_empty_map() -> None:
    [box] = steps_of("- foreach: {id: loop, concurrency: '4', loop_params: {}}")
    assert box["foreach"]["concurrency"] == 4
    assert box["foreach"]["params"] == {"loop_params": {"value": {}, "type": "MAP"}}
    assert "steps" not in box["foreach"]


def test_while_with_loop_params_and_dag() -> None:
    [box] = steps_of(
        """
        - while:
            id: w
            condition: i < 3
            loop_params: {i: 0}
            jobs:
              - job: {id: one, type: NoOp}
              - job: {id: two, type: NoOp}
            dag: sequential
        """
    )
    step = box["while"]
    assert step["condition"] == "i < 3"
    assert step["params"] == {
        "loop_params": {"value": {"i": {"value": 0, "type": "LONG"}}, "type": "MAP"}
    }
    assert successors(step["steps"]) == [{"two": "true"}, {}]


def test_while_without_loop_params_has_none() -> None:
    [box] = steps_of("- while: {id: w, condition: 'false', jobs: [{job: {id: x, type: noop}}]}")
    assert box["while"]["params"] == {}


def test_subworkflow_defaults_to_its_own_id() -> None:
    [box] = steps_of("- subworkflow: {id: child, sync: false}")
    assert box == {
        "subworkflow": {
            "id": "child",
            "transition": {},
            "sync": False,
            "params": {"subworkflow_id": {"value": "child", "type": "STRING"}},
        }
    }


@pytest.mark.parametrize(
    ("fields", "workflow_id", "version"),
    [
        ("workflow_id: other, version: '3'", "other", "3"),
        ("subworkflow_id: other, subworkflow_version: latest", "other", "latest"),
        ("subworkflow_id: other, version: 2", "other", "2"),
    ],
)
def test_subworkflow_id_and_version_aliases(fields: str, workflow_id: str, version: str) -> None:
    [box] = steps_of(f"- subworkflow: {{id: s, explicit_params: 'TRUE', {fields}, p: 1}}")
    assert box["subworkflow"]["explicit_params"] is True
    assert box["subworkflow"]["params"] == {
        "p": {"value": 1, "type": "LONG"},
        "subworkflow_id": {"value": workflow_id, "type": "STRING"},
        "subworkflow_version": {"value": version, "type": "STRING"},
    }


# Java: TransitionParserTest.testParseTransition
@pytest.mark.parametrize(
    ("transitions", "expected"),
    [
        (["b"], {"b": "true"}),
        (["IF param1 > 0 THEN b"], {"b": "param1 > 0"}),
        (["IF params.getFromStep('a', 'param2') > 0 THEN b"],
         {"b": "params.getFromStep('a', 'param2') > 0"}),
        (["OTHERWISE b"], {"b": "true"}),
        (["IF param2 < 0 THEN b", "OTHERWISE c"], {"b": "param2 < 0", "c": "!((param2 < 0))"}),
        (["if param2 < 0 THEN b", "OTHErwISE c"], {"b": "param2 < 0", "c": "!((param2 < 0))"}),
        (["IF param1 > 0 THEN b", "IF param2 < 10 THEN c", "OTHERWISE d"],
         {"b": "param1 > 0", "c": "param2 < 10", "d": "!((param1 > 0) || (param2 < 10))"}),
        (["b", "", "c"], {"b": "true", "c": "true"}),
        (["  IF  x THEN y  THEN  b  "], {"b": "x THEN y"}),
        ([], {}),
    ],
)  # fmt: skip
def test_transitions(transitions: list[str], expected: dict[str, str]) -> None:
    jobs = f"""
    - job: {{id: a, type: NoOp, transition: {transitions!r}}}
    - job: {{id: b, type: NoOp}}
    - job: {{id: c, type: NoOp}}
    - job: {{id: d, type: NoOp}}
    """
    assert successors(steps_of(jobs))[0] == expected


def test_dag_map_fills_jobs_without_transitions() -> None:
    steps = steps_of(
        """
        - job: {id: a, type: NoOp}
        - job: {id: b, type: NoOp, transition: [d]}
        - job: {id: c, type: NoOp}
        - job: {id: d, type: NoOp}
        """,
        dag="{a: [b, 'IF x THEN c'], b: [c], c: []}",
    )
    # b keeps its own transition; an empty dag list adds nothing.
    assert successors(steps) == [{"b": "true", "c": "x"}, {"d": "true"}, {}, {}]


def test_dag_sequential_chains_jobs_without_transitions() -> None:
    steps = steps_of(
        """
        - job: {id: a, type: NoOp}
        - job: {id: b, type: NoOp, transition: [d]}
        - job: {id: c, type: NoOp}
        - job: {id: d, type: NoOp}
        """,
        dag="Sequential",
    )
    assert successors(steps) == [{"b": "true"}, {"d": "true"}, {"d": "true"}, {}]


def test_dag_parallel_adds_nothing() -> None:
    steps = steps_of("- job: {id: a, type: NoOp}\n- job: {id: b, type: NoOp}", dag="PARALLEL")
    assert successors(steps) == [{}, {}]


def test_otherwise_must_be_last() -> None:
    errors = errors_of(
        """
        - job: {id: a, type: NoOp}
        - job: {id: b, type: NoOp}
        - job:
            id: c
            type: NoOp
            transition:
              - IF x > 0 THEN a
              - OTHERWISE b
              - IF x > 1 THEN d
        - job: {id: d, type: NoOp}
        """
    )
    assert errors == ["Workflow.jobs[2].job.transition[1]: OTHERWISE must be the last transition "
                      "(line 11)"]  # fmt: skip


def test_transition_problems() -> None:
    errors = errors_of(
        """
        - job:
            id: a
            type: NoOp
            transition:
              - not a transition
              - nowhere
              - [b]
              - b
              - IF y THEN b
        - job: {id: b, type: NoOp, transition: b}
        """
    )
    expected = "expected 'job_id', 'IF <condition> THEN job_id' or 'OTHERWISE job_id'"
    assert errors == [
        f"Workflow.jobs[0].job.transition[0]: invalid transition [not a transition]; {expected} "
        "(line 8)",
        "Workflow.jobs[0].job.transition[1]: names an unknown job [nowhere] (line 9)",
        f"Workflow.jobs[0].job.transition[2]: invalid transition [['b']]; {expected} (line 10)",
        "Workflow.jobs[0].job.transition[4]: job [b] is named by more than one transition "
        "(line 12)",
        "Workflow.jobs[1].job.transition: must be a list of transitions (line 13)",
    ]


def test_dag_problems() -> None:
    """Java: WorkflowParserTest.testWorkflowParserForDagWithNonexistingJobId, and more."""
    errors = errors_of(
        "- job: {id: a, type: NoOp}\n- job: {id: b, type: NoOp}",
        dag="{foo: [bar], a: b, b: [zzz]}",
    )
    assert errors == [
        "Workflow.dag.foo: names an unknown job [foo] (line 6)",
        "Workflow.dag.a: must be a list of transitions (line 6)",
        "Workflow.dag.b[0]: names an unknown job [zzz] (line 6)",
    ]


@pytest.mark.parametrize("dag", ["circular", "[a, b]", "1"])
def test_dag_must_be_an_order_or_a_map(dag: str) -> None:
    errors = errors_of("- job: {id: a, type: NoOp}", dag=dag)
    assert len(errors) == 1
    assert errors[0].startswith("Workflow.dag: must be sequential, parallel or a mapping")


def test_nested_dag_only_knows_its_own_jobs() -> None:
    errors = errors_of(
        """
        - job: {id: a, type: NoOp}
        - foreach:
            id: loop
            jobs:
              - job: {id: inner, type: NoOp, transition: [a]}
        """
    )
    assert errors == ["Workflow.jobs[1].foreach.jobs[0].job.transition[0]: names an unknown "
                      "job [a] (line 8)"]  # fmt: skip


def test_job_problems_are_all_reported() -> None:
    errors = errors_of(
        """
        - job: {type: NoOp}
        - step: {id: b, type: NoOp}
        - job: {id: c, type: NoOp}
          foreach: {id: d}
        - job: [x]
        - job: {id: c, type: foreach}
        - job: {id: e}
        - job: {id: f, type: NoOp, failure_mode: sometimes, job_params: {}, tags: x}
        - "just text"
        """
    )
    assert errors == [
        "Workflow.jobs[0].job: a job needs an id (line 4)",
        "Workflow.jobs[1].step: unknown job kind [step]; expected job, foreach, while or "
        "subworkflow (line 5)",
        "Workflow.jobs[2]: must be a mapping with exactly one key: job, foreach, while or "
        "subworkflow (line 6)",
        "Workflow.jobs[3].job: must be a mapping (line 8)",
        "Workflow.jobs[4].job.type: type [foreach] is not a job type; use its own list item "
        "(line 9)",
        "Workflow.jobs[5].job: a job needs a type (line 10)",
        "Workflow.jobs[6].job.failure_mode: invalid value [sometimes]; expected one of "
        "['FAIL_AFTER_RUNNING', 'FAIL_IMMEDIATELY', 'IGNORE_FAILURE'] (line 11)",
        "Workflow.jobs[6].job.tags: must be a list (line 11)",
        "Workflow.jobs[6].job.job_params: [job_params] is reserved and cannot be a param (line 11)",
        "Workflow.jobs[7]: must be a mapping with exactly one key: job, foreach, while or "
        "subworkflow (line 12)",
    ]


def test_duplicate_ids_are_found_across_nesting_levels() -> None:
    errors = errors_of(
        """
        - job: {id: a, type: NoOp}
        - while:
            id: w
            condition: 'true'
            jobs:
              - job: {id: a, type: NoOp}
        """
    )
    assert errors == [
        "Workflow.jobs[1].while.jobs[0].job.id: job id [a] is already used at "
        "Workflow.jobs[0].job (line 9)"
    ]


def test_kind_specific_problems() -> None:
    errors = errors_of(
        """
        - foreach:
            id: f
            concurrency: 2
            job_concurrency: 3
            loop_params: {x: [1]}
            ranges:
              x: {to: 3}
              y: {from: 1}
              z: 5
              w: {to: 2, step: 1}
        - while: {id: w, params: [i]}
        - subworkflow: {id: s, sync: maybe, workflow_id: [x]}
        """
    )
    assert errors == [
        "Workflow.jobs[0].foreach.job_concurrency: cannot be given together with "
        "[concurrency] (line 7)",
        "Workflow.jobs[0].foreach.ranges: [x] is both a range and a loop param (line 9)",
        "Workflow.jobs[0].foreach.ranges.y: a range needs a 'to' (its excluded end) (line 11)",
        "Workflow.jobs[0].foreach.ranges.z: a range must be a mapping with from, to and "
        "increment (line 12)",
        "Workflow.jobs[0].foreach.ranges.w.step: unknown range field (line 13)",
        "Workflow.jobs[1].while: a while job needs a condition (line 14)",
        "Workflow.jobs[1].while.params: must be a mapping (line 14)",
        "Workflow.jobs[2].subworkflow.sync: must be true or false, not [maybe] (line 15)",
        "Workflow.jobs[2].subworkflow.workflow_id: must be a string (line 15)",
    ]


def test_required_fields_of_the_wrong_kind_are_reported_once() -> None:
    errors = errors_of(
        """
        - job: {id: [a], type: ''}
        - while: {id: w, condition: [x]}
        - job: {id: '', type: {a: b}}
        """
    )
    assert errors == [
        "Workflow.jobs[0].job.id: must be a string (line 4)",
        "Workflow.jobs[0].job: a job needs a type (line 4)",
        "Workflow.jobs[1].while.condition: must be a string (line 5)",
        "Workflow.jobs[2].job: a job needs an id (line 6)",
        "Workflow.jobs[2].job.type: must be a string (line 6)",
    ]
