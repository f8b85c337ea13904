"""``maestoso bench``: run the benchmark workloads, each in a fresh process."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from maestoso.bench import sel as sel_bench
from maestoso.bench.engine import WORKLOADS


def bench(
    workloads: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"Workloads to run [default: all]: {', '.join(WORKLOADS)}, sel, signals."
        ),
    ] = None,
    postgres: Annotated[
        str | None,
        typer.Option(
            "--postgres",
            help="Also run on PostgreSQL: a server URL on which a scratch database is made.",
        ),
    ] = None,
) -> None:
    """Measure the engine (ms per step, steps per second, peak RSS) and SEL."""
    console = Console(width=140)
    names = workloads or [*WORKLOADS, "sel", "signals"]
    unknown = [n for n in names if n not in ("sel", "signals") and n not in WORKLOADS]
    if unknown:
        raise typer.BadParameter(f"unknown workloads {unknown}")
    rows = []
    for name in (n for n in names if n not in ("sel", "signals")):
        rows.append(_run(name, None))
        if postgres:
            rows.append(_on_postgres(name, postgres))
    if rows:
        console.print(_table(rows))
    if "signals" in names:
        console.print(_signals_table(_run_module("maestoso.bench.signals")))
    if "sel" in names:
        table = Table(title="SEL evaluations per second (one core, parse cached)")
        for column in ("case", "expression", "evals/s"):
            table.add_column(column)
        for result in sel_bench.run():
            table.add_row(result.name, result.expression, f"{result.evals_per_sec:,.0f}")
        console.print(table)


def _run(name: str, url: str | None) -> dict[str, Any]:
    command = [sys.executable, "-m", "maestoso.bench.engine", name]
    if url:
        command += ["--database-url", url]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        Console(stderr=True).print(f"[red]{name} failed[/red]\n{done.stderr}", markup=True)
        raise typer.Exit(1)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _on_postgres(name: str, server: str) -> dict[str, Any]:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(server).set(drivername="postgresql")
    database = f"maestoso_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        return _run(name, admin.set(database=database).render_as_string(hide_password=False))
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Engine workloads (from the instances' start to their end)")
    columns = (
        "workload",
        "database",
        "steps",
        "seconds",
        "ms_per_step",
        "steps_per_second",
        "peak_rss_mb",
        "status",
    )
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    return table


def _run_module(module: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", module], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        Console(stderr=True).print(f"[red]{module} failed[/red]\n{done.stderr}", markup=True)
        raise typer.Exit(1)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _signals_table(row: dict[str, Any]) -> Table:
    table = Table(title="Signals announced one after another over HTTP (latency per request)")
    columns = ("database", "signals", "seconds", "signals_per_second", "p50_ms", "p99_ms")
    for column in columns:
        table.add_column(column.replace("_", " "))
    table.add_row(*(str(row[c]) for c in columns))
    return table
