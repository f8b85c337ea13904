"""``maestoso plugins``: the plugins installed here (or on a server), and what failed."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from maestoso.cli.remote.options import (
    Json,
    Token,
    User,
    connect,
    console,
    print_json,
    reports_errors,
)
from maestoso.config import Settings
from maestoso.plugins import load_plugins

EXIT_FAILED = 1


@reports_errors
def plugins(
    server: Annotated[
        str | None,
        typer.Option(
            "--server", help="Ask this server what it loaded instead of reading this environment."
        ),
    ] = None,
    user: User = None,
    token: Token = None,
    as_json: Json = False,
) -> None:
    """List the installed plugins: step types, signal sources and notifiers.

    Loads each from this Python environment (with the settings of MAESTOSO_* variables), or
    asks --server. Exits 1 when one could not be loaded, naming its error.
    """
    if server is None:
        listing: dict[str, list[dict[str, Any]]] = load_plugins(Settings.from_env()).to_json()
    else:
        with connect(server, user, token) as client:
            listing = client.plugins()
    if as_json:
        print_json(listing)
    else:
        console.print(_table(listing))
    if any(found.get("error") for group in listing.values() for found in group):
        raise typer.Exit(EXIT_FAILED)


def _table(listing: dict[str, list[dict[str, Any]]]) -> Table | str:
    if not any(listing.values()):
        return "no plugins installed"
    table = Table("group", "name", "target", "distribution", "status")
    for group, found in listing.items():
        for plugin in found:
            distribution = f"{plugin.get('distribution') or '?'} {plugin.get('version') or ''}"
            error = plugin.get("error")
            status = "[green]loaded[/green]" if error is None else f"[red]failed[/red]: {error}"
            table.add_row(group, plugin["name"], plugin["target"], distribution.strip(), status)
    return table
