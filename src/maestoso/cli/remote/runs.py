"""``start``, ``watch`` and ``logs``: running a workflow and following it."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer
from rich.live import Live
from rich.markup import escape

from maestoso.cli.remote.options import (
    EXIT_NOT_SUCCEEDED,
    Json,
    Run,
    Server,
    Token,
    User,
    connect,
    console,
    errors,
    print_json,
    reports_errors,
)
from maestoso.cli.remote.render import failure_lines, run_view, status_text
from maestoso.client import Client, WorkflowInstance
from maestoso.client.run_params import parse_assignments

Workflow = Annotated[str, typer.Argument(metavar="WF", help="The workflow id.")]
Instance = Annotated[int, typer.Argument(metavar="INSTANCE", help="The instance id.")]
POLL_SECONDS = 0.5


@reports_errors
def start(
    workflow_id: Workflow,
    version: Annotated[str, typer.Option(help="A version number, latest or active.")] = "latest",
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="name=value (typed as the definition declares), or name:=json.",
        ),
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", "-w", help="Follow the run to its end.")
    ] = False,
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """Start an instance of a workflow."""
    params = parse_assignments(param or [])
    with connect(server, user, token) as client:
        started = client.start(workflow_id, params or None, version=version)
        if not watch:
            if json:
                print_json(started.model_dump(mode="json"))
            else:
                console.print(
                    f"started [bold]{escape(workflow_id)}[/bold] instance "
                    f"{started.workflow_instance_id} (version {started.workflow_version_id})"
                )
            return
        if not json:
            console.print(f"started instance {started.workflow_instance_id}")
        final = follow(client, workflow_id, started.workflow_instance_id, None, json)
    _exit_by(final, json)


@reports_errors
def watch(
    workflow_id: Workflow,
    instance_id: Instance,
    run: Run = None,
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """Show a run's steps live until it ends; exit 0 only if it succeeded."""
    with connect(server, user, token) as client:
        final = follow(client, workflow_id, instance_id, run, json)
    _exit_by(final, json)


def follow(
    client: Client, workflow_id: str, instance_id: int, run: int | None, quiet: bool
) -> WorkflowInstance:
    """Poll the run, drawing its step tree (unless ``quiet``), until it is terminal."""
    live = None if quiet else Live(console=console, refresh_per_second=4, transient=False)
    if live is not None:
        live.start()
    try:
        while True:
            instance = client.instance(workflow_id, instance_id, run)
            steps = client.steps(workflow_id, instance_id, instance.workflow_run_id)
            if live is not None:
                live.update(run_view(instance, steps))
            if instance.status.is_terminal:
                break
            time.sleep(POLL_SECONDS)
    finally:
        if live is not None:
            live.stop()
            if not console.is_terminal:
                console.print()  # a non-terminal gets the last frame without its newline
    if not quiet:
        for line in failure_lines(steps):
            errors.print(line)
    return instance


def _exit_by(final: WorkflowInstance, json: bool) -> None:
    status = final.status.value
    if json:
        print_json(final.model_dump(mode="json", include=_SUMMARY))
    else:
        where = f"{final.workflow_id} instance {final.workflow_instance_id}"
        (console if final.succeeded else errors).print(
            f"{escape(where)} run {final.workflow_run_id} ended {status_text(status)}"
        )
    if not final.succeeded:
        raise typer.Exit(EXIT_NOT_SUCCEEDED)


_SUMMARY = {
    "workflow_id",
    "workflow_instance_id",
    "workflow_run_id",
    "workflow_version_id",
    "status",
    "start_time",
    "end_time",
}


@reports_errors
def logs(
    workflow_id: Workflow,
    instance_id: Instance,
    step_id: Annotated[str, typer.Argument(metavar="STEP", help="The step id.")],
    run: Run = None,
    attempt: Annotated[int | None, typer.Option(help="[default: latest]")] = None,
    stream: Annotated[str, typer.Option(help="stdout or stderr.")] = "stdout",
    tail: Annotated[int | None, typer.Option(help="Only the last N lines.")] = None,
    follow_log: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing until the attempt ends.")
    ] = False,
    server: Server = None,
    user: User = None,
    token: Token = None,
) -> None:
    """Print what a step attempt wrote (Shell, Notebook, Kubernetes steps)."""
    with connect(server, user, token) as client:
        if follow_log:
            for chunk in client.follow_logs(
                workflow_id, instance_id, step_id, run_id=run, attempt=attempt, stream=stream
            ):
                sys.stdout.write(chunk)
                sys.stdout.flush()
            return
        text = client.logs(
            workflow_id,
            instance_id,
            step_id,
            run_id=run,
            attempt=attempt,
            stream=stream,
            tail=tail,
        )
    sys.stdout.write(text)
