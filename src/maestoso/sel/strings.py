"""STRING methods (Java ``String`` semantics) and ``String.format``/``join``/``escape``."""

from __future__ import annotations

from collections.abc import Callable

from maestoso.sel import regex
from maestoso.sel.dispatch import failed, java_int, java_string, need, no_method, register
from maestoso.sel.errors import ILLEGAL_STATE, TIMEOUT, SelError, class_cast, illegal_argument
from maestoso.sel.javafmt import FormatArg, java_format
from maestoso.sel.state import State
from maestoso.sel.values import (
    STRING,
    STRING_ARRAY,
    ArrayV,
    BoolV,
    DoubleV,
    LongV,
    NullV,
    StringV,
    Value,
    int_value,
)

_ESCAPES: tuple[tuple[str, str], ...] = (
    ("\\", "\\\\"),
    ("\t", "\\t"),
    ("\b", "\\b"),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\f", "\\f"),
    ('"', '\\"'),
)
TextMethod = Callable[[State, str, list[Value]], Value]


def new_string(st: State, text: str) -> StringV:
    st.charge(32 + 2 * len(text))
    return StringV(text)


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _self(recv: Value, name: str, args: list[Value]) -> str:
    assert isinstance(recv, StringV)
    if recv.v is None:
        raise failed(name, args)
    return recv.v


def _string_method(name: str, arity: int) -> Callable[[TextMethod], TextMethod]:
    """Register ``name`` with a fixed arity; the body gets the receiver's text."""

    def wrap(fn: TextMethod) -> TextMethod:
        def method(st: State, recv: Value, args: list[Value]) -> Value:
            need(args, arity, recv, name)
            text = _self(recv, name, args)
            return fn(st, text, args)

        register(STRING, name)(method)
        return fn

    return wrap


@_string_method("length", 0)
def _length(st: State, text: str, args: list[Value]) -> Value:
    return LongV(utf16_len(text))


@_string_method("isEmpty", 0)
def _is_empty(st: State, text: str, args: list[Value]) -> Value:
    return BoolV(not text)


@_string_method("trim", 0)
def _trim(st: State, text: str, args: list[Value]) -> Value:
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return new_string(st, text[start:end])


@_string_method("toUpperCase", 0)
def _upper(st: State, text: str, args: list[Value]) -> Value:
    return new_string(st, text.upper())


@_string_method("toLowerCase", 0)
def _lower(st: State, text: str, args: list[Value]) -> Value:
    return new_string(st, text.lower())


def _arg_str(args: list[Value], index: int, name: str) -> str:
    return java_string(args[index], name, args)


for _name in ("contains", "startsWith", "endsWith", "lastIndexOf"):

    def _make(name: str) -> None:
        @_string_method(name, 1)
        def method(st: State, text: str, args: list[Value]) -> Value:
            other = _arg_str(args, 0, name)
            if name == "contains":
                return BoolV(other in text)
            if name == "startsWith":
                return BoolV(text.startswith(other))
            if name == "endsWith":
                return BoolV(text.endswith(other))
            return LongV(text.rfind(other))

    _make(_name)


@_string_method("equals", 1)
def _equals(st: State, text: str, args: list[Value]) -> Value:
    other = args[0]
    return BoolV(isinstance(other, StringV) and other.v == text)


def _units(text: str) -> list[int]:
    data = text.encode("utf-16-le", "surrogatepass")
    return [data[i] | data[i + 1] << 8 for i in range(0, len(data), 2)]


@_string_method("compareTo", 1)
def _compare_to(st: State, text: str, args: list[Value]) -> Value:
    mine, theirs = _units(text), _units(_arg_str(args, 0, "compareTo"))
    for a, b in zip(mine, theirs, strict=False):
        if a != b:
            return LongV(a - b)
    return LongV(len(mine) - len(theirs))


def _substring(st: State, recv: Value, args: list[Value]) -> Value:
    if len(args) not in (1, 2):
        raise no_method(recv, "substring", args)
    text = _self(recv, "substring", args)
    begin = java_int(args[0], "substring", args)
    end = java_int(args[1], "substring", args) if len(args) == 2 else len(text)
    if begin < 0 or end > len(text) or begin > end:
        raise failed("substring", args)
    return new_string(st, text[begin:end])


register(STRING, "substring")(_substring)


def _replace(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 2, recv, "replace")
    text = _self(recv, "replace", args)
    target, repl = _arg_str(args, 0, "replace"), _arg_str(args, 1, "replace")
    count = len(text) + 1 if target == "" else text.count(target)
    # Charge before building, so that a huge result is refused rather than allocated.
    st.charge(32 + 2 * (len(text) + count * (len(repl) - len(target))))
    if target == "":
        return StringV(repl + repl.join(text) + repl if text else repl)
    return StringV(text.replace(target, repl))


register(STRING, "replace")(_replace)


def _replace_all(st: State, recv: Value, args: list[Value]) -> Value:
    need(args, 2, recv, "replaceAll")
    text = _self(recv, "replaceAll", args)
    pattern, repl = _arg_str(args, 0, "replaceAll"), _arg_str(args, 1, "replaceAll")
    try:
        return new_string(st, regex.replace_all(st, pattern, text, repl))
    except SelError as error:
        raise _wrapped(error, "replaceAll", args) from None


register(STRING, "replaceAll")(_replace_all)


def _wrapped(error: SelError, name: str, args: list[Value]) -> SelError:
    # Java wraps every failure of a String method, except the evaluation limits.
    if error.kind in (ILLEGAL_STATE, TIMEOUT):
        return error
    wrapped = failed(name, args)
    assert isinstance(wrapped, SelError)
    wrapped.message = f"{wrapped.message}: {error.message}"
    return wrapped


def _split(st: State, recv: Value, args: list[Value]) -> Value:
    if len(args) not in (1, 2):
        raise no_method(recv, "split", args)
    text = _self(recv, "split", args)
    pattern = _arg_str(args, 0, "split")
    limit = java_int(args[1], "split", args) if len(args) == 2 else 0
    try:
        parts = regex.split(st, pattern, text, limit)
    except SelError as error:
        raise _wrapped(error, "split", args) from None
    st.check_array_size(len(parts))
    st.charge_array(len(parts))
    return ArrayV(STRING_ARRAY, [new_string(st, part) for part in parts])


register(STRING, "split")(_split)


def _format_arg(value: Value) -> FormatArg:
    if isinstance(value, LongV):
        return int_value(value.v) if value.v <= (1 << 31) - 1 else value.v
    if isinstance(value, DoubleV | BoolV | StringV):
        return value.v
    if isinstance(value, NullV):
        return None
    return value.java_str()


def _format(st: State, recv: Value, args: list[Value]) -> Value:
    if not args:
        raise illegal_argument("Invalid empty input args for String.format method")
    fmt = _arg_str(args, 0, "format")
    rest = args[1:]
    if len(rest) == 1 and isinstance(rest[0], ArrayV):
        values: list[FormatArg] = [rest[0].java_str()]  # the array is a single argument
    else:
        values = [_format_arg(arg) for arg in rest]
    return new_string(st, java_format(fmt, values))


register(STRING, "format")(_format)


def _join_part(value: Value) -> str:
    if not isinstance(value, StringV):
        raise class_cast(f"{value.T} cannot be cast to class java.lang.CharSequence")
    return value.java_str()


def _join(st: State, recv: Value, args: list[Value]) -> Value:
    if not args:
        raise no_method(recv, "join", args)
    sep = _join_part(args[0])
    rest = args[1:]
    if len(rest) == 1 and isinstance(rest[0], ArrayV):
        if rest[0].T != STRING_ARRAY:
            raise class_cast(f"{rest[0].T} cannot be cast to class java.lang.String[]")
        rest = rest[0].v
    return new_string(st, sep.join(_join_part(part) for part in rest))


register(STRING, "join")(_join)


def escape_text(text: str) -> str:
    for raw, escaped in _ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _escape(st: State, recv: Value, args: list[Value]) -> Value:
    if len(args) > 1:
        raise illegal_argument(f"Invalid input arguments ({len(args)}) for escape method")
    source = recv if not args else args[0]
    if not isinstance(source, StringV) or source.v is None:
        raise illegal_argument(f"Invalid input argument ({source.to_string()}) for escape")
    return new_string(st, escape_text(source.v))


register(STRING, "escape")(_escape)


def _value_of(st: State, recv: Value, args: list[Value]) -> Value:
    assert isinstance(recv, StringV)
    if recv.v is not None:
        raise illegal_argument("String.valueOf must be called on the String class")
    need(args, 1, recv, "valueOf")
    return new_string(st, args[0].java_str())


register(STRING, "valueOf")(_value_of)
