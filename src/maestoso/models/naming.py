"""Maestro's rules for ids and names."""

from __future__ import annotations

import re

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
