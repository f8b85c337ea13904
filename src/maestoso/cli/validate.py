"""``maestoso validate FILE``: check a definition, resolving the job templates it names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from maestoso.cli.job_types import JobTypes, load_definition
from maestoso.config import Settings
from maestoso.dsl.loading import check_request
from maestoso.dsl.validation import ValidationSettings
from maestoso.errors import ValidationError


def validate(
    file: Annotated[Path, typer.Argument(help="A JSON create request or a YAML DSL file.")],
    template: Annotated[
        list[Path] | None,
        typer.Option(
            "--template",
            "-t",
            help="A job template (JSON or YAML create request) that YAML jobs may name by "
            "type; may be given more than once.",
        ),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            envvar="MAESTOSO_SERVER",
            help="A server to ask for the job templates no --template file defines "
            "[default: http://127.0.0.1:8080].",
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Ask no server: only files and built-ins.")
    ] = False,
) -> None:
    """Validate a workflow definition; print every problem with its path.

    The job types of a YAML document are resolved from the --template files, the templates
    built into the server (Shell, Python, Http, Notebook, Kubernetes, NoOp, Sleep) and a
    server; a type that could not be checked is listed as such. So are step types beyond the
    built-in ones: a plugin installed here or on the server must provide them.
    """
    console = Console(highlight=False, soft_wrap=True)
    settings = Settings.from_env(os.environ)
    job_types: JobTypes | None = None
    try:
        job_types = JobTypes.of(template or [], server, offline)
        request = load_definition(file, job_types)
        check_request(
            request,
            ValidationSettings(
                pagerduty_services=settings.pagerduty_services,
                plugin_step_types=job_types.plugin_types_for(request),
            ),
        )
    except ValidationError as exc:
        console.print(f"[red]invalid[/red] {escape(str(file))}: {escape(exc.message)}")
        for error in exc.errors:
            console.print(f"  - {error}", markup=False)
        _unchecked(console, job_types)
        raise typer.Exit(1) from None
    steps = sum(1 for _ in request.workflow.all_steps())
    summary = f"{file}: workflow [{request.workflow.id}], {steps} steps"
    console.print(f"[green]valid[/green] {escape(summary)}", soft_wrap=True)
    _unchecked(console, job_types)


def _unchecked(console: Console, job_types: JobTypes | None) -> None:
    for note in job_types.unchecked if job_types else ():
        console.print(f"[yellow]unchecked[/yellow] {escape(note)}")
