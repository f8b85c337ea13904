"""MAP methods and array fields."""

from __future__ import annotations

from maestoso.sel.classes import CONSTRUCTORS
from maestoso.sel.dispatch import FIELDS, need, register
from maestoso.sel.errors import NULL_POINTER, SelError, class_cast, illegal_argument
from maestoso.sel.state import State
from maestoso.sel.values import (
    ARRAY_TYPES,
    MAP,
    NULL,
    ArrayV,
    BoolV,
    LongV,
    MapV,
    StringV,
    Value,
)


def _new_map(st: State, args: list[Value]) -> Value:
    if args:
        raise illegal_argument("Invalid input arguments for Map constructor")
    return MapV({})


CONSTRUCTORS[MAP] = _new_map


def _key(value: Value) -> str:
    if not isinstance(value, StringV) or value.v is None:
        raise class_cast(f"{value.T} cannot be cast to class SelString")
    return value.v


def _entries(recv: Value) -> dict[str, Value]:
    assert isinstance(recv, MapV)
    if recv.v is None:
        raise SelError("The map is null", kind=NULL_POINTER)
    return recv.v


def _size(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 0, recv, "size")
    assert isinstance(recv, MapV)
    return LongV(0 if recv.v is None else len(recv.v))


def _get(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "get")
    key = _key(args[0])
    return _entries(recv).get(key, NULL)


def _contains_key(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 1, recv, "containsKey")
    key = _key(args[0])
    assert isinstance(recv, MapV)
    return BoolV(recv.v is not None and key in recv.v)


def _put(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 2, recv, "put")
    key = _key(args[0])
    entries = _entries(recv)
    previous = entries.get(key, NULL)
    entries[key] = args[1].thaw()  # stored by reference, as SEL does
    return previous


def _get_or_default(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 2, recv, "getOrDefault")
    key = _key(args[0])
    return _entries(recv).get(key, args[1])


for _name, _fn in (
    ("size", _size),
    ("get", _get),
    ("containsKey", _contains_key),
    ("put", _put),
    ("getOrDefault", _get_or_default),
):
    register(MAP, _name)(_fn)


def _length(st: State, recv: Value) -> Value:
    assert isinstance(recv, ArrayV)
    return LongV(len(recv.v))


for _kind in ARRAY_TYPES:
    FIELDS.setdefault(_kind, {})["length"] = _length
