"""The store contract: every test here runs against ``MemoryStore``, SQLite and PostgreSQL.

``store`` is a fresh empty store of each kind; ``stores.open()`` gives another handle on the
same rows (another ``SqlStore`` on the same database, or a ``MemoryStore`` sharing the first
one's tables), standing for a second node.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tests.contract.support import Stores

from maestoso.store import Store

STORE_KINDS = [
    pytest.param("memory", id="memory"),
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def stores(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Stores]:
    numbers = itertools.count()
    url: str | None = None
    if store_kind == "sqlite":
        url = f"sqlite:///{tmp_path / f'db-{next(numbers)}.sqlite'}"
    elif store_kind == "postgres":
        server = request.getfixturevalue("postgres_server")
        url = server.create_database()
    handles = Stores(store_kind, url)
    try:
        yield handles
    finally:
        await handles.close()
        if store_kind == "postgres" and url is not None:
            server.drop_database(url)


@pytest.fixture
async def store(stores: Stores) -> Store:
    """A brand-new empty store of each kind."""
    return await stores.open()
