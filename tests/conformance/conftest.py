"""Fixtures locating Maestro's corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.corpus import require, shared_dir


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return require(shared_dir() / "maestro-samples")
