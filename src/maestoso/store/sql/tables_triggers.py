"""The tables of signals, triggers, step controls (breakpoints, tag permits) and output data."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)

from maestoso.store.sql.tables import Document, metadata

# -- signals and triggers ------------------------------------------------------------------------

OrderedText = Text().with_variant(Text(collation="C"), "postgresql")
"""Text compared byte by byte on both dialects (SQLite's default), so that range matches over
order-preserving encodings agree with the index order."""

maestro_signal_instance = Table(
    "maestro_signal_instance",
    metadata,
    Column("name", OrderedText, nullable=False),
    Column("seq_id", BigInteger, nullable=False),
    Column("instance_id", Text, nullable=False),
    Column("instance", Document, nullable=False),
    Column("create_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("name", "seq_id"),
    UniqueConstraint("name", "instance_id"),
    Index(None, "create_ts", "name", "seq_id"),  # recent signals, newest first, page by page
)
"""Announced signals; ``seq_id`` counts per name from 1, ``instance_id`` deduplicates."""

maestro_signal_param = Table(
    "maestro_signal_param",
    metadata,
    Column("signal_name", OrderedText, nullable=False),
    Column("param_name", OrderedText, nullable=False),
    Column("encoded_val", OrderedText, nullable=False),
    Column("signal_seq_id", BigInteger, nullable=False),
    PrimaryKeyConstraint("signal_name", "param_name", "encoded_val", "signal_seq_id"),
)
"""The indexed params of signals, encoded so that their text order is their value order."""

maestro_signal_trigger = Table(
    "maestro_signal_trigger",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("trigger_uuid", Text, nullable=False),
    Column("definition", Document, nullable=False),
    Column("signals", Document, nullable=False),
    Column("checkpoints", Document, nullable=False),
    Column("create_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workflow_id", "trigger_uuid"),
)
"""The signal triggers of active versions; ``checkpoints[i]`` is the last consumed ``seq_id``
of ``signals[i]``."""

maestro_signal_subscription = Table(
    "maestro_signal_subscription",
    metadata,
    Column("signal_name", OrderedText, nullable=False),
    Column("workflow_id", Text, nullable=False),
    Column("trigger_uuid", Text, nullable=False),
    PrimaryKeyConstraint("signal_name", "workflow_id", "trigger_uuid"),
    Index(None, "workflow_id"),
)
"""Which signal triggers listen to a signal name (Maestro's GIN index on ``signals``)."""

maestro_time_trigger = Table(
    "maestro_time_trigger",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("trigger_uuid", Text, nullable=False),
    Column("trigger_index", Integer, nullable=False),
    Column("definition", Document, nullable=False),
    Column("watermark", BigInteger, nullable=False),
    Column("next_fire_ts", BigInteger, nullable=True),
    Column("create_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("workflow_id", "trigger_uuid", "trigger_index"),
    Index(None, "next_fire_ts"),
)
"""The time triggers of active versions: ``watermark`` is the last scheduled time handled and
``next_fire_ts`` when the next one is due (None: never again)."""


maestro_step_breakpoint = Table(
    "maestro_step_breakpoint",
    metadata,
    Column("workflow_id", Text, nullable=False),
    Column("step_id", Text, nullable=False),
    Column("system_generated", Boolean, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("instance_id", BigInteger, nullable=False),
    Column("run_id", BigInteger, nullable=False),
    Column("step_attempt_id", BigInteger, nullable=False),
    Column("created_by", Document, nullable=True),
    Column("create_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint(
        "workflow_id",
        "step_id",
        "system_generated",
        "version",
        "instance_id",
        "run_id",
        "step_attempt_id",
    ),
)
"""Breakpoints (``system_generated`` false; 0 ids match every version, instance, run and
attempt) and the attempts paused at them (``system_generated`` true), as Maestro keeps them."""

maestro_tag_permit = Table(
    "maestro_tag_permit",
    metadata,
    Column("tag", Text, primary_key=True),
    Column("max_allowed", BigInteger, nullable=False),
    Column("extra_info", Document, nullable=True),
    Column("timeline", Document, nullable=False),
    Column("create_ts", BigInteger, nullable=False),
    Column("modify_ts", BigInteger, nullable=False),
)
"""How many steps carrying each tag may run at once, across all workflows."""

maestro_step_tag_permit = Table(
    "maestro_step_tag_permit",
    metadata,
    Column("step_uuid", Text, nullable=False),
    Column("tag", Text, nullable=False),
    Column("acquire_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("step_uuid", "tag"),
    Index(None, "tag"),
)
"""The permits held by running step attempts, one row per tag."""


output_data = Table(
    "output_data",
    metadata,
    Column("external_job_type", Text, nullable=False),
    Column("external_job_id", Text, nullable=False),
    Column("workflow_id", Text, nullable=True),
    Column("payload", Document, nullable=False),
    Column("create_ts", BigInteger, nullable=False),
    Column("modify_ts", BigInteger, nullable=False),
    PrimaryKeyConstraint("external_job_type", "external_job_id"),
)
"""Output params and artifacts that external jobs publish (``PUT /api/v3/output-data``)."""
