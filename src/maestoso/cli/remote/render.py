"""Rich renderings of what the API answers: tables of workflows and runs, DAGs as trees."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from maestoso.client import InstanceSummary, StepAttempt, WorkflowInstance, WorkflowSummary

_COLORS = {
    "SUCCEEDED": "green",
    "RUNNING": "cyan",
    "IN_PROGRESS": "cyan",
    "STOPPED": "yellow",
    "SKIPPED": "yellow",
    "UNSATISFIED": "dim",
    "NOT_CREATED": "dim",
    "CREATED": "dim",
}


def status_text(status: str) -> str:
    color = _COLORS.get(status, "red" if "FAIL" in status or "TIMED" in status else "white")
    return f"[{color}]{escape(status)}[/{color}]"


def when(millis: int | None) -> str:
    if not millis:
        return ""
    moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def duration(start: int | None, end: int | None) -> str:
    return f"{(end - start) / 1000:.1f}s" if start and end else ""


def workflows_table(workflows: Iterable[WorkflowSummary]) -> Table:
    table = Table("workflow", "owner", "active", "latest", "runs", "tags", "modified")
    for wf in workflows:
        active = str(wf.active_version_id) if wf.active_version_id else "-"
        table.add_row(
            escape(wf.workflow_id),
            escape(wf.owner or ""),
            active,
            str(wf.latest_version_id),
            str(wf.latest_instance_id),
            escape(", ".join(wf.tags)),
            when(wf.modify_time),
        )
    return table


def instances_table(instances: Iterable[InstanceSummary]) -> Table:
    table = Table("workflow", "instance", "run", "version", "status", "started", "duration")
    for run in instances:
        table.add_row(
            escape(run.workflow_id),
            str(run.workflow_instance_id),
            str(run.workflow_run_id),
            str(run.workflow_version_id),
            status_text(run.status.value),
            when(run.start_time or run.create_time),
            duration(run.start_time, run.end_time),
        )
    return table


def dag_tree(title: str, steps: list[Any], label: Any = None) -> Tree:
    """The steps of a definition as a tree from its roots; ``label(step_id)`` adds a status."""
    tree = Tree(title)
    _grow(tree, steps, label, set())
    return tree


def _grow(node: Tree, steps: list[Any], label: Any, shown: set[str]) -> None:
    bodies = {}
    for item in steps:
        ((kind, body),) = item.items()
        bodies[body["id"]] = (kind, body)
    targets = {
        t for _, b in bodies.values() for t in (b.get("transition") or {}).get("successors", {})
    }
    roots = [step_id for step_id in bodies if step_id not in targets]
    for step_id in roots:
        _branch(node, step_id, None, bodies, label, shown)


def _branch(
    node: Tree,
    step_id: str,
    condition: str | None,
    bodies: Mapping[str, tuple[str, dict[str, Any]]],
    label: Any,
    shown: set[str],
) -> None:
    kind, body = bodies[step_id]
    step_type = body.get("type") or kind
    text = f"[bold]{escape(step_id)}[/bold] [dim]{escape(step_type)}[/dim]"
    if condition not in (None, "true"):
        text = f"[dim]if {escape(str(condition))} →[/dim] {text}"
    if label is not None:
        text += f"  {label(step_id)}"
    if step_id in shown:
        node.add(f"{text} [dim](above)[/dim]")
        return
    shown.add(step_id)
    branch = node.add(text)
    if body.get("steps"):
        _grow(branch.add(f"[dim]{escape(kind)} body[/dim]"), body["steps"], label, shown)
    for target, cond in (body.get("transition") or {}).get("successors", {}).items():
        if target in bodies:
            _branch(branch, target, cond, bodies, label, shown)


def run_view(instance: WorkflowInstance, steps: list[StepAttempt]) -> Group:
    """A run as its DAG with each step's latest attempt, and a one-line header."""
    latest: dict[str, StepAttempt] = {}
    for step in steps:
        if (
            step.step_id not in latest
            or step.step_attempt_id > latest[step.step_id].step_attempt_id
        ):
            latest[step.step_id] = step

    def label(step_id: str) -> str:
        attempt = latest.get(step_id)
        if attempt is None:
            return status_text("NOT_CREATED")
        state = attempt.runtime_state
        extra = f" attempt {attempt.step_attempt_id}" if attempt.step_attempt_id > 1 else ""
        return (
            f"{status_text(state.status.value)}{extra} {duration(state.start_time, state.end_time)}"
        )

    done = sum(1 for step in latest.values() if step.status.is_terminal)
    total = max(len(instance.runtime_dag), len(latest))
    title = (
        f"{escape(instance.workflow_id)} instance {instance.workflow_instance_id} "
        f"run {instance.workflow_run_id}: {status_text(instance.status.value)} "
        f"[dim]({done}/{total} steps done)[/dim]"
    )
    workflow = instance.model_extra.get("runtime_workflow", {}) if instance.model_extra else {}
    return Group(dag_tree(title, workflow.get("steps", []), label))


def failure_lines(steps: list[StepAttempt]) -> list[Text]:
    """The last timeline message of each failed step: why it failed, as the engine says."""
    lines = []
    for step in steps:
        if "FAIL" in step.status.value or "TIMED" in step.status.value:
            messages = [event.get("message", "") for event in step.timeline if event.get("message")]
            reason = messages[-1] if messages else step.status.value
            lines.append(Text(f"{step.step_id} (attempt {step.step_attempt_id}): {reason}"))
    return lines
