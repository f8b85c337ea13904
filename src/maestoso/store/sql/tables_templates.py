"""The job templates table (``maestro_job_template``, as Maestro names it)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, PrimaryKeyConstraint, Table, Text

from maestoso.store.sql.tables import Document, metadata

maestro_job_template = Table(
    "maestro_job_template",
    metadata,
    Column("job_type", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("metadata", Document, nullable=False),
    Column("definition", Document, nullable=False),
    Column("create_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("job_type", "version"),
)
"""One row per job template version; a job type's versions are found by the key's prefix."""
