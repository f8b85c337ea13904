"""``apply DIR``: make a folder of definitions true on the server (GitOps)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
from maestoso.cli.remote.plan import Change, plan
from maestoso.client import Client

_MARKS = {
    "create": "[green]+ create[/green]",
    "update": "[yellow]~ update[/yellow]",
    "unchanged": "[dim]= unchanged[/dim]",
    "deactivate": "[red]- deactivate[/red]",
}


@reports_errors
def apply(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A folder of JSON/YAML files.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the changes only.")] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Deactivate active workflows no file defines.")
    ] = False,
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """Push the definitions of DIR that differ from their latest versions on the server."""
    with connect(server, user, token) as client:
        changes = plan(client, folder, prune)
        if not json:
            _print(changes)
        if not dry_run:
            for change in changes:
                _carry_out(client, change)
    if json:
        print_json({"dry_run": dry_run, "changes": [change.to_json() for change in changes]})
    elif dry_run:
        console.print("[dim]dry run: nothing was changed[/dim]")
    else:
        done = sum(change.action != "unchanged" for change in changes)
        console.print(f"{done} changes applied")


def _print(changes: list[Change]) -> None:
    for change in changes:
        where = f" ({change.path})" if change.path else ""
        console.print(f"{_MARKS[change.action]} {escape(change.workflow_id)}{escape(where)}")
        for line in change.diff[2:]:
            color = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1], "dim")
            console.print(f"    [{color}]{escape(line)}[/{color}]")


def _carry_out(client: Client, change: Change) -> None:
    if change.action in ("create", "update"):
        assert change.request is not None
        change.version = client.push(change.request).version_id
    elif change.action == "deactivate":
        client.deactivate(change.workflow_id)
