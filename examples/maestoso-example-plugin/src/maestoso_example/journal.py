"""``journal``: a notifier that appends every status change it is sent, one JSON line each,
to a file (``MAESTOSO_EXAMPLE_JOURNAL``, default ``journal.jsonl`` in the server's data
directory): the shape of a notifier that feeds a queue or a log pipeline."""

from __future__ import annotations

import json
import os
from pathlib import Path

from maestoso.plugin import Message, Settings


class Journal:
    def __init__(self, settings: Settings) -> None:
        default = settings.home / "journal.jsonl"
        self.path = Path(os.environ.get("MAESTOSO_EXAMPLE_JOURNAL") or default)

    async def send(self, message: Message) -> None:
        # Raising (a full disk) makes the delivery be tried again later.
        with self.path.open("a", encoding="utf-8") as journal:
            journal.write(json.dumps(message.to_json()) + "\n")
