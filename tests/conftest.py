"""Shared fixtures.

Databases: ``database_url`` is a brand-new empty database, once on SQLite and once on
PostgreSQL (marked ``postgres``). The PostgreSQL server comes from
``MAESTOSO_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``);
when it cannot be reached those tests are skipped, or fail if ``MAESTOSO_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from maestoso import api
from maestoso.app import running_services
from maestoso.clock import FakeClock
from maestoso.config import Settings
from maestoso.store import SqlStore

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

DIALECTS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


# -- databases -----------------------------------------------------------------------------------


class PostgresServer:
    """A reachable PostgreSQL server on which tests create and drop their databases."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def create_database(self) -> str:
        """Create an empty database and return its URL."""
        name = f"maestoso_test_{secrets.token_hex(6)}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        """Drop the database at ``url``, ending any connection a failed test left open."""
        name = make_url(url).database
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """The test PostgreSQL server; skips (or fails, if required) when it is unreachable."""
    url = make_url(os.environ.get("MAESTOSO_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    admin_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5):
            pass
    except psycopg.Error as error:
        detail = " ".join(str(error).split())
        reason = f"PostgreSQL at {url.render_as_string()} is unreachable: {detail}"
        if os.environ.get("MAESTOSO_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (MAESTOSO_REQUIRE_POSTGRES=1 requires it)", pytrace=False)
        pytest.skip(reason)
    return PostgresServer(admin_url)


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgres``: the database the test runs on."""
    return str(request.param)


@pytest.fixture
def new_database(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    """A factory of brand-new empty databases on ``dialect``, dropped after the test."""
    if dialect == "sqlite":
        numbers = itertools.count()
        yield lambda: f"sqlite:///{tmp_path / f'db-{next(numbers)}.sqlite'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    created: list[str] = []

    def create() -> str:
        created.append(server.create_database())
        return created[-1]

    yield create
    for url in created:
        server.drop_database(url)


@pytest.fixture
def database_url(new_database: Callable[[], str]) -> str:
    """The URL of a brand-new empty database (``sqlite:///…`` or ``postgresql://…``)."""
    return new_database()


# -- stores --------------------------------------------------------------------------------------


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    """An opened (migrated) store on a brand-new database, closed after the test."""
    opened = await SqlStore.open(database_url)
    try:
        yield opened
    finally:
        await opened.close()


# -- the API -------------------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def client(
    database_url: str, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the API, its services open on ``database_url``; caller ``tester``."""
    settings = Settings(home=tmp_path, database_url=database_url)
    async with running_services(settings, clock) as (services, _):
        app = api.create_app(services, clock)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://maestoso", headers={"user": "tester"}
        ) as http:
            yield http
