"""Turning request bodies into models, with errors that name the field path."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pydantic

from maestoso.errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)

_BOX_TAGS = frozenset({"step", "foreach", "while", "subworkflow", "template"})
# Type ids of the type-discriminated unions (time triggers, backoffs), which pydantic adds to
# locations after the list index or the ``backoff`` field.
_TYPE_TAGS = frozenset({"CRON", "PREDEFINED", "INTERVAL", "EXPONENTIAL_BACKOFF", "FIXED_BACKOFF"})
_CHOICE_ERRORS = frozenset({"literal_error", "enum", "union_tag_invalid"})
_BOUND_ERRORS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "int_parsing",
        "int_from_float",
        "float_parsing",
        "bool_parsing",
        "string_pattern_mismatch",
    }
)
_SHOWN_VALUE_MAX = 100
_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "is required",
}


def parse_json(body: bytes | str) -> Any:
    """Decode a JSON body; a syntax error names its line and column."""
    try:
        return json.loads(body)
    except UnicodeDecodeError as exc:
        raise ValidationError("the request body is not valid UTF-8", [str(exc)]) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
            [f"body: {exc.msg} (line {exc.lineno}, column {exc.colno})"],
        ) from None


def parse_model(model: type[M], data: Any, *, root: str = "") -> M:
    """Validate ``data`` as ``model``; every problem is listed as ``path: message``."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = pydantic_errors(exc, root=root)
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationError(
            f"invalid {_title(model)}: {len(errors)} {noun}: {errors[0]}", errors
        ) from None


def pydantic_errors(exc: pydantic.ValidationError, *, root: str = "") -> list[str]:
    seen: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        path = format_path(error["loc"], root=root)
        message = _MESSAGES.get(error["type"], error["msg"]).removeprefix("Value error, ")
        message = _naming_the_value(error["type"], error.get("input"), message)
        seen.setdefault(path, f"{path}: {message}" if path else message)
    return list(seen.values())


def _naming_the_value(kind: str, value: Any, message: str) -> str:
    """The message with the value it refuses: the rule alone does not say which value broke it."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return message
    if kind in _CHOICE_ERRORS:
        return f"[{value}] is not allowed: {message}"
    if kind in _BOUND_ERRORS and len(str(value)) <= _SHOWN_VALUE_MAX:
        return f"{message}, got [{value}]"
    return message


def format_path(loc: tuple[int | str, ...], *, root: str = "") -> str:
    """``('workflow', 'steps', 2, 'step', 'step', 'id')`` → ``workflow.steps[2].step.id``."""
    parts: list[str] = [root] if root else []
    previous: int | str | None = None
    for segment in loc:
        if isinstance(segment, str) and _is_internal(segment):
            continue
        if segment == previous and segment in _BOX_TAGS:
            continue  # the union tag and the wrapper's field share a name
        if segment in _TYPE_TAGS and (isinstance(previous, int) or previous == "backoff"):
            continue
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        else:
            parts.append(f".{segment}" if parts else segment)
        previous = segment
    return "".join(parts)


def _is_internal(segment: str) -> bool:
    # pydantic names union members and validator wrappers in locations; users never wrote them
    return "[" in segment or segment in {"str", "int", "User", "Tag", "bool"}


def _title(model: type[pydantic.BaseModel]) -> str:
    name = model.__name__
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
