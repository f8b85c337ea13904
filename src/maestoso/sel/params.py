"""``params``: the read-only view of the inputs, and Maestro's ``params.*`` helpers.

``params.get``/``containsKey``/``params['k']`` read the evaluation's variables. The other
helpers (``getFromStep``, ``getFromSignal``...) ask a :class:`ParamsResolver`, which the
workflow engine provides; without one they are unsupported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from maestoso.sel.convert import box
from maestoso.sel.dispatch import FALLBACK_FIELDS, FALLBACK_METHODS, args_text, need, register
from maestoso.sel.errors import SelError, class_cast, unsupported
from maestoso.sel.resolver import ParamsResolver
from maestoso.sel.state import State
from maestoso.sel.values import NULL, BoolV, StringV, Value

PRESET_PARAMS = "PRESET_PARAMS"


def _missing(what: str) -> SelError:
    return SelError(f"{what} is not found", kind="MaestroValidationException")


@dataclass
class MappingParamsResolver:
    """A resolver over plain data, for tests, the CLI and dry runs.

    ``steps`` maps step id -> param name -> value; ``step`` holds the current step's
    fields; ``signals`` maps signal name -> param -> value, and ``signal_params`` the
    triggering signal's own params.
    """

    steps: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    step: Mapping[str, object] = field(default_factory=dict)
    instance: Mapping[str, object] = field(default_factory=dict)
    signals: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    signal_params: Mapping[str, object] = field(default_factory=dict)
    signal_dependencies: list[Mapping[str, object]] = field(default_factory=list)
    foreach: Mapping[str, Mapping[str, Mapping[str, list[object]]]] = field(default_factory=dict)
    subworkflows: Mapping[str, Mapping[str, Mapping[str, object]]] = field(default_factory=dict)
    environment: str = "test"
    next_id: int = 1

    def get_from_step(self, step_id: str, param: str) -> object:
        if param not in self.steps.get(step_id, {}):
            raise _missing(f"Param [{param}] of step [{step_id}]")
        return self.steps[step_id][param]

    def get_step_field(self, field: str) -> object:
        if field not in self.step:
            raise _missing(f"Step field [{field}]")
        return self.step[field]

    def get_from_instance(self, field: str) -> object:
        if field not in self.instance:
            raise _missing(f"Instance field [{field}]")
        value = self.instance[field]
        return "" if value is None else value

    def get_from_signal(self, signal: str | None, param: str) -> object:
        source = self.signal_params if signal is None else self.signals.get(signal, {})
        if param not in source:
            raise _missing(f"Param [{param}] of signal [{signal}]")
        return source[param]

    def get_from_signal_dependency(self, index: str, param: str) -> object:
        position = int(index)
        if not 0 <= position < len(self.signal_dependencies):
            raise _missing(f"Signal dependency [{index}]")
        dependency = self.signal_dependencies[position]
        if param not in dependency:
            raise _missing(f"Param [{param}] of signal dependency [{index}]")
        return dependency[param]

    def get_from_foreach(self, foreach_step_id: str, step_id: str, param: str) -> object:
        try:
            return list(self.foreach[foreach_step_id][step_id][param])
        except KeyError:
            raise _missing(f"Param [{param}] of step [{step_id}] in [{foreach_step_id}]") from None

    def get_from_subworkflow(self, subworkflow_step_id: str, step_id: str, param: str) -> object:
        try:
            return self.subworkflows[subworkflow_step_id][step_id][param]
        except KeyError:
            where = f"[{step_id}] in [{subworkflow_step_id}]"
            raise _missing(f"Param [{param}] of step {where}") from None

    def next_unique_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def get_execution_environment(self) -> str:
        return self.environment


class ParamsV(Value):
    """The ``params`` object of one evaluation."""

    __slots__ = ("inputs", "resolver")
    T = PRESET_PARAMS
    frozen = True

    def __init__(self, inputs: Mapping[str, object], resolver: ParamsResolver | None) -> None:
        self.inputs = inputs
        self.resolver = resolver

    def java_str(self) -> str:
        return "{" + ", ".join(f"{k}={box(v).to_string()}" for k, v in self.inputs.items()) + "}"

    def field(self, name: str) -> Value:
        """A fresh copy of an input (so that changing it never changes the input)."""
        return box(self.inputs[name]) if name in self.inputs else NULL


def _key(value: Value) -> str:
    if not isinstance(value, StringV) or value.v is None:
        raise class_cast(f"{value.T} cannot be cast to class SelString")
    return value.v


def _get(st: State, recv: Value, args: list[Value]) -> Value:
    if len(args) != 1:
        return _extension(st, recv, "get", args)
    assert isinstance(recv, ParamsV)
    return recv.field(_key(args[0]))


def _contains_key(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "containsKey")
    assert isinstance(recv, ParamsV)
    return BoolV(_key(args[0]) in recv.inputs)


_HELPERS: dict[tuple[str, int], str] = {
    ("getFromStep", 2): "get_from_step",
    ("getFromStep", 1): "get_step_field",
    ("getFromInstance", 1): "get_from_instance",
    ("getFromSignal", 1): "get_from_signal",
    ("getFromSignal", 2): "get_from_signal",
    ("getFromSignalOrDefault", 3): "get_from_signal",
    ("getFromSignalDependency", 2): "get_from_signal_dependency",
    ("getFromForeach", 3): "get_from_foreach",
    ("getFromSubworkflow", 3): "get_from_subworkflow",
    ("nextUniqueId", 0): "next_unique_id",
    ("getExecutionEnvironment", 0): "get_execution_environment",
}
PARAMS_HELPERS = frozenset(name for name, _ in _HELPERS)


def _resolve(resolver: ParamsResolver, method: str, texts: list[str]) -> object:
    # An explicit table: the expression's method name never reaches getattr.
    if method == "getFromStep":
        if len(texts) == 1:
            return resolver.get_step_field(texts[0])
        return resolver.get_from_step(texts[0], texts[1])
    if method == "getFromInstance":
        return resolver.get_from_instance(texts[0])
    if method in ("getFromSignal", "getFromSignalOrDefault"):
        signal, param = (None, texts[0]) if len(texts) == 1 else (texts[0], texts[1])
        return resolver.get_from_signal(signal, param)
    if method == "getFromSignalDependency":
        return resolver.get_from_signal_dependency(texts[0], texts[1])
    if method == "getFromForeach":
        return resolver.get_from_foreach(texts[0], texts[1], texts[2])
    if method == "getFromSubworkflow":
        return resolver.get_from_subworkflow(texts[0], texts[1], texts[2])
    if method == "nextUniqueId":
        return resolver.next_unique_id()
    return resolver.get_execution_environment()


def _extension(st: State, recv: Value, method: str, args: list[Value]) -> Value:
    assert isinstance(recv, ParamsV)
    resolver = recv.resolver
    if resolver is None or (method, len(args)) not in _HELPERS:
        raise unsupported(
            f"{PRESET_PARAMS} DO NOT support calling method: {method} with args: {args_text(args)}"
        )
    texts = [arg.v for arg in args if isinstance(arg, StringV) and arg.v is not None]
    if len(texts) != len(args):
        raise unsupported(
            f"ParamExtension DO NOT support calling method: {method} with args: {args_text(args)}"
        )
    try:
        return box(_resolve(resolver, method, texts))
    except Exception as error:
        if method == "getFromSignalOrDefault":
            return StringV(texts[2])
        if isinstance(error, SelError):
            raise
        raise SelError(
            f"{method} throws an exception: {error}", kind="MaestroInternalError"
        ) from error


register(PRESET_PARAMS, "get")(_get)
register(PRESET_PARAMS, "containsKey")(_contains_key)
FALLBACK_METHODS[PRESET_PARAMS] = _extension


def _field(st: State, recv: Value, name: str) -> Value:
    assert isinstance(recv, ParamsV)
    return recv.field(name)


FALLBACK_FIELDS[PRESET_PARAMS] = _field
