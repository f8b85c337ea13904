"""How many SEL evaluations per second one core runs, with parsing cached."""

from __future__ import annotations

import time
from dataclasses import dataclass

from maestoso.sel import evaluate, parse

CASES: tuple[tuple[str, str], ...] = (
    ("arithmetic", "1 + 2 * 3 - 4 / 2;"),
    (
        "string-methods",
        "'  Hello World '.trim().toUpperCase().replace('WORLD', 'SEL').substring(0, 5);",
    ),
    (
        "datetime",
        "new DateTime(1546300800000, DateTimeZone.UTC).plusDays(3).toString('yyyyMMdd');",
    ),
)


@dataclass(frozen=True, slots=True)
class BenchResult:
    """One benchmark's figures."""

    name: str
    expression: str
    evals_per_sec: float
    evaluations: int
    seconds: float


def measure(name: str, expression: str, min_seconds: float = 0.5) -> BenchResult:
    """Evaluate ``expression`` repeatedly for at least ``min_seconds``."""
    parse(expression)  # warm the parse cache, as a server does after the first call
    count, batch = 0, 1000
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < min_seconds:
        for _ in range(batch):
            evaluate(expression)
        count += batch
        elapsed = time.perf_counter() - start
    return BenchResult(name, expression, count / elapsed, count, elapsed)


def run(min_seconds: float = 0.5) -> list[BenchResult]:
    """Measure every benchmark expression."""
    return [measure(name, expression, min_seconds) for name, expression in CASES]


def main() -> None:
    for result in run():
        print(f"{result.name:16} {result.evals_per_sec:>12,.0f} evals/s  {result.expression}")


if __name__ == "__main__":
    main()
