"""The store's PostgreSQL transactions, with psycopg's coroutines awaited on the loop directly.

Through SQLAlchemy's asyncio layer, each ``begin``, ``execute``, ``commit`` and ``close`` runs
in a greenlet of its own, and a read in autocommit mode also switches the connection's mode
on checkout and back on return, each through a greenlet. That was most of what a read by
key cost the node's CPU (0.42 ms, of which psycopg's round trip is 0.08 ms).

Here SQLAlchemy still does all but the waiting: a connection comes from the engine's pool
(with its checkout events and the ping of an idle connection), each statement is compiled
through the engine's cache, and a failure goes through the connection's own handling (a lost
connection invalidates the pool). Only the two calls that wait on the server, psycopg's
``execute`` and ``commit``, are awaited here instead of in a greenlet. What may have to
connect or close a connection (checkout, return, a failure's cleanup) still runs in one.

Most statements need nothing more of SQLAlchemy's execution context than their parameters
processed: those (``_shape_of`` tells which) run on a psycopg cursor directly, and their rows
come back as psycopg gave them, behind a ``Result`` (``PlainRows``). The rest (``IN`` lists
expanded per call, defaults computed in Python, many rows of parameters, plain text) go
through an ordinary execution context and its ``CursorResult``.

This leans on SQLAlchemy's execution internals (``_compile_w_cache``, ``_init_compiled``,
the psycopg adapter's cursor), which is why ``pyproject.toml`` pins SQLAlchemy's minor
version; the store's contract tests run on this path.
"""

from __future__ import annotations

import asyncio
import collections
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, NoReturn, cast

from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy.dialects.postgresql.psycopg import (
    AsyncAdapt_psycopg_connection,
    AsyncAdapt_psycopg_cursor,
    PGExecutionContext_psycopg,
)
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.engine._util_cy import _distill_params_20
from sqlalchemy.engine.interfaces import ExecuteStyle
from sqlalchemy.engine.result import ResultMetaData, SimpleResultMetaData
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import compiler
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import EMPTY_DICT, greenlet_spawn

from maestoso.store.sql.connection import PlainRows, Rows, SqlConnection


class _Cursor(AsyncAdapt_psycopg_cursor):
    """The adapter's cursor, made without the ``await`` its constructor would run in a
    greenlet (psycopg's ``AsyncCursor.__aenter__`` only returns the cursor)."""

    __slots__ = ()

    def __init__(self, adapt_connection: AsyncAdapt_psycopg_connection) -> None:
        self._adapt_connection = adapt_connection
        driver: Any = adapt_connection._connection
        self._connection = driver
        self._cursor = driver.cursor()
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()


class _Context(PGExecutionContext_psycopg):
    def create_default_cursor(self) -> Any:
        fairy: Any = self._dbapi_connection
        return _Cursor(fairy.dbapi_connection)


class NativeConnection(SqlConnection):
    """Statements whose waits on the server are psycopg's coroutines, awaited on the loop."""

    __slots__ = ()

    async def execute(self, statement: Executable, parameters: Any = None, /) -> Rows:
        connection = self._connection
        dialect = connection.dialect
        distilled = _distill_params_20(parameters)
        options = statement._execution_options.merge_with(connection._execution_options, None)
        compiled, extracted, param_dict, cache_hit = statement._compile_w_cache(
            dialect=dialect,
            compiled_cache=connection.engine._compiled_cache,
            column_keys=sorted(distilled[0]) if distilled else [],
            for_executemany=len(distilled) > 1,
            schema_translate_map=None,
            linting=dialect.compiler_linting | compiler.WARN_LINTING,
        )
        if len(distilled) <= 1:
            shape = _shape_of(cast(SQLCompiler, compiled), dialect)
            if shape is not None:
                single = distilled[0] if distilled else None
                return await self._plain(compiled, shape, single, extracted, param_dict)
        context: Any = _Context._init_compiled(
            dialect,
            connection,
            connection.connection,
            options,
            cast(SQLCompiler, compiled),
            distilled,
            statement,
            extracted,
            cache_hit=cache_hit,
            param_dict=param_dict,
        )
        context.pre_exec()
        if context.execute_style is ExecuteStyle.INSERTMANYVALUES:  # batches of its own
            result: CursorResult[*tuple[Any, ...]] = await greenlet_spawn(
                connection._exec_insertmany_context, dialect, context
            )
            return result
        cursor, text = context.cursor, context.statement
        arguments = context.parameters if context.executemany else context.parameters[0]
        dispatch = connection.dispatch
        for before in dispatch.before_cursor_execute:
            text, arguments = before(
                connection, cursor, text, arguments, context, context.executemany
            )
        try:
            if context.executemany:
                await cursor._executemany_async(text, arguments)
            else:
                await cursor._execute_async(text, arguments)
            dispatch.after_cursor_execute(
                connection, cursor, text, arguments, context, context.executemany
            )
            context.post_exec()
            return context._setup_result_proxy()  # type: ignore[no-any-return]
        except Exception as error:
            await _failed(connection, error, text, arguments, cursor, context)

    async def _plain(
        self,
        compiled: Any,
        shape: ResultMetaData,
        single: Any,
        extracted: Any,
        param_dict: Any,
    ) -> PlainRows:
        """A statement whose parameters and results need nothing of SQLAlchemy's execution
        context: its parameters processed as the context would, psycopg's rows handed out as
        they come."""
        connection = self._connection
        values = compiled.construct_params(
            single,
            escape_names=False,
            extracted_parameters=extracted,
            _collected_params=param_dict,
        )
        processors = compiled._bind_processors
        escaped = compiled.escaped_bind_names
        arguments = {
            escaped.get(key, key): processors[key](value) if key in processors else value
            for key, value in values.items()
        }
        text = compiled.string
        driver: Any = connection.connection.driver_connection
        cursor = driver.cursor()
        dispatch = connection.dispatch
        for before in dispatch.before_cursor_execute:
            text, arguments = before(connection, cursor, text, arguments, None, False)
        try:
            await cursor.execute(text, arguments)
        except Exception as error:
            await _failed(connection, error, text, arguments, None, None)
        dispatch.after_cursor_execute(connection, cursor, text, arguments, None, False)
        # Asked of the result's status: ``description`` would build every column's details.
        answered = cursor.pgresult is not None and cursor.pgresult.status == ExecStatus.TUPLES_OK
        rows = await cursor.fetchall() if answered else []
        return PlainRows(shape, iter(rows), cursor.rowcount)


_shapes: weakref.WeakKeyDictionary[Any, ResultMetaData | None] = weakref.WeakKeyDictionary()


def _shape_of(compiled: SQLCompiler, dialect: Any) -> ResultMetaData | None:
    """The keys of a compiled statement's rows when ``_plain`` can run it, else None: its
    parameters are bound as they are (no expansion, no defaults computed in Python), no
    result value needs converting, and it returns no row SQLAlchemy would have to match by
    name or keep for ``inserted_primary_key``."""
    try:
        return _shapes[compiled]
    except KeyError:
        pass
    columns = compiled._result_columns
    keys = [column[0] for column in columns]
    plain = (
        not compiled.positional
        and not compiled.isplaintext
        and not compiled.literal_execute_params
        and not compiled.post_compile_params
        and not compiled.insert_prefetch
        and not compiled.update_prefetch
        and not compiled.implicit_returning
        and not compiled.schema_translate_map
        and not compiled._textual_ordered_columns
        and not compiled._ad_hoc_textual
        and not compiled._loose_column_name_matching
        and (compiled._ordered_columns or not columns)
        and len(set(keys)) == len(keys)
        and all(column[3]._cached_result_processor(dialect, None) is None for column in columns)
    )
    shape = SimpleResultMetaData(keys) if plain else None
    _shapes[compiled] = shape
    return shape


class _OneStatement(NativeConnection):
    """A write of one statement in autocommit mode: a second statement would commit apart
    from the first, so it is refused."""

    __slots__ = ("_used",)

    def __init__(self, connection: Connection) -> None:
        super().__init__(connection)
        self._used = False

    async def execute(self, statement: Executable, parameters: Any = None, /) -> Rows:
        if self._used:
            raise RuntimeError(
                "a write of one statement ran a second one, which would not be atomic"
            )
        self._used = True
        return await super().execute(statement, parameters)


@asynccontextmanager
async def transaction(
    engine: AsyncEngine, *, write: bool, single: bool = False
) -> AsyncIterator[NativeConnection]:
    """A connection of ``engine``'s pool. A write runs in a transaction, committed when the
    block ends; a read, and a write of a ``single`` statement, run in autocommit mode: each
    statement is a transaction of its own (seeing its own snapshot at READ COMMITTED, as a
    transaction's statements would), without BEGIN and COMMIT's two round trips. Whatever is
    left open when the block raises, the pool rolls back on return."""
    connection = await greenlet_spawn(engine.sync_engine.connect)
    driver: Any = connection.connection.driver_connection
    autocommit = single or not write
    try:
        if autocommit:
            await driver.set_autocommit(True)
        yield _OneStatement(connection) if single else NativeConnection(connection)
        if write:
            if not autocommit:
                try:
                    await driver.commit()
                except Exception as error:
                    await _failed(connection, error, "COMMIT", None, None, None)
            connection.dispatch.commit(connection)
    finally:
        if driver.pgconn.transaction_status == TransactionStatus.IDLE:
            # Nothing in it waits on the server, so no cancellation can cut it short, and it
            # needs no task of its own (and no two turns of the loop) to be shielded.
            await _give_back(connection, driver, autocommit)
        else:  # a rollback to send: a cancellation must not leave the connection out
            await asyncio.shield(_give_back(connection, driver, autocommit))


async def _give_back(connection: Connection, driver: Any, autocommit: bool) -> None:
    if autocommit and not connection.invalidated:
        try:
            await driver.set_autocommit(False)  # as the engine's other users expect it
        except Exception:  # the connection is gone: the pool must not hand it out again
            await greenlet_spawn(connection.invalidate)
    await greenlet_spawn(connection.close)


async def _failed(
    connection: Connection,
    error: Exception,
    statement: str,
    parameters: Any,
    cursor: Any,
    context: Any,
) -> NoReturn:
    """Raise ``error`` as SQLAlchemy would: wrapped in its exception classes, and with the
    connection (and, for a lost server, the whole pool) invalidated."""
    await greenlet_spawn(
        connection._handle_dbapi_exception, error, statement, parameters, cursor, context
    )
    raise error  # not reached: the handling above always raises
