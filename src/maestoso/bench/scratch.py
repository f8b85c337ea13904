"""A scratch PostgreSQL database for a benchmark: made on the server a URL names, dropped
(connections and all) when the block ends."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url


@contextmanager
def scratch_database(server: str, prefix: str = "maestoso_bench") -> Iterator[str]:
    """The URL of a new empty database on ``server`` until the block ends."""
    admin = make_url(server).set(drivername="postgresql")
    admin_url = admin.render_as_string(hide_password=False)
    database = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    try:
        yield admin.set(database=database).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
