"""Maestro's rules for ids and names."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

ID_LENGTH_LIMIT = 128
NAME_LENGTH_LIMIT = 256
FIELD_SIZE_LIMIT = 16384
STEP_SEPARATOR = "__"

_WORKFLOW_ID = re.compile(r"^[_a-zA-Z0-9][.\-_a-zA-Z0-9]*$")
_REFERENCE_ID = re.compile(r"^[_a-zA-Z][.\-_a-zA-Z0-9]*$")
_RESERVED_PREFIX = "maestro_"
_RESERVED_SUFFIX = "_maestro"


def check_workflow_id(value: str) -> str:
    _check_length(value, ID_LENGTH_LIMIT)
    if not _WORKFLOW_ID.match(value):
        raise ValueError(f"[{value}] does not match the pattern [_a-zA-Z0-9][.-_a-zA-Z0-9]*")
    folded = value.casefold()
    if folded.startswith(_RESERVED_PREFIX) or folded.endswith(_RESERVED_SUFFIX):
        raise ValueError(f"[{value}] must not start with maestro_ or end with _maestro")
    return value


def check_step_id(value: str) -> str:
    _check_length(value, ID_LENGTH_LIMIT)
    if not _REFERENCE_ID.match(value):
        raise ValueError(f"[{value}] does not match the pattern [_a-zA-Z][.-_a-zA-Z0-9]*")
    if value.casefold().startswith(_RESERVED_PREFIX):
        raise ValueError(f"[{value}] must not start with maestro_")
    if STEP_SEPARATOR in value:
        raise ValueError(f"[{value}] must not contain the reserved separator {STEP_SEPARATOR}")
    return value


def check_name(value: str) -> str:
    _check_length(value, NAME_LENGTH_LIMIT)
    return value


def check_param_name(value: str) -> str:
    _check_length(value, ID_LENGTH_LIMIT)
    if not _REFERENCE_ID.match(value):
        raise ValueError(
            f"param name [{value}] does not match the pattern [_a-zA-Z][.-_a-zA-Z0-9]*"
        )
    return value


def _check_length(value: str, limit: int) -> None:
    if not value:
        raise ValueError("must not be empty")
    if len(value) > limit:
        raise ValueError(f"[{value[:32]}...] is longer than {limit} characters")


# -- ids the engine derives -------------------------------------------------------------------

INLINE_PREFIXES = ("maestro_foreach_", "maestro_while_")
"""Workflow ids of inline instances (loop iterations); reserved, so no user's id is one."""
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def is_inline(workflow_id: str) -> bool:
    return workflow_id.startswith(INLINE_PREFIXES)


def name_uuid(text: str) -> str:
    """Java's ``UUID.nameUUIDFromBytes``: the version-3 uuid of ``text``'s UTF-8 bytes."""
    digest = bytearray(hashlib.md5(text.encode(), usedforsecurity=False).digest())
    digest[6] = (digest[6] & 0x0F) | 0x30
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def canonical(value: Any) -> str:
    """A stable text of a JSON value (sorted keys), to derive ids from."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hash_key(value: int) -> str:
    """Maestro's compact base62 (least significant digit first)."""
    digits = []
    while value:
        digits.append(_BASE62[value % 62])
        value //= 62
    return "".join(digits)


def range_key(value: int) -> str:
    """Maestro's order-preserving base62: the length as a digit, then the digits."""
    digits = hash_key(value)
    return _BASE62[len(digits)] + digits[::-1]


def correlation_id(workflow_id: str, instance_id: int, initiator: Any) -> str:
    """Maestro's default correlation id of an instance: ``<workflow>:<instance>:1`` of the
    root of its chain (a subworkflow or a loop iteration shares its root's; a restart keeps
    the id its first run got)."""
    ancestors = initiator.get("ancestors") if isinstance(initiator, dict) else None
    if ancestors:
        root = ancestors[0]
        return f"{root.get('workflow_id')}:{root.get('instance_id')}:1"
    return f"{workflow_id}:{instance_id}:1"
