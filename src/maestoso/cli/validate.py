"""``maestoso validate FILE``: check a definition without a server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from maestoso.config import Settings
from maestoso.dsl.loading import check_request, load_request
from maestoso.dsl.validation import ValidationSettings
from maestoso.errors import ValidationError


def validate(
    file: Annotated[Path, typer.Argument(help="A JSON create request or a YAML DSL file.")],
) -> None:
    """Validate a workflow definition; print every problem with its path."""
    console = Console(highlight=False, soft_wrap=True)
    settings = Settings.from_env(os.environ)
    try:
        request = load_request(file)
        check_request(request, ValidationSettings(pagerduty_services=settings.pagerduty_services))
    except ValidationError as exc:
        console.print(f"[red]invalid[/red] {escape(str(file))}: {escape(exc.message)}")
        for error in exc.errors:
            console.print(f"  - {error}", markup=False)
        raise typer.Exit(1) from None
    steps = sum(1 for _ in request.workflow.all_steps())
    summary = f"{file}: workflow [{request.workflow.id}], {steps} steps"
    console.print(f"[green]valid[/green] {escape(summary)}", soft_wrap=True)
