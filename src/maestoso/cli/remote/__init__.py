"""The client commands of ``maestoso``: a server driven over HTTP with ``maestoso.client``."""

from __future__ import annotations

import typer

from maestoso.cli.remote import actions, apply, runs, workflows

PANEL = "Client (a server over HTTP: --server, --user, --token)"


def register(app: typer.Typer) -> None:
    commands = {
        "push": workflows.push,
        "list": workflows.list_workflows,
        "show": workflows.show,
        "runs": workflows.runs,
        "start": runs.start,
        "watch": runs.watch,
        "logs": runs.logs,
        **{name: getattr(actions, name) for name in actions.COMMANDS},
        "apply": apply.apply,
    }
    for name, command in commands.items():
        app.command(name, rich_help_panel=PANEL)(command)
