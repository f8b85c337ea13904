"""The client commands of ``maestoso``: a server driven over HTTP with ``maestoso.client``."""

from __future__ import annotations

import typer

from maestoso.cli.remote import actions, apply, runs, workflows


def register(app: typer.Typer) -> None:
    app.command("push")(workflows.push)
    app.command("list")(workflows.list_workflows)
    app.command("show")(workflows.show)
    app.command("runs")(workflows.runs)
    app.command("start")(runs.start)
    app.command("watch")(runs.watch)
    app.command("logs")(runs.logs)
    for name in ("stop", "kill", "unblock", "restart", "skip", "bypass", "signal", "backfill"):
        app.command(name)(getattr(actions, name))
    app.command("apply")(apply.apply)
