"""Alembic migrations of the store, for SQLite and PostgreSQL from one source."""

from __future__ import annotations
