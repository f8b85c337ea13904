"""The schema of the store, as SQLAlchemy Core tables.

The tables follow Maestro's (``maestro_workflow``, ``maestro_workflow_version``, ...): the same
names, keys and columns, with timestamps as epoch milliseconds (``BIGINT``) and documents in
JSON columns. With ``tables_triggers`` it makes the schema (``schema``), the target of the
migrations: a database migrated to head must equal one created from ``metadata``.

Documents use the ``json`` type on PostgreSQL, not ``jsonb``: ``jsonb`` rewrites documents
(keys sorted by length, duplicates dropped), so the same definition would come back in a
different key order on PostgreSQL than on SQLite. The store hides the dialect, so it keeps
documents verbatim on both; a column that one day needs a GIN index can move to ``jsonb`` in
a migration (``USING col::jsonb``). Nothing here is queried by its JSON content: what is
queried gets a column and an index.

Internal ids come from ``workflow_id_seq`` (a real sequence on PostgreSQL) and, on SQLite,
which has no sequences, from a row of ``maestoso_sequence`` advanced inside the writing
transaction. Instance ids come from ``maestro_workflow.latest_instance_id``, advanced by the
transaction that creates the instance.

Partial indexes carry the same predicate on both dialects; a query meant to use one repeats
that predicate verbatim (see ``ACTIVE_STATUSES`` and ``RESUMABLE_STATUSES``), because neither
planner can prove that a bound parameter implies it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    Table,
    Text,
    UniqueConstraint,
    false,
    literal_column,
    true,
)

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WORKFLOW_ID_START = 10000
"""The first internal id, as in Maestro."""

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _only_on(dialect: str, table: Table) -> Table:
    """Mark ``table`` as belonging to the schema of ``dialect`` only."""
    table.info["dialect"] = dialect
    return table


def belongs_to(table: Table, dialect: str) -> bool:
    return table.info.get("dialect", dialect) == dialect  # type: ignore[no-any-return]


Document = JSON(none_as_null=True)
"""The column type of JSON documents (``json`` on PostgreSQL; see the module docstring).

Python ``None`` is stored as SQL ``NULL``, not as the JSON text ``null``."""

workflow_id_seq = Sequence("workflow_id_seq", start=WORKFLOW_ID_START, metadata=metadata)
"""Internal ids on PostgreSQL (ignored on SQLite, which has no sequences)."""

maestoso_sequence = _only_on(
    "sqlite",
    Table(
        "maestoso_sequence",
        metadata,
        Column("name", Text, nullable=False),
        Column("last_value", BigInteger, nullable=False),
        PrimaryKeyConstraint("name"),
    ),
)
"""Named counters standing in for sequences on SQLite: one row per sequence."""

maestro_workflow = Table(
    "maestro_workflow",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("internal_id", BigInteger, nullable=False),
    Column("active_version_id", BigInteger, nullable=False),
    Column("activate_ts", BigInteger, nullable=True),
    Column("activated_by", Document, nullable=True),
    Column("properties_snapshot", Document, nullable=False),
    Column("latest_version_id", BigInteger, nullable=False),
    Column("latest_instance_id", BigInteger, nullable=False),
    Column("modify_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workflow_id"),
    Index(None, "internal_id", unique=True),
)
"""One row per workflow; ``active_version_id`` is 0 when no version is active."""

maestro_workflow_version = Table(
    "maestro_workflow_version",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("version_id", BigInteger, nullable=False),
    Column("metadata", Document, nullable=False),
    Column("definition", Document, nullable=False),
    Column("trigger_uuids", Document, nullable=True),
    Column("create_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workflow_id", "version_id"),
)
"""Immutable versions of each workflow's definition."""

maestro_workflow_properties = Table(
    "maestro_workflow_properties",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("create_time", BigInteger, nullable=False),
    Column("author", Document, nullable=True),
    Column("properties_changes", Document, nullable=False),
    Column("previous_snapshot", Document, nullable=True),
    PrimaryKeyConstraint("workflow_id", "create_time"),
)
"""The history of changes to each workflow's properties."""

maestro_workflow_timeline = Table(
    "maestro_workflow_timeline",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("create_ts", BigInteger, nullable=False),
    Column("hash_id", Text, nullable=False),
    Column("change_event", Document, nullable=False),
    PrimaryKeyConstraint("workflow_id", "create_ts", "hash_id"),
)
"""Events of each workflow; ``hash_id`` (a digest of the event) makes replays idempotent."""

# -- instances and steps -------------------------------------------------------------------------

ACTIVE_STATUSES: tuple[str, ...] = ("CREATED", "IN_PROGRESS", "PAUSED", "FAILED")
"""Instance statuses kept in the partial status index (as in Maestro): the queued, running and
failed runs that the run strategy and restarts look for. ``FAILED_1``/``FAILED_2`` are not."""

RESUMABLE_STATUSES: tuple[str, ...] = ("IN_PROGRESS", "PAUSED")
"""Instance statuses of the runs a flow group resumes when a node claims it."""

maestro_workflow_instance = Table(
    "maestro_workflow_instance",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("instance_id", BigInteger, nullable=False),
    Column("run_id", BigInteger, nullable=False),
    Column("uuid", Text, nullable=False),
    Column("version_id", BigInteger, nullable=False),
    Column("status", Text, nullable=False),
    Column("group_id", BigInteger, nullable=False),
    Column("depth", Integer, nullable=False),
    Column("initiator", Document, nullable=False),
    Column("document", Document, nullable=False),
    Column("runtime_overview", Document, nullable=True),
    Column("artifacts", Document, nullable=True),
    Column("timeline", Document, nullable=False),
    Column("execution_id", Text, nullable=True),
    Column("request_ts", BigInteger, nullable=False),
    Column("create_ts", BigInteger, nullable=False),
    Column("start_ts", BigInteger, nullable=True),
    Column("end_ts", BigInteger, nullable=True),
    Column("modify_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workflow_id", "instance_id", "run_id"),
    # The runs of one instance share its uuid: unique per run, and since every instance has a
    # run 1, no two instances of a workflow can have the same uuid. Also the dedup lookup.
    UniqueConstraint("workflow_id", "uuid", "run_id"),
)
"""One row per run of a workflow instance; the rest of Maestro's ``WorkflowInstance`` JSON is
in ``document``, its timeline (a JSON list) in ``timeline``."""


def _status_in(table: Table, statuses: tuple[str, ...]) -> ColumnElement[bool]:
    # Literals, not parameters: the same SQL text in the index and in the queries.
    if not all(status.isidentifier() and status.isupper() for status in statuses):
        raise ValueError(f"not status names: {statuses}")
    return table.c.status.in_([literal_column(f"'{status}'") for status in statuses])


def active_status_predicate() -> ColumnElement[bool]:
    """The predicate of ``ix_maestro_workflow_instance_active``, as queries must repeat it."""
    return _status_in(maestro_workflow_instance, ACTIVE_STATUSES)


def resumable_status_predicate() -> ColumnElement[bool]:
    """The predicate of ``ix_maestro_workflow_instance_group``, as queries must repeat it."""
    return _status_in(maestro_workflow_instance, RESUMABLE_STATUSES)


def _partial(where: ColumnElement[bool]) -> dict[str, Any]:
    return {"sqlite_where": where, "postgresql_where": where}


Index(
    "ix_maestro_workflow_instance_active",
    maestro_workflow_instance.c.workflow_id,
    maestro_workflow_instance.c.status,
    maestro_workflow_instance.c.instance_id,
    **_partial(active_status_predicate()),
)
Index(
    "ix_maestro_workflow_instance_group",
    maestro_workflow_instance.c.group_id,
    maestro_workflow_instance.c.status,
    **_partial(resumable_status_predicate()),
)

maestro_step_instance = Table(
    "maestro_step_instance",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("instance_id", BigInteger, nullable=False),
    Column("run_id", BigInteger, nullable=False),
    Column("step_id", Text, nullable=False),
    Column("attempt_id", BigInteger, nullable=False),
    Column("step_uuid", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("runtime_state", Document, nullable=False),
    Column("document", Document, nullable=False),
    Column("artifacts", Document, nullable=True),
    Column("timeline", Document, nullable=False),
    Column("create_ts", BigInteger, nullable=False),
    Column("modify_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workflow_id", "instance_id", "run_id", "step_id", "attempt_id"),
)
"""One row per attempt of a step in a run; the rest of Maestro's ``StepInstance`` JSON is in
``document``."""

WORKFLOW_OWNED_TABLES: tuple[Table, ...] = (
    maestro_workflow_version,
    maestro_workflow_properties,
    maestro_workflow_timeline,
    maestro_workflow_instance,
    maestro_step_instance,
)
"""Tables whose rows (keyed by ``workflow_id``) are deleted with their workflow.

A table added later that belongs to a workflow joins this tuple, so that deleting a
workflow leaves nothing behind."""


# -- the queue and flow groups -------------------------------------------------------------------

maestro_queue = Table(
    "maestro_queue",
    metadata,
    # INTEGER, not BIGINT, on SQLite: only an INTEGER PRIMARY KEY is the auto-assigned rowid.
    Column(
        "msg_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        nullable=False,
        autoincrement=True,
    ),
    Column("queue_id", Integer, nullable=False),
    Column("type", Text, nullable=False),
    Column("payload", Document, nullable=False),
    Column("available_at", BigInteger, nullable=False),
    Column("owned_until", BigInteger, nullable=False),
    Column("owner", Text, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("parked", Boolean, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("create_time", BigInteger, nullable=False),
    PrimaryKeyConstraint("msg_id"),
)
"""Job events, written in the transaction of the change that causes them.

``available_at`` is when the event may next be claimed: a claim moves it past the lease
(``owned_until + 1``), so an expired lease needs no other condition and one index serves both
the claim and the earliest wake-up time. Parked events are kept with ``last_error``."""

Index(
    "ix_maestro_queue_claim",
    maestro_queue.c.available_at,
    maestro_queue.c.msg_id,
    **_partial(maestro_queue.c.parked == false()),
)
Index(
    "ix_maestro_queue_parked", maestro_queue.c.msg_id, **_partial(maestro_queue.c.parked == true())
)

maestro_flow_group = Table(
    "maestro_flow_group",
    metadata,
    Column("group_id", BigInteger, nullable=False),
    Column("generation", BigInteger, nullable=False),
    Column("owner", Text, nullable=True),
    Column("heartbeat_time", BigInteger, nullable=False),
    Column("owned_until", BigInteger, nullable=False),
    PrimaryKeyConstraint("group_id"),
)
"""Who runs each flow group, until when, and the generation that fences writes for it."""

maestoso_node = Table(
    "maestoso_node",
    metadata,
    Column("node_id", Text, nullable=False),
    Column("start_time", BigInteger, nullable=False),
    Column("heartbeat_time", BigInteger, nullable=False),
    Column("alive_until", BigInteger, nullable=False),
    Column("info", Document, nullable=False),
    PrimaryKeyConstraint("node_id"),
)
"""The nodes of a cluster; flow groups are shared out among those still alive."""
