"""A server process moves what its start made out of the garbage collector's reach."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from maestoso.app import build_app
from maestoso.config import Settings


@pytest.mark.parametrize("freeze_heap", [True, False])
async def test_the_heap_is_frozen_once_started_only_when_asked(
    tmp_path: Path, freeze_heap: bool
) -> None:
    gc.unfreeze()
    app = build_app(Settings(home=tmp_path), freeze_heap=freeze_heap)
    try:
        async with app.router.lifespan_context(app):
            frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()

    assert (frozen > 10_000) is freeze_heap
