"""``maestoso server``."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from maestoso.config import Settings


def server(
    host: Annotated[
        str | None, typer.Option(help="Interface to listen on [default: 127.0.0.1].")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [default: 8080].")] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="A sqlite:/// or postgresql:// URL [default: the embedded SQLite file].",
            envvar="MAESTOSO_DATABASE_URL",
        ),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option(help="Data directory [default: ./.maestoso].", envvar="MAESTOSO_HOME"),
    ] = None,
    auth: Annotated[
        str | None,
        typer.Option(
            "--auth",
            help="none (the user header names the caller; loopback only) or token "
            "(Authorization: Bearer; see `maestoso token`) [default: none].",
            envvar="MAESTOSO_AUTH",
        ),
    ] = None,
    insecure_no_auth: Annotated[
        bool,
        typer.Option(
            "--insecure-no-auth",
            help="Listen on a non-loopback address without authentication (dangerous).",
        ),
    ] = False,
    allowed_hosts: Annotated[
        str | None,
        typer.Option(
            "--allowed-hosts",
            help="Comma-separated Host names the API answers; * for any "
            "[default: 127.0.0.1,localhost,::1].",
            envvar="MAESTOSO_ALLOWED_HOSTS",
        ),
    ] = None,
    log_format: Annotated[
        str | None,
        typer.Option(
            "--log-format",
            help="text or json (one object per line) [default: text].",
            envvar="MAESTOSO_LOG_FORMAT",
        ),
    ] = None,
) -> None:
    """Start the API server (and, with it, the engine) in one process."""
    from maestoso.app import serve

    settings = Settings.from_env(os.environ)
    settings = replace(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        database_url=database_url or settings.database_url,
        home=home or settings.home,
    )
    if auth is not None:
        settings = replace(settings, auth=auth.strip().lower())
    if log_format is not None:
        settings = replace(settings, log_format=log_format.strip().lower())
    if insecure_no_auth:
        settings = replace(settings, insecure_no_auth=True)
    if allowed_hosts is not None:
        hosts = frozenset(h.strip().lower() for h in allowed_hosts.split(",") if h.strip())
        settings = replace(settings, allowed_hosts=hosts)
    serve(settings)
