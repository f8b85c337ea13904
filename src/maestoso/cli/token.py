"""``maestoso token create|list|revoke``: API tokens, made on the server's host.

These commands open the server's database directly (``MAESTOSO_HOME`` or
``MAESTOSO_DATABASE_URL``, as ``maestoso server`` does): whoever can read that database is
already the server's administrator, and no token is needed to make the first one.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from maestoso.errors import MaestosoError

T = TypeVar("T")

app = typer.Typer(
    name="token",
    help="API tokens for --auth token: create, list, revoke (on the server's host).",
    no_args_is_help=True,
)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="MAESTOSO_DATABASE_URL",
        help="The server's database [default: the embedded SQLite file under --home].",
    ),
]
Home = Annotated[
    Path | None,
    typer.Option(
        help="The server's data directory [default: ./.maestoso].", envvar="MAESTOSO_HOME"
    ),
]


def _run(database_url: str | None, home: Path | None, work: Callable[[Any], Awaitable[T]]) -> T:
    from maestoso.clock import SystemClock
    from maestoso.engine.services.tokens import TokenService
    from maestoso.store import open_store

    async def main() -> T:
        url = database_url or os.environ.get("MAESTOSO_DATABASE_URL") or None
        store = await open_store(url, home or Path(os.environ.get("MAESTOSO_HOME", ".maestoso")))
        try:
            return await work(TokenService(store, SystemClock()))
        finally:
            await store.close()

    try:
        return asyncio.run(main())
    except MaestosoError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        for detail in exc.errors:
            typer.echo(f"  - {detail}", err=True)
        raise typer.Exit(2) from None


@app.command("create")
def create(
    user: Annotated[str, typer.Option("--user", help="Who the token speaks for.")],
    role: Annotated[str, typer.Option("--role", help="admin, operator or viewer.")],
    expires: Annotated[
        str,
        typer.Option("--expires", help="Lifetime: 30d, 12h, 2w..., or never [default: 90d]."),
    ] = "90d",
    description: Annotated[
        str | None, typer.Option("--description", help="A note: what the token is for.")
    ] = None,
    database_url: DatabaseUrl = None,
    home: Home = None,
) -> None:
    """Make a token; it is printed once, as the last line, and never stored in clear."""
    from maestoso.engine.services.access import Role

    async def work(tokens: Any) -> Any:
        return await tokens.create(user, Role.parse(role), expires=expires, description=description)

    made = _run(database_url, home, work)
    row = made.row
    typer.echo(
        f"token {row.token_id} for [{row.user}] with role {row.role}, "
        f"expires {_time(row.expire_time) or 'never'}",
        err=True,
    )
    typer.echo(made.token)


@app.command("list")
def list_tokens(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    database_url: DatabaseUrl = None,
    home: Home = None,
) -> None:
    """Every token: id, user, role, created, expires, revoked (never the token itself)."""

    async def work(tokens: Any) -> Any:
        return await tokens.list()

    rows = _run(database_url, home, work)
    listed = [
        {
            "id": row.token_id,
            "user": row.user,
            "role": row.role,
            "created": _time(row.create_time),
            "expires": _time(row.expire_time),
            "revoked": _time(row.revoke_time),
            "description": row.description,
        }
        for row in rows
    ]
    if as_json:
        typer.echo(json.dumps(listed, indent=2))
        return
    typer.echo(f"{'ID':<18} {'USER':<20} {'ROLE':<9} {'EXPIRES':<21} STATE")
    for item in listed:
        state = "revoked" if item["revoked"] else "active"
        typer.echo(
            f"{item['id']:<18} {item['user']:<20} {item['role']:<9} "
            f"{item['expires'] or 'never':<21} {state}"
        )


@app.command("revoke")
def revoke(
    user: Annotated[str | None, typer.Option("--user", help="Every token of this user.")] = None,
    token_id: Annotated[str | None, typer.Option("--id", help="The token with this id.")] = None,
    database_url: DatabaseUrl = None,
    home: Home = None,
) -> None:
    """Revoke tokens: a call with one is refused (401) from now on."""

    async def work(tokens: Any) -> Any:
        return await tokens.revoke(token_id=token_id, user=user)

    count = _run(database_url, home, work)
    typer.echo(f"revoked {count} token{'s' if count != 1 else ''}")


def _time(epoch_ms: int | None) -> str | None:
    if epoch_ms is None:
        return None
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
