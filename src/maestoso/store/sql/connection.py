"""What the store's statements run on: a checked-out SQLAlchemy ``Connection`` behind the
part of ``AsyncConnection`` the store uses, executed in its own way on each database
(``inline.InlineConnection`` on SQLite, ``native.NativeConnection`` on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Connection, CursorResult, Dialect
from sqlalchemy.engine.result import IteratorResult, ResultMetaData
from sqlalchemy.sql.base import Executable


class PlainRows(IteratorResult[*tuple[Any, ...]]):
    """A statement's rows as the driver gave them, and its row count: a ``CursorResult``
    without the execution context behind it."""

    def __init__(self, shape: ResultMetaData, rows: Iterator[Any], rowcount: int) -> None:
        super().__init__(shape, rows)
        self.rowcount = rowcount


Rows = CursorResult[*tuple[Any, ...]] | PlainRows
"""What a statement returns."""


class SqlConnection:
    __slots__ = ("_connection",)

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Dialect:
        return self._connection.dialect

    async def execute(self, statement: Executable, parameters: Any = None, /) -> Rows:
        raise NotImplementedError

    async def scalar(self, statement: Executable, parameters: Any = None, /) -> Any:
        return (await self.execute(statement, parameters)).scalar()
