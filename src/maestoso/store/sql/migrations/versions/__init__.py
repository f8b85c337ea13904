"""Migration scripts, oldest first (``down_revision`` links them)."""

from __future__ import annotations
