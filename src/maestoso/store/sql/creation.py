"""A new instance on PostgreSQL, stored by one statement in autocommit mode.

As a transaction, ``create_instance`` is six round trips: ``BEGIN``, the instance id, the
count of the run strategy's room, the insert, the events and ``COMMIT``. Here the same work is
one statement, whose data-modifying CTEs run in this order because each reads the one before:

1. ``alloc`` advances ``latest_instance_id``, which takes the workflow row's lock (creations
   and admissions of one workflow take turns on it), unless an instance of the workflow
   already has the uuid, or the workflow changed since the caller read it.
2. ``decided`` counts the room with ``maestoso_room`` (migration 0011), a VOLATILE function:
   its queries read with a snapshot taken after the lock is held. The statement's own
   subqueries would read the snapshot taken when it began, before it waited for the lock,
   and miss a run created meanwhile.
3. ``timed`` reads the start time of a run admitted: the node's clock, read before the
   statement, plus how long the statement has run on the server by then. A count that waited
   for a run's end must not make the new run seem to start before that end.
4. ``ins`` inserts the run, started or as given; ``ev`` enqueues the events that go with the
   outcome, and the statement notifies the other nodes when it enqueued any.

An instance of the same uuid committed after the statement began is not seen by ``alloc``;
the unique index finds it instead, and the statement fails and rolls back whole, the
allocated id with it. The caller then reads the instance that won.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Integer,
    Text,
    bindparam,
    case,
    cast,
    column,
    exists,
    false,
    func,
    insert,
    literal,
    select,
    true,
    update,
)

from maestoso.store.coordination import Topic
from maestoso.store.records import InstanceRow, JobEvent
from maestoso.store.sql.admission import IN_PROGRESS
from maestoso.store.sql.connection import SqlConnection
from maestoso.store.sql.instance_rows import instance_values
from maestoso.store.sql.notifications import CHANNEL
from maestoso.store.sql.tables import maestro_queue, maestro_workflow, maestro_workflow_instance

_wf = maestro_workflow
_inst = maestro_workflow_instance
_q = maestro_queue

_ID = "workflow_instance_id"
IF_QUEUED = 1
"""An event enqueued unless the run is admitted (the events of a queued run)."""
IF_STARTED = 2
"""An event enqueued if the run is stored IN_PROGRESS, admitted or given so."""

_EVENT_COLUMNS = {
    "queue_id": Integer,
    "type": Text,
    "payload": Text,
    "rest": Text,
    "available_at": BigInteger,
    "when": Integer,
    "fill": Boolean,
    "ord": Integer,
}


STAMP_PARAMS = ("e_internal_id", "e_active_version_id", "e_latest_version_id", "e_modify_ts")
"""The parameters of ``stamp_matches``, in the order of ``WorkflowRow.stamp``."""


def stamp_matches() -> list[Any]:
    """The workflow row still has the stamp the caller read (``WorkflowRow.stamp``)."""
    columns = (_wf.c.internal_id, _wf.c.active_version_id, _wf.c.latest_version_id, _wf.c.modify_ts)
    return [column == bindparam(name) for column, name in zip(columns, STAMP_PARAMS, strict=True)]


@functools.cache
def _statement(admit: bool, expected: bool) -> Any:
    taken = exists().where(
        _inst.c.workflow_id == bindparam("w_id"), _inst.c.uuid == bindparam("v_uuid")
    )
    alloc = (
        update(_wf)
        .where(
            _wf.c.workflow_id == bindparam("w_id"), ~taken, *(stamp_matches() if expected else ())
        )
        .values(latest_instance_id=_wf.c.latest_instance_id + 1)
        .returning(_wf.c.latest_instance_id.label("instance_id"))
        .cte("alloc")
    )
    room = func.maestoso_room(
        bindparam("w_id"),
        bindparam("n", type_=Integer),
        bindparam("strict", type_=Boolean),
        type_=Integer,
    )
    decided = select(alloc.c.instance_id, (room > 0 if admit else false()).label("admitted")).cte(
        "decided"
    )
    waited_ms = func.floor(
        func.extract("epoch", func.clock_timestamp() - func.statement_timestamp()) * 1000
    )
    started_at = func.greatest(
        bindparam("v_create_ts", type_=BigInteger),
        bindparam("now", type_=BigInteger) + cast(waited_ms, BigInteger),
    )
    timed = select(decided, started_at.label("started_at")).cte("timed")

    values: dict[str, Any] = {
        column.key: bindparam(f"v_{column.key}", type_=column.type) for column in _inst.c
    }
    admitted = timed.c.admitted
    values["instance_id"] = timed.c.instance_id
    values["status"] = case((admitted, literal(IN_PROGRESS)), else_=values["status"])
    values["execution_id"] = case(
        (admitted, bindparam("started_execution_id", type_=Text)), else_=values["execution_id"]
    )
    for key in ("start_ts", "modify_ts"):
        values[key] = case((admitted, timed.c.started_at), else_=values[key])
    ins = (
        insert(_inst)
        .from_select(list(values), select(*values.values()).select_from(timed))
        .returning(
            _inst.c.instance_id,
            _inst.c.status,
            _inst.c.execution_id,
            _inst.c.start_ts,
            _inst.c.modify_ts,
        )
        .cte("ins")
    )

    # The events come as one JSON parameter: psycopg adapts a list per column far slower.
    events = (
        func.json_to_recordset(bindparam("events", type_=JSON))
        .table_valued(*(column(name, kind) for name, kind in _EVENT_COLUMNS.items()))
        .render_derived(name="e", with_types=True)
    )
    # The allocated id goes between the two parts of a payload that waits for it.
    filled = events.c.payload.concat(cast(ins.c.instance_id, Text)).concat(events.c.rest)
    payload = cast(case((events.c.fill, filled), else_=events.c.payload), JSON)
    wanted = ((events.c.when == IF_QUEUED) & ~admitted) | (
        (events.c.when == IF_STARTED) & (ins.c.status == IN_PROGRESS)
    )
    rows = (
        select(
            events.c.queue_id,
            events.c.type,
            payload,
            events.c.available_at,
            literal(0, BigInteger),
            literal(0, Integer),
            false(),
            bindparam("q_now", type_=BigInteger),
        )
        .select_from(ins.join(timed, true()).join(events, true()))
        .where(wanted)
        .order_by(events.c.ord)
    )
    enqueued = (
        insert(_q)
        .from_select(
            [
                "queue_id",
                "type",
                "payload",
                "available_at",
                "owned_until",
                "attempts",
                "parked",
                "create_time",
            ],
            rows,
        )
        .returning(_q.c.msg_id)
        .cte("ev")
    )
    notified = case(
        (exists(select(enqueued.c.msg_id)), func.pg_notify(CHANNEL, Topic.QUEUE.value)),
        else_=None,
    )
    return select(ins, notified.label("notified"))


async def create_in_one_statement(
    connection: SqlConnection,
    row: InstanceRow,
    queued: list[JobEvent],
    started: list[JobEvent],
    *,
    admit: tuple[int, bool] | None,
    now: int,
    expected: tuple[int, int, int, int] | None = None,
) -> InstanceRow | None:
    """Store ``row`` as run 1 of a new instance (started if ``admit``, the concurrency and
    whether a failure blocks, leaves room), with ``queued`` enqueued unless it started and
    ``started`` enqueued if it is stored IN_PROGRESS: in one statement, on a connection in
    autocommit mode. None when nothing was written: the workflow does not exist, or an
    instance of it already has ``row.uuid``, or it no longer has the ``expected`` stamp."""
    params: dict[str, Any] = {f"v_{key}": value for key, value in instance_values(row).items()}
    params["v_run_id"] = 1
    params["w_id"] = row.workflow_id
    params["n"], params["strict"] = admit or (0, False)
    params["started_execution_id"] = str(uuid.uuid4())
    params["now"] = params["q_now"] = now
    tagged = [(event, IF_QUEUED) for event in queued] + [(event, IF_STARTED) for event in started]
    params["events"] = [
        {
            "queue_id": event.queue_id,
            "type": event.type,
            "payload": payload,
            "rest": rest,
            "available_at": event.available_at,
            "when": when,
            "fill": needs_instance_id(event),
            "ord": ord,
        }
        for ord, (event, when) in enumerate(tagged)
        for payload, rest in [_split(event)]
    ]
    if expected is not None:
        params.update(zip(STAMP_PARAMS, expected, strict=True))
    statement = _statement(admit is not None, expected is not None)
    stored = (await connection.execute(statement, params)).mappings().first()
    if stored is None:
        return None
    return replace(
        row,
        instance_id=stored["instance_id"],
        run_id=1,
        status=stored["status"],
        execution_id=stored["execution_id"],
        start_time=stored["start_ts"],
        modify_time=stored["modify_ts"],
    )


def _split(event: JobEvent) -> tuple[str, str]:
    """The event's payload as JSON text, split where the allocated instance id goes (the
    keys keep their order, which ``jsonb_set`` would not)."""
    if not needs_instance_id(event):
        return json.dumps(event.payload), ""
    keys = list(event.payload)
    at = keys.index(_ID)
    before = {key: event.payload[key] for key in keys[:at]}
    after = {key: event.payload[key] for key in keys[at + 1 :]}
    head = json.dumps(before)[:-1] + (", " if before else "") + json.dumps(_ID) + ": "
    return head, (", " + json.dumps(after)[1:]) if after else "}"


def needs_instance_id(event: JobEvent) -> bool:
    """Whether the event's payload waits for the allocated instance id (its
    ``workflow_instance_id`` is 0)."""
    return bool(event.payload.get(_ID, None) == 0)
