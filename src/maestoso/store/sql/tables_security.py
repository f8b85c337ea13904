"""The tables of security: API tokens (hashed) and the audit log."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, PrimaryKeyConstraint, Table, Text

from maestoso.store.sql.tables import metadata

maestoso_token = Table(
    "maestoso_token",
    metadata,
    Column("token_id", Text, nullable=False),
    Column("user_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("description", Text, nullable=True),
    Column("create_ts", BigInteger, nullable=False),
    Column("expire_ts", BigInteger, nullable=True),
    Column("revoke_ts", BigInteger, nullable=True),
    PrimaryKeyConstraint("token_id"),
    Index(None, "user_name"),
)
"""API tokens: the SHA-256 of each token's secret part, never the token."""

maestoso_audit = Table(
    "maestoso_audit",
    metadata,
    # INTEGER, not BIGINT, on SQLite: only an INTEGER PRIMARY KEY is the auto-assigned rowid.
    Column(
        "audit_id",
        BigInteger().with_variant(Integer(), "sqlite"),
        nullable=False,
        autoincrement=True,
    ),
    Column("create_ts", BigInteger, nullable=False),
    Column("user_name", Text, nullable=True),
    Column("role", Text, nullable=True),
    Column("method", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("workflow_id", Text, nullable=True),
    Column("instance_id", BigInteger, nullable=True),
    Column("run_id", BigInteger, nullable=True),
    Column("step_id", Text, nullable=True),
    Column("status", Integer, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("request_id", Text, nullable=False),
    Column("client", Text, nullable=True),
    PrimaryKeyConstraint("audit_id"),
    Index(None, "user_name", "audit_id"),
    Index(None, "workflow_id", "audit_id"),
)
"""Every mutating API call, kept when its workflow is deleted."""
