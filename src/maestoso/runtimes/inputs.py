"""Reading a step's evaluated params into the shapes a runtime needs.

A param of the wrong shape is the definition's fault and fails the step for good, so the
readers raise ``InvalidParam``, which runtimes turn into a FATAL_ERROR naming the param.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maestoso.runtimes.base import State, StepResult


class InvalidParam(ValueError):
    """A param a runtime cannot use."""


def fatal(message: str) -> StepResult:
    return StepResult(state=State.FATAL_ERROR, timeline=[message])


def optional_string(params: Mapping[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidParam(f"param [{name}] must be a STRING")
    return str(value)


def string_list(params: Mapping[str, Any], name: str) -> list[str] | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidParam(f"param [{name}] must be a STRING_ARRAY")
    return list(value)


def string_map(params: Mapping[str, Any], name: str) -> dict[str, str]:
    value = params.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidParam(f"param [{name}] must be a STRING_MAP")
    return {str(key): _text(item) for key, item in value.items()}


def mapping(params: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = params.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidParam(f"param [{name}] must be a MAP")
    return dict(value)


def command(params: Mapping[str, Any], name: str = "command") -> list[str]:
    """A STRING runs under ``sh -c``; a STRING_ARRAY is the argv itself."""
    value = params.get(name)
    if isinstance(value, str) and value.strip():
        return ["/bin/sh", "-c", value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return list(value)
    raise InvalidParam(f"param [{name}] is required: a STRING or a non-empty STRING_ARRAY")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
