"""``file_drop``: announces the signal ``file_dropped`` for each file that appears in a
folder (``MAESTOSO_EXAMPLE_DROP_DIR``, default ``drop/`` in the server's data directory),
with the params ``file`` (its name) and ``size``."""

from __future__ import annotations

import os
from pathlib import Path

from maestoso.plugin import Settings, SignalContext

POLL_SECONDS = 0.5


class FileDrop:
    def __init__(self, settings: Settings) -> None:
        self.folder = Path(os.environ.get("MAESTOSO_EXAMPLE_DROP_DIR") or settings.home / "drop")

    async def run(self, context: SignalContext) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            for entry in sorted(os.scandir(self.folder), key=lambda e: e.name):
                if entry.is_file() and not entry.name.startswith("."):
                    stat = entry.stat()
                    # The same file, seen again (or by another node), is one signal.
                    request_id = f"{entry.name}:{stat.st_mtime_ns}"
                    params = {"file": entry.name, "size": stat.st_size}
                    await context.announce("file_dropped", params, request_id=request_id)
            await context.sleep(POLL_SECONDS)
