"""An unreachable database: requests answer 503 with Maestro's body, naming no host, port
or URL; ``/healthz`` still answers 200 and ``/readyz`` says 503."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from maestoso import api
from maestoso.clock import FakeClock
from maestoso.engine.reads.instances import InstanceReader
from maestoso.engine.services.workflows import WorkflowService
from maestoso.errors import DatabaseUnavailableError
from maestoso.store import SqlStore
from maestoso.store.sql.database import create_engine, normalise_url

# Port 9 (discard) has no PostgreSQL: every connection is refused.
NOWHERE = "postgresql://postgres@127.0.0.1:9/maestoso?connect_timeout=2"


@pytest.fixture
async def down() -> AsyncIterator[httpx.AsyncClient]:
    clock = FakeClock()
    store = SqlStore(create_engine(normalise_url(NOWHERE)), clock)
    services = api.Services(
        workflows=WorkflowService(store, clock),
        instances=InstanceReader(store, clock),
        actions=None,  # type: ignore[arg-type]
    )
    app = api.create_app(services, clock)
    app.state.store = store
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://maestoso", headers={"user": "tester"}
        ) as http:
            yield http
    finally:
        await store.close()


def _names_no_address(text: str) -> None:
    for secret in ("127.0.0.1", ":9", "port 9", "postgresql://", "postgres@"):
        assert secret not in text, text


async def test_requests_answer_503_naming_no_address(down: httpx.AsyncClient) -> None:
    for path in ("/api/v3/workflows/demo/versions/latest", "/api/v3/workflows/demo/instances/1"):
        response = await down.get(path)
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["status"] == "SERVICE_UNAVAILABLE"
        assert body["retryable"] is True
        assert set(body) == {"status", "message", "errors", "retryable"}
        _names_no_address(response.text)


async def test_liveness_answers_and_readiness_does_not(down: httpx.AsyncClient) -> None:
    assert (await down.get("/healthz")).status_code == 200
    ready = await down.get("/readyz")
    assert ready.status_code == 503
    assert "unavailable" in ready.json()["message"]
    _names_no_address(ready.text)


async def test_opening_an_unreachable_store_names_no_address() -> None:
    with pytest.raises(DatabaseUnavailableError) as raised:
        await SqlStore.open(NOWHERE)
    _names_no_address(raised.value.message)


async def test_readiness_of_a_served_database(client: httpx.AsyncClient, tmp_path: Path) -> None:
    # The test client's app has no store registered: not ready, and it says why.
    ready = await client.get("/readyz")
    assert ready.status_code == 503 and "not open" in ready.json()["message"]
