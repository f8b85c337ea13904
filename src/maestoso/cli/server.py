"""``maestoso server`` and ``maestoso validate``."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import typer

from maestoso.config import Settings


def server(
    host: str = typer.Option(None, help="Interface to listen on [default: 127.0.0.1]."),
    port: int = typer.Option(None, help="Port to listen on [default: 8080]."),
    database_url: str = typer.Option(
        None,
        "--database-url",
        help="A sqlite:/// or postgresql:// URL [default: the embedded SQLite file].",
        envvar="MAESTOSO_DATABASE_URL",
    ),
    home: Path = typer.Option(
        None, help="Data directory [default: ./.maestoso].", envvar="MAESTOSO_HOME"
    ),
) -> None:
    """Start the API server (and, with it, the engine) on one process."""
    from maestoso.app import serve

    settings = Settings.from_env(os.environ)
    settings = replace(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        database_url=database_url or settings.database_url,
        home=home or settings.home,
    )
    serve(settings)
