"""What every client command shares: where the server is, who calls, and what failure means.

Exit codes: 0 done; 1 a run ended without succeeding (``watch``, ``start --watch``); 2 the
request was refused (a bad file, param or id: the server's 4xx); 3 the server failed or
could not be reached.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from maestoso.client import Client, ClientError
from maestoso.client.run_params import ParamError
from maestoso.errors import MaestosoError

EXIT_NOT_SUCCEEDED = 1
EXIT_REFUSED = 2
EXIT_SERVER = 3

Server = Annotated[
    str | None,
    typer.Option(
        "--server",
        envvar="MAESTOSO_SERVER",
        help="The server's URL [default: http://127.0.0.1:8080].",
        show_envvar=True,
    ),
]
User = Annotated[
    str | None,
    typer.Option("--user", envvar="MAESTOSO_USER", help="The caller [default: $USER]."),
]
Token = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="MAESTOSO_TOKEN",
        help="Sent as Authorization: Bearer, for servers that check one.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Run = Annotated[int | None, typer.Option("--run", help="A run of the instance [default: latest].")]

console = Console(highlight=False, soft_wrap=True)
errors = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def connect(server: str | None, user: str | None, token: str | None) -> Client:
    return Client(server, user=user, token=token)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn the client's errors into a message and an exit code."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ClientError as error:
            _report(error.message, error.errors)
            code = error.status_code
            raise typer.Exit(EXIT_REFUSED if code and code < 500 else EXIT_SERVER) from None
        except MaestosoError as error:
            _report(error.message, error.errors)
            raise typer.Exit(EXIT_REFUSED) from None
        except ParamError as error:
            _report(str(error), [])
            raise typer.Exit(EXIT_REFUSED) from None

    return run


def _report(message: str, details: list[str]) -> None:
    errors.print(f"[red]error[/red]: {escape(message)}")
    for detail in details:
        errors.print(f"  - {escape(detail)}")
