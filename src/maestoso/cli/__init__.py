"""The ``maestoso`` command line."""

from __future__ import annotations

import typer

import maestoso
from maestoso.cli import bench, plugins, remote, run, sel_command, server, token, validate

app = typer.Typer(
    name="maestoso",
    help="Maestoso: a workflow orchestrator compatible with Netflix Maestro.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"maestoso {maestoso.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Maestoso: a workflow orchestrator compatible with Netflix Maestro."""


app.command("server")(server.server)
app.command("validate")(validate.validate)
app.command("sel")(sel_command.sel)
app.command("run")(run.run)
app.command("bench")(bench.bench)
app.command("plugins")(plugins.plugins)
app.add_typer(token.app, name="token")
remote.register(app)


def main() -> None:
    app()
