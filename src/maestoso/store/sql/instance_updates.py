"""Instance updates on SQL: compare-and-set, in order, in the caller's transaction.

Updates that only set columns run as executemany ``UPDATE``s, one per run of consecutive
updates of the same shape, with the compare-and-set on status in their ``WHERE``; a count of
changed rows short of the number of updates means one failed, and the caller's transaction
rolls back. Entries appended to a timeline are joined to its text in the ``UPDATE`` itself, so
the entries already there keep their text (key order included). An update that changes the
document reads the runs first (``FOR UPDATE`` on PostgreSQL) and writes them whole:
PostgreSQL's ``json`` type has no way to edit a document in place that keeps its key order.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Text,
    Update,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    or_,
    select,
    update,
)

from maestoso.errors import ConflictError, NotFoundError
from maestoso.store.records import InstanceUpdate
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.tables import maestro_workflow_instance

_inst = maestro_workflow_instance

_INSTANCE_KEY = (_inst.c.workflow_id, _inst.c.instance_id, _inst.c.run_id)
_Key = tuple[str, int, int]

_APPENDED = "timeline_entries"
"""The field of an update's shape that appends entries to the timeline."""

_UPDATED_FIELDS = {
    # InstanceUpdate field: column
    "status": "status",
    "execution_id": "execution_id",
    "start_time": "start_ts",
    "end_time": "end_ts",
    "runtime_overview": "runtime_overview",
    "artifacts": "artifacts",
}


# -- instance updates --------------------------------------------------------------------------


async def apply_updates(connection: SqlConnection, updates: Sequence[InstanceUpdate]) -> None:
    """Apply ``updates`` in order; ``NotFoundError`` for a missing run, ``ConflictError`` for
    a failed compare-and-set (the caller's transaction must then roll back)."""
    if not updates:
        return
    if any(u.document_changes is not None for u in updates):
        await _merge_updates(connection, updates)
        return
    for shape, batch in _runs_of_same_shape(updates):
        fields, expected_count = shape
        params = [_update_params(u, fields) for u in batch]
        statement = _update_statement(fields, expected_count, connection.dialect.name)
        result = await connection.execute(statement, params[0] if len(params) == 1 else params)
        if result.rowcount != len(batch):
            await _explain_failed_update(connection, batch)


def _runs_of_same_shape(
    updates: Iterable[InstanceUpdate],
) -> list[tuple[tuple[tuple[str, ...], int | None], list[InstanceUpdate]]]:
    """Consecutive updates of the same shape, in order (an update may depend on the previous
    one of the same run, so they are never reordered)."""
    runs: list[tuple[tuple[tuple[str, ...], int | None], list[InstanceUpdate]]] = []
    for update_ in updates:
        fields = tuple(f for f in _UPDATED_FIELDS if getattr(update_, f) is not None)
        if update_.timeline:
            fields += (_APPENDED,)
        expected = update_.expected_statuses
        shape = (fields, None if expected is None else len(expected))
        if runs and runs[-1][0] == shape:
            runs[-1][1].append(update_)
        else:
            runs.append((shape, [update_]))
    return runs


def _update_params(update_: InstanceUpdate, fields: Iterable[str]) -> dict[str, Any]:
    params: dict[str, Any] = {
        "k_workflow_id": update_.workflow_id,
        "k_instance_id": update_.instance_id,
        "k_run_id": update_.run_id,
        "v_modify_ts": update_.modify_time,
    }
    for name in fields:
        if name == _APPENDED:
            params[f"v_{_APPENDED}"] = json.dumps(update_.timeline)
        else:
            params[f"v_{_UPDATED_FIELDS[name]}"] = getattr(update_, name)
    for n, status in enumerate(update_.expected_statuses or ()):
        params[f"k_expected_{n}"] = status
    return params


@functools.lru_cache(maxsize=256)
def _update_statement(fields: tuple[str, ...], expected_count: int | None, dialect: str) -> Update:
    """``UPDATE`` of one run by key, setting ``fields`` (of ``InstanceUpdate``, or columns
    ``document``/``timeline``) and ``modify_ts``, if its status is one of ``expected_count``
    expected ones. ``_APPENDED`` among ``fields`` appends entries to the timeline."""
    columns = [_UPDATED_FIELDS.get(name, name) for name in fields if name != _APPENDED]
    columns.append("modify_ts")
    statement = update(_inst).where(
        *(column == bindparam(f"k_{column.name}") for column in _INSTANCE_KEY)
    )
    if expected_count is not None:
        statement = statement.where(
            _inst.c.status.in_([bindparam(f"k_expected_{n}") for n in range(expected_count)])
        )
    values: dict[str, Any] = {
        name: bindparam(f"v_{name}", type_=_inst.c[name].type) for name in columns
    }
    if _APPENDED in fields:
        values["timeline"] = _appended_timeline(dialect)
    return statement.values(values)


def _appended_timeline(dialect: str) -> ColumnElement[Any]:
    """The stored timeline's text, its closing bracket replaced by the new entries' text
    (a JSON array) without its opening one; the new text alone for an empty timeline. Both
    texts are JSON arrays as ``json.dumps`` writes them."""
    new = bindparam(f"v_{_APPENDED}", type_=Text)
    stored = _inst.c.timeline
    if dialect == "postgresql":
        old = func.rtrim(cast(stored, Text))
        joined: ColumnElement[Any] = cast(func.left(old, -1) + ", " + func.substr(new, 2), JSON)
        return case((func.json_array_length(stored) == 0, cast(new, JSON)), else_=joined)
    # SQLite keeps JSON as text: no casts (CAST … AS JSON would mean NUMERIC there).
    old = func.rtrim(stored)
    joined = func.substr(old, 1, func.length(old) - 1) + ", " + func.substr(new, 2)
    return case((func.json_array_length(stored) == 0, new), else_=joined)


_RUNS = select(*_INSTANCE_KEY, _inst.c.status, _inst.c.document, _inst.c.timeline)
_ONE_RUN = _RUNS.where(*(column == bindparam(f"k_{column.name}") for column in _INSTANCE_KEY))
_ONE_RUN_LOCKED = _ONE_RUN.with_for_update()


async def _merge_updates(connection: SqlConnection, updates: Sequence[InstanceUpdate]) -> None:
    """Apply updates that append to timelines or change documents: read the runs (locked on
    PostgreSQL), apply every update in order, and write each run once."""
    keys = list(dict.fromkeys(_update_key(u) for u in updates))
    postgres = connection.dialect.name == "postgresql"
    if len(keys) == 1:  # the common case, as one prepared statement
        params = dict(zip(("k_workflow_id", "k_instance_id", "k_run_id"), keys[0], strict=True))
        found = await connection.execute(_ONE_RUN_LOCKED if postgres else _ONE_RUN, params)
    else:
        query = _RUNS.where(any_key(keys)).order_by(*_INSTANCE_KEY)
        found = await connection.execute(query.with_for_update() if postgres else query)
    current = {
        (row["workflow_id"], row["instance_id"], row["run_id"]): dict(row)
        for row in found.mappings()
    }
    changed: dict[_Key, dict[str, Any]] = {}
    for update_ in updates:
        key = _update_key(update_)
        run = current.get(key)
        if run is None:
            raise NotFoundError(f"workflow instance {_describe(key)} does not exist")
        _check_expected(key, run["status"], update_.expected_statuses)
        values = changed.setdefault(key, {})
        for name, column in _UPDATED_FIELDS.items():
            value = getattr(update_, name)
            if value is not None:
                values[column] = run[column] = value
        if update_.document_changes is not None:
            values["document"] = run["document"] = {**run["document"], **update_.document_changes}
        if update_.timeline:
            values["timeline"] = run["timeline"] = [*run["timeline"], *update_.timeline]
        values["modify_ts"] = update_.modify_time
    for key, values in changed.items():
        columns = tuple(column for column in values if column != "modify_ts")
        params = {f"v_{column}": value for column, value in values.items()}
        params |= {"k_workflow_id": key[0], "k_instance_id": key[1], "k_run_id": key[2]}
        statement = _update_statement(columns, None, connection.dialect.name)
        await connection.execute(statement, params)


async def _explain_failed_update(
    connection: SqlConnection, batch: Sequence[InstanceUpdate]
) -> None:
    """Raise the error of the first update of ``batch`` that changed no row (the transaction
    then rolls back, writing nothing)."""
    keys = [_update_key(u) for u in batch]
    query = select(*_INSTANCE_KEY, _inst.c.status).where(any_key(keys))
    statuses = {(r[0], r[1], r[2]): r[3] for r in (await connection.execute(query)).all()}
    for update_, key in zip(batch, keys, strict=True):
        if key not in statuses:
            raise NotFoundError(f"workflow instance {_describe(key)} does not exist")
        _check_expected(key, statuses[key], update_.expected_statuses)
    raise ConflictError(f"workflow instances {[_describe(k) for k in keys]} changed concurrently")


def any_key(keys: Iterable[_Key]) -> ColumnElement[bool]:
    """Runs whose key is one of ``keys``, in words both planners serve from the primary key.

    ``(workflow_id, instance_id, run_id) IN (VALUES …)`` is not: SQLite searches its primary
    key by ``workflow_id`` alone, every run of the workflow. ``workflow_id = ? AND run_id = ?
    AND instance_id IN (…)``, one such term per workflow and run, uses the whole key.
    """
    groups: dict[tuple[str, int], list[int]] = {}
    for workflow_id, instance_id, run_id in keys:
        groups.setdefault((workflow_id, run_id), []).append(instance_id)
    return or_(
        false(),
        *(
            and_(
                _inst.c.workflow_id == workflow_id,
                _inst.c.run_id == run_id,
                _inst.c.instance_id.in_(instance_ids),
            )
            for (workflow_id, run_id), instance_ids in groups.items()
        ),
    )


def _check_expected(key: _Key, status: str, expected: tuple[str, ...] | None) -> None:
    if expected is not None and status not in expected:
        raise ConflictError(
            f"workflow instance {_describe(key)} is {status}, not one of {list(expected)}"
        )


def _update_key(update_: InstanceUpdate) -> _Key:
    return (update_.workflow_id, update_.instance_id, update_.run_id)


def _describe(key: _Key) -> str:
    return f"[{key[0]}][{key[1]}][{key[2]}]"
