"""``maestoso bench``: run the benchmark workloads, each in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from maestoso.bench import sel as sel_bench
from maestoso.bench.engine import WORKLOADS
from maestoso.bench.rest import HTTP_WORKLOADS
from maestoso.bench.scratch import scratch_database

EXTRA = ("sel", "signals")


def bench(
    workloads: Annotated[
        list[str] | None,
        typer.Argument(
            help="Workloads to run (default: all): "
            f"{', '.join([*WORKLOADS, *HTTP_WORKLOADS, *EXTRA])}."
        ),
    ] = None,
    postgres: Annotated[
        str | None,
        typer.Option(
            "--postgres",
            help="Also run on PostgreSQL: a server URL on which a scratch database is made.",
        ),
    ] = None,
    requests: Annotated[
        int | None,
        typer.Option(
            "--requests",
            help="For the workloads through the REST API and signals: how many requests, "
            "runs or instances (default: each workload's own).",
        ),
    ] = None,
) -> None:
    """Measure the engine (ms per step, steps per second, peak RSS), the REST API and SEL."""
    console = Console(width=160)
    names = workloads or [*WORKLOADS, *HTTP_WORKLOADS, *EXTRA]
    unknown = [n for n in names if n not in (*WORKLOADS, *HTTP_WORKLOADS, *EXTRA)]
    if unknown:
        raise typer.BadParameter(f"unknown workloads {unknown}")
    rows = []
    for name in (n for n in names if n in WORKLOADS):
        rows.append(_run(_engine_command(name, None)))
        if postgres:
            rows.append(_on_postgres(_engine_command, name, postgres))
    if rows:
        console.print(_table(rows))
    http_rows: list[dict[str, Any]] = []
    for name in (n for n in names if n in HTTP_WORKLOADS):
        command = _rest_command(requests)
        http_rows += _run(command(name, None))["rows"]
        if postgres:
            http_rows += _on_postgres(command, name, postgres)["rows"]
    if http_rows:
        console.print(_http_table(http_rows))
    if "signals" in names:
        signals = [_run(_signals_command(requests)("signals", None))]
        if postgres:
            signals.append(_on_postgres(_signals_command(requests), "signals", postgres))
        console.print(_signals_table(signals))
    if "sel" in names:
        table = Table(title="SEL evaluations per second (one core, parse cached)")
        for column in ("case", "expression", "evals/s"):
            table.add_column(column)
        for result in sel_bench.run():
            table.add_row(result.name, result.expression, f"{result.evals_per_sec:,.0f}")
        console.print(table)


Command = Callable[[str, str | None], list[str]]


def _engine_command(name: str, url: str | None) -> list[str]:
    command = [sys.executable, "-m", "maestoso.bench.engine", name]
    return [*command, "--database-url", url] if url else command


def _rest_command(count: int | None) -> Command:
    def command(name: str, url: str | None) -> list[str]:
        command = [sys.executable, "-m", "maestoso.bench.rest", name]
        if count is not None:
            command += ["--count", str(count)]
        return [*command, "--database-url", url] if url else command

    return command


def _signals_command(count: int | None) -> Command:
    def command(name: str, url: str | None) -> list[str]:
        command = [sys.executable, "-m", "maestoso.bench.signals"]
        if count is not None:
            command += ["--count", str(count)]
        return [*command, "--database-url", url] if url else command

    return command


def _run(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        name = " ".join(command[2:4])
        Console(stderr=True).print(f"[red]{name} failed[/red]\n{done.stderr}", markup=True)
        raise typer.Exit(1)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _on_postgres(command: Command, name: str, server: str) -> dict[str, Any]:
    with scratch_database(server) as url:
        return _run(command(name, url))


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


def _http_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Through the REST API of a real server process (ms per request or run)")
    columns = (
        "workload",
        "database",
        "measure",
        "count",
        "p50_ms",
        "p90_ms",
        "p99_ms",
        "max_ms",
        "seconds",
        "server_cpu_s",
        "peak_rss_mb",
        "status",
    )
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*("-" if row[c] is None else str(row[c]) for c in columns))
    return table


def _signals_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Signals announced one after another over HTTP (latency per request)")
    columns = (
        "database",
        "signals",
        "seconds",
        "signals_per_second",
        "p50_ms",
        "p99_ms",
        "max_ms",
        "peak_rss_mb",
    )
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    return table
