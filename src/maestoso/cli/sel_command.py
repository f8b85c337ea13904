"""``maestoso sel``: evaluate a SEL expression from the command line."""

from __future__ import annotations

import json

import typer

from maestoso.sel import SelError, evaluate
from maestoso.sel.maestro import sanitize


def _variables(pairs: list[str]) -> dict[str, object]:
    variables: dict[str, object] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"expected name=json, got {pair!r}", param_hint="--var")
        try:
            variables[name] = json.loads(raw)
        except json.JSONDecodeError as error:
            raise typer.BadParameter(
                f"{name}: invalid JSON ({error})", param_hint="--var"
            ) from None
    return variables


def sel(
    expression: str = typer.Argument(
        ...,
        help='The SEL expression, e.g. "1 + 1" (a missing final ";" is added, as Maestro does).',
    ),
    var: list[str] = typer.Option(  # noqa: B008
        [], "--var", "-v", help="An input variable as name=json; repeatable."
    ),
) -> None:
    """Evaluate a SEL expression and print its value and type."""
    variables = _variables(var)
    try:
        result = evaluate(sanitize(expression), variables)
    except SelError as error:
        where = f" (line {error.line}, column {error.column})" if error.line is not None else ""
        typer.echo(f"error: {error.kind}: {error.message}{where}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{json.dumps(result.value, ensure_ascii=False)}  ({result.type})")
