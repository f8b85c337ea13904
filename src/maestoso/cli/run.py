"""``maestoso run FILE``: run one workflow to its end in this process, showing its progress."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from maestoso.cli.run_report import report_failures
from maestoso.clock import SystemClock
from maestoso.dsl.loading import check_request, load_request
from maestoso.engine.node import EngineNode
from maestoso.engine.workflows import WorkflowService
from maestoso.errors import MaestosoError
from maestoso.models import ParamType, Properties
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.statuses import WorkflowStatus
from maestoso.store import Store, open_store
from maestoso.store.records import InstanceRow, StepAttemptRow

_COLORS = {"SUCCEEDED": "green", "RUNNING": "cyan", "STOPPED": "yellow", "UNSATISFIED": "dim"}


def run(
    file: Annotated[Path, typer.Argument(help="A JSON create request or a YAML DSL file.")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A run param NAME=VALUE (VALUE as JSON, else text)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Keep the run in this database [default: a temp one]."),
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option("--keep", help="Keep the database and step logs in this folder."),
    ] = None,
) -> None:
    """Run a workflow definition once, in-process; exit 0 only if the run SUCCEEDED."""
    console = Console(highlight=False)
    try:
        request = load_request(file)
        check_request(request)
        run_params = _run_params(param or [])
    except MaestosoError as exc:
        console.print(f"[red]error[/red]: {escape(exc.message)}", markup=True)
        for error in exc.errors:
            console.print(f"  - {error}", markup=False)
        raise typer.Exit(2) from None
    with _home(keep) as home:
        status = asyncio.run(_run(request, run_params, database_url, home, console))
    if keep is not None:
        console.print(f"kept the database and logs in {escape(str(keep))}")
    raise typer.Exit(0 if status is WorkflowStatus.SUCCEEDED else 1)


@contextmanager
def _home(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="maestoso-run-") as home:
        yield Path(home)


def _run_params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise MaestosoError(f"--param [{pair}] must be NAME=VALUE")
        try:
            value: Any = json.loads(text)
        except json.JSONDecodeError:
            value = text
        params[name] = {"value": value, "type": _type_of(value).value}
    return params


def _type_of(value: Any) -> ParamType:
    if isinstance(value, bool):
        return ParamType.BOOLEAN
    if isinstance(value, int):
        return ParamType.LONG
    if isinstance(value, float):
        return ParamType.DOUBLE
    if isinstance(value, list):
        return ParamType.STRING_ARRAY
    if isinstance(value, dict):
        return ParamType.STRING_MAP
    return ParamType.STRING


async def _run(
    request: Any, run_params: dict[str, Any], url: str | None, home: Path, console: Console
) -> WorkflowStatus:
    clock = SystemClock()
    store = await open_store(url or os.environ.get("MAESTOSO_RUN_DATABASE_URL"), home)
    node = EngineNode(store, clock, home=home)
    try:
        await node.start()
        if request.properties is None or request.properties.owner is None:
            owner = request.properties or Properties()
            request.properties = owner.model_copy(
                update={"owner": os.environ.get("USER", "maestoso")}
            )
        workflows = WorkflowService(store, clock)
        definition = await workflows.create(request, "maestoso-run")
        workflow_id = definition["workflow"]["id"]
        version = str(definition["metadata"]["workflow_version_id"])
        start = WorkflowStartRequest.model_validate(
            {"initiator": {"type": "manual"}, "run_params": run_params or None}
        )
        started = await node.instances.start(workflow_id, version, start, "maestoso-run")
        instance_id = started["workflow_instance_id"]
        status = await _follow(store, workflow_id, instance_id, console)
        if not console.is_terminal:
            console.print()  # a non-terminal gets the last frame without its newline
        if status is not WorkflowStatus.SUCCEEDED:
            row = await store.get_instance(workflow_id, instance_id)
            assert row is not None
            steps = await store.get_step_attempts(workflow_id, instance_id, row.run_id)
            report_failures(steps, home, console)
        return status
    finally:
        await node.stop()
        await store.close()


async def _follow(
    store: Store, workflow_id: str, instance_id: int, console: Console
) -> WorkflowStatus:
    with Live(console=console, refresh_per_second=8, transient=False) as live:
        while True:
            row = await store.get_instance(workflow_id, instance_id)
            assert row is not None
            steps = await store.get_step_attempts(workflow_id, instance_id, row.run_id)
            live.update(_table(row, steps))
            status = WorkflowStatus.from_stored(row.status)
            if status.is_terminal:
                return status
            await asyncio.sleep(0.1)


def _table(row: InstanceRow, steps: list[StepAttemptRow]) -> Table:
    status = WorkflowStatus.from_stored(row.status).value
    color = _COLORS.get(status, "red" if status in ("FAILED", "TIMED_OUT") else "white")
    table = Table(title=f"{row.workflow_id} instance {row.instance_id}: [{color}]{status}[/]")
    for column in ("step", "attempt", "status", "duration"):
        table.add_column(column)
    for step in sorted(steps, key=lambda s: s.document.get("step_instance_id", 0)):
        state = step.runtime_state
        start, end = state.get("start_time"), state.get("end_time")
        duration = f"{(end - start) / 1000:.3f}s" if start and end else ""
        color = _COLORS.get(step.status, "red" if "FAIL" in step.status else "white")
        table.add_row(step.step_id, str(step.attempt_id), f"[{color}]{step.status}[/]", duration)
    return table
