"""Micro-benchmarks of Maestoso's hot paths."""

from __future__ import annotations
