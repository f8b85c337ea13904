"""``maestoso run FILE``: run one workflow to its end in this process, showing its progress."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from maestoso.cli.job_types import JobTypes, load_definition
from maestoso.dsl.loading import check_request
from maestoso.dsl.validation import ValidationSettings
from maestoso.errors import MaestosoError
from maestoso.models import ParamType
from maestoso.models.statuses import WorkflowStatus


def run(
    file: Annotated[Path, typer.Argument(help="A JSON create request or a YAML DSL file.")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A run param NAME=VALUE (VALUE as JSON, else text)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Keep the run in this database [default: a temp one]."),
    ] = None,
    keep: Annotated[
        Path | None,
        typer.Option("--keep", help="Keep the database and step logs in this folder."),
    ] = None,
) -> None:
    """Run a workflow definition once, in-process; exit 0 only if the run SUCCEEDED."""
    console = Console(highlight=False)
    try:
        # The built-in job types and this environment's plugins': no server is asked.
        job_types = JobTypes(offline=True)
        request = load_definition(file, job_types)
        check_request(request, ValidationSettings(plugin_step_types=job_types.plugin_step_types))
        run_params = _run_params(param or [])
    except MaestosoError as exc:
        console.print(f"[red]error[/red]: {escape(exc.message)}", markup=True)
        for error in exc.errors:
            console.print(f"  - {error}", markup=False)
        raise typer.Exit(2) from None
    # Imported here: the engine takes a second to import, which the other commands never need.
    from maestoso.cli.run_engine import run_once

    with _home(keep) as home:
        status = asyncio.run(run_once(request, run_params, database_url, home, console))
    if keep is not None:
        console.print(f"kept the database and logs in {escape(str(keep))}")
    raise typer.Exit(0 if status is WorkflowStatus.SUCCEEDED else 1)


@contextmanager
def _home(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="maestoso-run-") as home:
        yield Path(home)


def _run_params(pairs: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise MaestosoError(f"--param [{pair}] must be NAME=VALUE")
        try:
            value: Any = json.loads(text)
        except json.JSONDecodeError:
            value = text
        params[name] = {"value": value, "type": _type_of(value).value}
    return params


def _type_of(value: Any) -> ParamType:
    if isinstance(value, bool):
        return ParamType.BOOLEAN
    if isinstance(value, int):
        return ParamType.LONG
    if isinstance(value, float):
        return ParamType.DOUBLE
    if isinstance(value, list):
        return ParamType.STRING_ARRAY
    if isinstance(value, dict):
        return ParamType.STRING_MAP
    return ParamType.STRING
