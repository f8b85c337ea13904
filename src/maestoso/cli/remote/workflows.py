"""``push``, ``list``, ``show`` and ``runs``: definitions and recent runs on a server."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from maestoso.cli.remote.options import (
    Json,
    Server,
    Token,
    User,
    connect,
    console,
    print_json,
    reports_errors,
)
from maestoso.cli.remote.render import dag_tree, instances_table, when, workflows_table
from maestoso.client.job_types import server_resolver
from maestoso.client.sources import request_json


@reports_errors
def push(
    files: Annotated[list[Path], typer.Argument(help="JSON create requests or YAML DSL files.")],
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """Store each file as a new version of its workflow."""
    pushed = []
    with connect(server, user, token) as client:
        # every file is checked (its job templates looked up) before any push
        requests = [request_json(path, partial(server_resolver, client)) for path in files]
        for path, request in zip(files, requests, strict=True):
            definition = client.push(request)
            pushed.append(definition.model_dump(mode="json"))
            if not json:
                console.print(
                    f"[green]pushed[/green] {escape(str(path))}: workflow "
                    f"[bold]{escape(definition.workflow_id)}[/bold] version "
                    f"{definition.version_id}"
                )
    if json:
        print_json(pushed)


@reports_errors
def list_workflows(
    q: Annotated[str | None, typer.Option("--q", "-q", help="Ids containing this text.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner's workflows.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only workflows with this tag.")] = None,
    first: Annotated[int, typer.Option(help="How many.")] = 100,
    cursor: Annotated[str | None, typer.Option(help="Where the last page ended.")] = None,
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """List the workflows on the server."""
    with connect(server, user, token) as client:
        page = client.list_workflows(q=q, owner=owner, tag=tag, first=first, cursor=cursor)
    if json:
        print_json(page.model_dump(mode="json"))
        return
    console.print(workflows_table(page.elements))
    if page.cursor:
        console.print(f"[dim]more: --cursor {escape(page.cursor)}[/dim]")


@reports_errors
def show(
    workflow_id: Annotated[str, typer.Argument(metavar="WF")],
    version: Annotated[str, typer.Option(help="A version number, latest or active.")] = "latest",
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """A workflow's version: its summary and its DAG."""
    with connect(server, user, token) as client:
        definition = client.definition(workflow_id, version)
    if json:
        print_json(definition.model_dump(mode="json"))
        return
    meta, props = definition.metadata, definition.properties_snapshot
    console.print(f"[bold]{escape(definition.workflow_id)}[/bold] version {definition.version_id}")
    for key, value in (
        ("name", definition.workflow.get("name")),
        ("owner", props.get("owner")),
        ("active", definition.is_active),
        ("created", f"{when(meta.get('create_time'))} by {meta.get('version_author', '?')}"),
        ("params", ", ".join(definition.workflow.get("params") or {}) or None),
    ):
        if value is not None:
            console.print(f"  {key}: {escape(str(value))}")
    console.print(dag_tree("steps", definition.workflow.get("steps", [])))


@reports_errors
def runs(
    workflow_id: Annotated[str | None, typer.Argument(metavar="[WF]")] = None,
    status: Annotated[str | None, typer.Option(help="Only runs in this status.")] = None,
    first: Annotated[int, typer.Option(help="How many.")] = 20,
    cursor: Annotated[str | None, typer.Option(help="Where the last page ended.")] = None,
    server: Server = None,
    user: User = None,
    token: Token = None,
    json: Json = False,
) -> None:
    """Recent runs, newest first: of one workflow, or of all."""
    with connect(server, user, token) as client:
        page = client.list_instances(workflow_id, status=status, first=first, cursor=cursor)
    if json:
        print_json(page.model_dump(mode="json"))
        return
    console.print(instances_table(page.elements))
    if page.cursor:
        console.print(f"[dim]more: --cursor {escape(page.cursor)}[/dim]")
