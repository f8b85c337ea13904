"""Property-based fuzzing of every operation of ``/openapi.json`` against a real server:
whatever a client sends, the answer is never a 5xx (bad input is a 4xx)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case
from schemathesis.schemas import BaseSchema
from tests.acceptance.server import ServerProcess

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("MAESTOSO_FUZZ_EXAMPLES", "12"))


@pytest.fixture
def api_schema(tmp_path: Path, database_url: str) -> Iterator[BaseSchema]:
    """The schema a real server publishes, on SQLite and on PostgreSQL."""
    server = ServerProcess(tmp_path / "home", database_url)
    server.start()
    try:
        yield schemathesis.openapi.from_url(f"{server.base}/openapi.json")
    finally:
        server.stop()


def test_no_operation_answers_5xx(api_schema: BaseSchema) -> None:
    # Driven by hand rather than by schemathesis's pytest plugin, which does not support
    # this version of pytest; each operation gets its own bounded Hypothesis run.
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
            database=None,
        )
        def check(case: Case) -> None:
            response = case.call(headers={"user": "fuzzer"}, timeout=30)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:300]}"
            )

        try:
            check()
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    assert not failures, "\n".join(failures)
