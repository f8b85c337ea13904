"""Fixtures for the DSL tests: the shared folder of Maestro samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def maestro_samples() -> Path:
    """``maestro-samples`` of the shared reference folder (``MAESTOSO_SHARED_DIR``)."""
    shared = Path(os.environ.get("MAESTOSO_SHARED_DIR", REPO_ROOT.parent / "shared"))
    samples = shared / "maestro-samples"
    if not samples.is_dir():
        message = f"the shared Maestro samples are missing: {samples}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return samples
