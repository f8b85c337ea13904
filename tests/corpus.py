"""Where Maestro's corpus lives: ``../shared`` beside the repository, or MAESTOSO_SHARED_DIR."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("MAESTOSO_SHARED_DIR", REPO.parent / "shared"))


def require(folder: Path) -> Path:
    """``folder``, or a skip (a failure on CI) when the corpus is absent."""
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"Maestro's corpus is missing at {folder}", pytrace=False)
        pytest.skip(f"Maestro's corpus is not at {folder}")
    return folder
