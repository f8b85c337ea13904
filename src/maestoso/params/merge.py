"""Merging layers of param definitions, with Maestro's mode rules (``ParamsMergeHelper``).

Layers are merged in order, each over the result of the previous ones: defaults, then
injected params, then the definition, then run and restart params. A literal MAP or
STRING_MAP merges entry by entry; anything else replaces the earlier definition, keeping the
earlier declared type (the new value is converted to it). A user layer (not a system one)
may only change a param whose mode its stage allows:

* start (definition, run params, triggers): MUTABLE, MUTABLE_ON_START(_RESTART);
* restart: MUTABLE, MUTABLE_ON_START_RESTART;

never makes a mode less strict, and never touches a RESERVED system param. The merged
definitions carry their ``source`` in their meta.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from maestoso.models import ParamDefinition, ParamMode, ParamType
from maestoso.models.users import tag_name
from maestoso.params.convert import literal_kind, to_declared_type
from maestoso.params.errors import ParamError
from maestoso.params.sources import (
    ALLOWED_MODES,
    INTERNAL_MODE_KEY,
    MODE_OF_INTERNAL,
    RESTART_MODES,
    SOURCE_KEY,
    START_MODES,
    InternalMode,
    ParamSource,
    stricter,
    strictness,
)


@dataclass(frozen=True, slots=True)
class Layer:
    """One set of definitions to merge, and who provides it.

    ``restart`` marks the params of a restart; ``upstream`` those a parent (a subworkflow
    or foreach step, a trigger) passes down, which may keep a stricter mode.
    """

    params: Mapping[str, ParamDefinition] | None
    source: ParamSource
    restart: bool = False
    upstream: bool = False
    parent_mode: ParamMode | None = None


def merge_layers(layers: Iterable[Layer]) -> dict[str, ParamDefinition]:
    """The definitions of all layers merged in order, then cleaned up: an OPTIONAL default
    nobody set is dropped, and a required one nobody set is an error."""
    merged: dict[str, ParamDefinition] = {}
    for layer in layers:
        merge_into(merged, layer.params or {}, layer)
    return cleanup(merged)


def merge_into(
    base: dict[str, ParamDefinition], incoming: Mapping[str, ParamDefinition], layer: Layer
) -> None:
    """Merge ``incoming`` into ``base`` in place."""
    for name, target in incoming.items():
        previous = base.get(name)
        value: Any = target.value
        if target.value is not None and target.type is ParamType.MAP:
            nested = dict(_literal_map(name, previous, ParamType.MAP))
            parent = stricter(layer.parent_mode, (previous or target).mode)
            merge_into(nested, target.value, replace(layer, parent_mode=parent))
            value = nested
        elif target.value is not None and target.type is ParamType.STRING_MAP:
            value = {**_literal_map(name, previous, ParamType.STRING_MAP), **target.value}
        base[name] = _merged(name, target, previous, layer, value)


def _literal_map(name: str, previous: ParamDefinition | None, kind: ParamType) -> dict[str, Any]:
    if previous is None:
        return {}
    if previous.type is not kind:
        raise ParamError(
            f"ParameterDefinition type mismatch, [{name}] is not a [{kind}] but [{previous.type}]"
        )
    if previous.value is None and previous.expression is None:
        return {}  # a placeholder (a template's param nobody set yet): merged into as empty
    if previous.value is None:
        raise ParamError(f"{kind} param [{name}] definition is not a literal")
    return dict(previous.value)


def _merged(
    name: str,
    target: ParamDefinition,
    previous: ParamDefinition | None,
    layer: Layer,
    value: Any,
) -> ParamDefinition:
    mode, internal = _modes(target, previous, layer)
    tags = _tags(previous, target)
    validator = target.validator if previous is None or target.validator else previous.validator
    fields = {"expression": target.expression, "mode": mode, "tags": tags, "validator": validator}
    if previous is not None:
        candidate = _build(previous.type, value, fields, {})
        changed = _key(candidate) != _key(previous)
        if changed and value is not None:
            value = _cast(name, target.type, previous.type, value)
    else:
        changed = False
    final = _build((previous or target).type, value, fields, {})
    if changed and not layer.source.is_system and not _upstream_system(target, layer):
        _check_modes(name, final, previous, layer, target)
    meta = {SOURCE_KEY: _source(name, target, previous, layer, changed).value}
    if internal is not None:
        meta[INTERNAL_MODE_KEY] = internal.value
    return _build(final.type, final.value, fields, meta, name=name)


def _build(
    param_type: ParamType,
    value: Any,
    fields: Mapping[str, Any],
    meta: Mapping[str, Any],
    name: str | None = None,
) -> ParamDefinition:
    # Built without validation: a merged placeholder may still lack a value (cleanup
    # reports it), and values are already in their type's form.
    return ParamDefinition.model_construct(
        name=name, type=param_type, value=value, **fields, **meta
    )


def _cast(name: str, source: ParamType, target: ParamType, value: Any) -> Any:
    if source is target:
        return value
    try:
        return to_declared_type(name, target, value, literal_kind(source)).value
    except ParamError as error:
        raise ParamError(
            f"ParameterDefinition type mismatch name [{name}] from [{source}] != to [{target}]: "
            f"{error.message}"
        ) from None


def _internal_mode(definition: ParamDefinition | None) -> InternalMode | None:
    raw = None if definition is None else definition.extras.get(INTERNAL_MODE_KEY)
    return None if raw is None else InternalMode(raw)


def _modes(
    target: ParamDefinition, previous: ParamDefinition | None, layer: Layer
) -> tuple[ParamMode, InternalMode | None]:
    mode = target.mode or (previous.mode if previous else None)
    internal = _internal_mode(previous) or _internal_mode(target)
    if internal is not None:
        mode = stricter(mode, MODE_OF_INTERNAL[internal])
    mode = mode or ParamMode.MUTABLE
    if layer.upstream and previous is not None:
        # A parent controls its children fully: it may keep a stricter earlier mode.
        mode = stricter(mode, previous.mode) or mode
    return stricter(mode, layer.parent_mode) or mode, internal


def _check_modes(
    name: str,
    final: ParamDefinition,
    previous: ParamDefinition | None,
    layer: Layer,
    target: ParamDefinition,
) -> None:
    allowed = ALLOWED_MODES.get(layer.source, START_MODES)
    if layer.restart:
        allowed = allowed & RESTART_MODES
    assert final.mode is not None
    if final.mode not in allowed:
        raise ParamError(f"Cannot modify param with mode [{final.mode}] for parameter [{name}]")
    if previous is not None and previous.mode is not None:
        if strictness(final.mode) < strictness(previous.mode):
            raise ParamError(
                f"Cannot modify param mode to be less strict for parameter [{name}] "
                f"from [{previous.mode}] to [{final.mode}]"
            )
    # A RESERVED param needs no check of its own: its mode is CONSTANT, which no user
    # stage may change.
    if _internal_mode(target) is not None:
        raise ParamError(f"Cannot modify system mode for parameter [{name}]")


def _upstream_system(target: ParamDefinition, layer: Layer) -> bool:
    source = target.extras.get(SOURCE_KEY)
    return layer.upstream and source is not None and source != ParamSource.DEFINITION.value


def _source(
    name: str,
    target: ParamDefinition,
    previous: ParamDefinition | None,
    layer: Layer,
    changed: bool,
) -> ParamSource:
    given = target.extras.get(SOURCE_KEY)
    earlier = None if previous is None else previous.extras.get(SOURCE_KEY)
    if not layer.source.is_system and not layer.upstream and changed and given is not None:
        raise ParamError(f"Cannot modify source for parameter [{name}]")
    if (
        previous is not None
        and not changed
        and earlier
        and (layer.source.is_system or layer.upstream)
    ):
        return ParamSource(earlier)
    if previous is None and layer.source.is_system and given is not None:
        return ParamSource(given)
    return layer.source


def _tags(previous: ParamDefinition | None, target: ParamDefinition) -> list[Any] | None:
    tags: dict[str, Any] = {}
    for tag in [*((previous.tags or []) if previous else []), *(target.tags or [])]:
        tags.setdefault(tag_name(tag), tag)
    return list(tags.values()) or None


def _key(definition: ParamDefinition) -> tuple[Any, ...]:
    """What makes two definitions different; meta (``source``...) does not count."""
    tags = frozenset(tag_name(tag) for tag in definition.tags or ())
    return (
        definition.type,
        _value_key(definition.value),
        definition.expression,
        definition.mode,
        definition.validator,
        tags,
    )


def _value_key(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(
            (key, _key(item) if isinstance(item, ParamDefinition) else _value_key(item))
            for key, item in value.items()
        )
    if isinstance(value, list):
        return tuple(_value_key(item) for item in value)
    return value


def cleanup(params: Mapping[str, ParamDefinition]) -> dict[str, ParamDefinition]:
    """Drop the OPTIONAL params nobody set, require the others, and remove the
    ``internal_mode`` meta that only the merge needs."""
    result: dict[str, ParamDefinition] = {}
    for name, definition in params.items():
        internal = _internal_mode(definition)
        unset = definition.value is None and definition.expression is None
        if internal is InternalMode.OPTIONAL and (unset or definition.value == {}):
            continue
        if unset:
            raise ParamError(f"[{name}] is a required parameter (type=[{definition.type}])")
        value = definition.value
        if definition.type is ParamType.MAP and isinstance(value, dict):
            value = cleanup(value)
        meta = {k: v for k, v in definition.extras.items() if k != INTERNAL_MODE_KEY}
        fields = {
            key: getattr(definition, key) for key in ("expression", "mode", "tags", "validator")
        }
        result[name] = _build(definition.type, value, fields, meta, name=name)
    return result
