"""Name-based UUIDs, as Maestro derives request ids (Java's ``UUID.nameUUIDFromBytes``)."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any


def name_uuid(text: str) -> str:
    """The version-3 UUID of ``text``'s UTF-8 bytes, without a namespace (as Java makes it)."""
    digest = bytearray(hashlib.md5(text.encode(), usedforsecurity=False).digest())
    digest[6] = (digest[6] & 0x0F) | 0x30
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def canonical(value: Any) -> str:
    """A stable text of a JSON value (sorted keys), to derive ids from."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
