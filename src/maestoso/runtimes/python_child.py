"""What a Python step's child process runs: call the function, write down how it ended.

This text is handed to the step's interpreter with ``-c``, which may be another Python than
the server's, without Maestoso installed: it uses the standard library only, and knows
``NonRetryableError`` by its name. ``-c`` also keeps the working directory first on
``sys.path``, so the step's own modules are found there.

Arguments: the call file (``{"entrypoint": "package.module:function", "kwargs": {...}}``)
and the result file, written when the call ends: ``{"returned": {...}}`` or
``{"error": "...", "retryable": bool}``. A failure also prints its traceback on stderr and
exits 1.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
import traceback
from typing import Any


def _write(path: str, result: dict[str, Any]) -> None:
    with open(path + ".tmp", "w", encoding="utf-8") as out:
        json.dump(result, out)
    os.replace(path + ".tmp", path)


def _function(entrypoint: str) -> Any:
    module_name, _, attribute = entrypoint.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    if not callable(target):
        raise TypeError(f"[{entrypoint}] is a {type(target).__name__}, not a function")
    return target


def _call(function: Any, kwargs: dict[str, Any]) -> Any:
    result = function(**kwargs)
    if inspect.iscoroutine(result):
        import asyncio

        result = asyncio.run(result)
    return result


def _returned(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if not isinstance(result, dict) or not all(isinstance(key, str) for key in result):
        raise TypeError(
            f"the function returned {type(result).__name__}; a Python step's function "
            "returns a dict of output params (str keys) or None"
        )
    json.dumps(result, allow_nan=False)  # what cannot be a param value fails here, named
    return result


def _failed(result_file: str, exc: BaseException, retryable: bool) -> int:
    traceback.print_exc()
    names = {cls.__name__ for cls in type(exc).__mro__}
    error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    retryable = retryable and "NonRetryableError" not in names
    _write(result_file, {"error": error, "retryable": retryable})
    return 1


def main(call_file: str, result_file: str) -> int:
    with open(call_file, encoding="utf-8") as call_json:
        call = json.load(call_json)
    os.remove(call_file)  # it holds the step's params, secrets revealed: no longer than needed
    # A missing function or a wrong return is the definition's fault: no retry mends it.
    try:
        function = _function(call["entrypoint"])
    except BaseException as exc:
        return _failed(result_file, exc, retryable=False)
    try:
        result = _call(function, call["kwargs"])
    except BaseException as exc:
        return _failed(result_file, exc, retryable=True)
    try:
        returned = _returned(result)
    except BaseException as exc:
        return _failed(result_file, exc, retryable=False)
    _write(result_file, {"returned": returned})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
