"""Running one workflow in this process for ``maestoso run``: an engine on a local store."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from maestoso.app import all_runtimes
from maestoso.cli.run_report import report_failures
from maestoso.clock import Clock, SystemClock
from maestoso.config import Settings
from maestoso.dsl.validation import ValidationSettings
from maestoso.engine import EngineNode, WorkflowService
from maestoso.models import Properties
from maestoso.models.start import WorkflowStartRequest
from maestoso.models.statuses import WorkflowStatus
from maestoso.plugins import load_plugins
from maestoso.secrets import provider_from
from maestoso.store import Store, open_store
from maestoso.store.records import InstanceRow, StepAttemptRow

_COLORS = {"SUCCEEDED": "green", "RUNNING": "cyan", "STOPPED": "yellow", "UNSATISFIED": "dim"}


async def run_once(
    request: Any, run_params: dict[str, Any], url: str | None, home: Path, console: Console
) -> WorkflowStatus:
    clock = SystemClock()
    settings = replace(Settings.from_env(), home=home)
    plugins = load_plugins(settings)
    store = await open_store(url or os.environ.get("MAESTOSO_RUN_DATABASE_URL"), home)
    runtimes = all_runtimes(settings, provider_from(settings), plugins)
    node = EngineNode(store, clock, home=home, runtimes=runtimes)
    try:
        await node.start()
        if request.properties is None or request.properties.owner is None:
            owner = request.properties or Properties()
            request.properties = owner.model_copy(
                update={"owner": os.environ.get("USER", "maestoso")}
            )
        validation = ValidationSettings(plugin_step_types=frozenset(plugins.step_types))
        workflows = WorkflowService(store, clock, validation)
        definition = await workflows.create(request, "maestoso-run")
        workflow_id = definition["workflow"]["id"]
        version = str(definition["metadata"]["workflow_version_id"])
        start = WorkflowStartRequest.model_validate(
            {"initiator": {"type": "manual"}, "run_params": run_params or None}
        )
        started = await node.instances.start(workflow_id, version, start, "maestoso-run")
        instance_id = started["workflow_instance_id"]
        status = await _follow(store, clock, workflow_id, instance_id, console)
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
    store: Store, clock: Clock, workflow_id: str, instance_id: int, console: Console
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
            await clock.sleep(0.1)


def _table(row: InstanceRow, steps: list[StepAttemptRow]) -> Table:
    status = WorkflowStatus.from_stored(row.status).value
    color = _COLORS.get(status, "red" if status in ("FAILED", "TIMED_OUT") else "white")
    table = Table(title=f"{row.workflow_id} instance {row.instance_id}: [{color}]{status}[/]")
    for column in ("step", "attempt", "status", "duration"):
        table.add_column(column)
    for step in sorted(steps, key=lambda s: s.record.step_instance_id or 0):
        state = step.runtime_state
        start, end = state.get("start_time"), state.get("end_time")
        duration = f"{(end - start) / 1000:.3f}s" if start and end else ""
        color = _COLORS.get(step.status, "red" if "FAIL" in step.status else "white")
        table.add_row(step.step_id, str(step.attempt_id), f"[{color}]{step.status}[/]", duration)
    return table
