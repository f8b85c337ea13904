"""Actions on runs and steps: stop, kill, unblock, restart, skip, bypass, signal, backfill."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape

from maestoso.cli.remote.options import (
    Json,
    Server,
    Token,
    User,
    connect,
    console,
    print_json,
    reports_errors,
)
from maestoso.cli.remote.render import when
from maestoso.client.run_params import ParamError, Text, parse_assignments

Workflow = Annotated[str, typer.Argument(metavar="WF", help="The workflow id.")]
Instance = Annotated[int, typer.Argument(metavar="INSTANCE", help="The instance id.")]
AnyInstance = Annotated[
    int | None,
    typer.Argument(metavar="[INSTANCE]", help="The instance id [default: every instance]."),
]
COMMANDS = ("stop", "kill", "unblock", "restart", "skip", "bypass", "signal", "backfill")
StepId = Annotated[str, typer.Argument(metavar="STEP", help="The step id.")]


def _done(answer: Any, json: bool) -> None:
    if json:
        print_json(answer)
        return
    event = answer.get("timeline_event") if isinstance(answer, dict) else None
    message = (event or {}).get("message") if isinstance(event, dict) else None
    if message is None and isinstance(answer, dict):
        message = answer.get("message") or answer.get("status")
    console.print(escape(str(message or "done")))


def _terminate(action: str) -> Any:
    @reports_errors
    def act(
        workflow_id: Workflow,
        instance_id: AnyInstance = None,
        server: Server = None,
        user: User = None,
        token: Token = None,
        json: Json = False,
    ) -> None:
        with connect(server, user, token) as client:
            answer = getattr(client, action)(workflow_id, instance_id)
        _done(answer, json)

    act.__doc__ = {
        "stop": "Stop a run (or every unfinished run of the workflow).",
        "kill": "Kill a run (or every unfinished run): stopped, and counted as failed.",
        "unblock": "Unblock a failed run (or every one) held by a strict sequential workflow.",
    }[action]
    return act


stop, kill, unblock = (_terminate(action) for action in ("stop", "kill", "unblock"))


@reports_errors
def restart(
    workflow_id: Workflow,
    instance_id: Instance,
    from_step: Annotated[str | None, typer.Option("--from", help="Restart from this step.")] = None,
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning", help="Run every step again.")
    ] = False,
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """A new run of an instance: from its incomplete steps, a step, or the beginning."""
    if from_step and from_beginning:
        raise ParamError("--from and --from-beginning exclude each other")
    with connect(server, user, token) as client:
        answer = client.restart(
            workflow_id, instance_id, from_step=from_step, from_beginning=from_beginning
        )
    _done(answer, json)


def _step_action(action: str, doc: str) -> Any:
    @reports_errors
    def act(
        workflow_id: Workflow,
        instance_id: Instance,
        step_id: StepId,
        server: Server = None,
        user: User = None,
        token: Token = None,
        json: Json = False,
    ) -> None:
        with connect(server, user, token) as client:
            answer = client.step_action(workflow_id, instance_id, step_id, action)
        _done(answer, json)

    act.__doc__ = doc
    return act


skip = _step_action("skip", "Skip a step of a running instance.")
bypass = _step_action("bypass", "Let a step stop waiting for its signals.")


@reports_errors
def signal(
    name: Annotated[str, typer.Argument(help="The signal's name.")],
    params: Annotated[
        list[str] | None, typer.Argument(metavar="[NAME=VALUE]...", help="Its params.")
    ] = None,
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """Announce a signal: waiting steps and signal triggers that match it go on."""
    values = {key: _signal_value(value) for key, value in parse_assignments(params or []).items()}
    with connect(server, user, token) as client:
        answer = client.signal(name, values)
    if json:
        print_json(answer)
    else:
        console.print(f"signal [bold]{escape(name)}[/bold] announced")


def _signal_value(value: Any) -> Any:
    # signal params are strings or longs; text that is a whole number is a long
    if isinstance(value, Text) and value.lstrip("-").isdigit():
        return int(value)
    return str(value) if isinstance(value, Text) else value


@reports_errors
def backfill(
    workflow_id: Workflow,
    start: Annotated[str, typer.Option("--from", help="ISO time (UTC if no zone) or epoch ms.")],
    end: Annotated[str, typer.Option("--to", help="ISO time (UTC if no zone) or epoch ms.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the runs only.")] = False,
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """Start the runs the time triggers would have started between two times."""
    with connect(server, user, token) as client:
        answer = client.backfill(workflow_id, _millis(start), _millis(end), dry_run=dry_run)
    if json:
        print_json(answer)
        return
    runs = answer.get("runs", [])
    verb = "would start" if dry_run else "started"
    console.print(f"{verb} {len(runs)} runs of {escape(workflow_id)}")
    for run in runs:
        moment = when(run.get("trigger_time")) if isinstance(run, dict) else ""
        console.print(f"  {moment or escape(str(run))}")


def _millis(text: str) -> int:
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ParamError(f"[{text}] is neither an ISO time nor epoch milliseconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
