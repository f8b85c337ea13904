"""The alert deliveries table (``maestoso_delivery``)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)

from maestoso.store.sql.tables import Document, metadata

maestoso_delivery = Table(
    "maestoso_delivery",
    metadata,
    # INTEGER, not BIGINT, on SQLite: only an INTEGER PRIMARY KEY is the auto-assigned rowid.
    Column(
        "delivery_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        nullable=False,
        autoincrement=True,
    ),
    Column("dedup_key", Text, nullable=False),
    Column("notifier", Text, nullable=False),
    Column("alert_type", Text, nullable=False),
    Column("workflow_id", Text, nullable=False),
    Column("instance_id", BigInteger, nullable=False),
    Column("run_id", BigInteger, nullable=False),
    Column("step_id", Text, nullable=False),
    Column("message", Document, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("create_ts", BigInteger, nullable=False),
    Column("modify_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("delivery_id"),
    UniqueConstraint("dedup_key"),
    Index(None, "workflow_id", "instance_id", "delivery_id"),
)
"""One row per alert message or event-stream event to send, with how sending went."""
