"""``Python``: call a function in a child process; what it returns becomes output params.

Params: ``entrypoint`` (``package.module:function``, required), ``working_dir`` (default:
the attempt's log directory; first on the child's ``sys.path``), ``env`` (STRING_MAP) and
``interpreter`` (default: the server's own Python). Every other param of the step (less the
four Maestro injects into every step) is a keyword argument, as its type evaluates it.

The child is launched and watched as a Shell step's process is (process group, logs in
``stdout.log``/``stderr.log``, launch once, stop and kill, re-attach after a crash). A
returned dict's entries become output params, typed as declared by the step or else as the
YAML DSL infers a literal's type; an exception fails the attempt (retried per the retry
policy) with its traceback in ``stderr.log``, and ``NonRetryableError`` fails it for good.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from maestoso.dsl.validation import param_name_problem
from maestoso.dsl.yaml_params import ParamValueError, implied_type
from maestoso.params import ParamError, Parameter
from maestoso.params.defaults import step_defaults
from maestoso.runtimes import inputs, python_child
from maestoso.runtimes.base import State, StepContext, StepResult
from maestoso.runtimes.outputs import MAX_OUTPUT_BYTES, RETRY_ARTIFACT, Outputs, finish
from maestoso.runtimes.process import Handle
from maestoso.runtimes.shell import ARTIFACT, ShellRuntime, directories

CALL_FILE = "python_call.json"
RESULT_FILE = "python_result.json"
OWN_PARAMS = frozenset({"entrypoint", "working_dir", "env", "interpreter"})
_ENTRYPOINT = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*")
_CHILD_SOURCE = Path(python_child.__file__).read_text(encoding="utf-8")


class PythonRuntime(ShellRuntime):
    async def start(self, context: StepContext) -> StepResult:
        try:
            entrypoint = _entrypoint(context.params)
            env = inputs.string_map(context.params, "env")
            interpreter = inputs.optional_string(context.params, "interpreter") or sys.executable
            log_dir, cwd = directories(context)
        except inputs.InvalidParam as exc:
            return inputs.fatal(str(exc))
        call = {"entrypoint": entrypoint, "kwargs": keyword_arguments(context.params)}
        await asyncio.to_thread(_write_private, log_dir / CALL_FILE, json.dumps(call))
        argv = [
            interpreter,
            "-c",
            _CHILD_SOURCE,
            str(log_dir / CALL_FILE),
            str(log_dir / RESULT_FILE),
        ]
        return await self.launch(
            context, argv, env=env, cwd=cwd, log_dir=log_dir, extra={"entrypoint": entrypoint}
        )

    async def finished(
        self, context: StepContext, data: dict[str, Any], handle: Handle, code: int
    ) -> StepResult:
        result = await asyncio.to_thread(_read_result, Path(handle.log_dir) / RESULT_FILE)
        timeline = [f"the process exited with code {code}"]
        if code == 0 and "returned" in result:
            outputs = typed_outputs(result["returned"], context.step_params, context.now_ms())
        else:
            timeline.append(str(result.get("error") or "the function did not return"))
            retryable = result.get("retryable", True) is not False
            outputs = Outputs(artifacts={} if retryable else {RETRY_ARTIFACT: {"retryable": False}})
        artifact = {"type": "DEFAULT", "data": {**data, "exit_code": code}}
        state = State.DONE if code == 0 and "returned" in result else State.USER_ERROR
        return finish(state, outputs, artifacts={ARTIFACT: artifact}, timeline=timeline)


def keyword_arguments(params: Mapping[str, Any]) -> dict[str, Any]:
    """The step's params that the function gets."""
    skipped = OWN_PARAMS | step_defaults().keys()
    return {name: value for name, value in params.items() if name not in skipped}


def typed_outputs(returned: Any, declared: Mapping[str, Mapping[str, Any]], now_ms: int) -> Outputs:
    """The output params of a returned dict: a declared param keeps its type."""
    if not isinstance(returned, dict):
        return Outputs(error="the function's result is not a dict", fatal=True)
    params: dict[str, dict[str, Any]] = {}
    injected = step_defaults().keys()
    for name, value in returned.items():
        problem = param_name_problem(name) or (
            f"[{name}] is set by the engine" if name in injected else None
        )
        if problem is not None:
            return Outputs(error=f"Invalid output parameter [{name}]: {problem}", fatal=True)
        try:
            body = _definition(value, declared.get(name, {}).get("type"))
            body.update(evaluated_result=value, evaluated_time=now_ms, source="OUTPUT_PARAMETER")
            param = Parameter.from_json(name, body).to_json()
            if param["type"] != "MAP":  # the result as its declared type has it ("42", not 42)
                param["evaluated_result"] = param["value"]
            params[name] = param
        except (ParamError, ParamValueError) as exc:
            return Outputs(error=f"Invalid output parameter [{name}]: {exc}", fatal=True)
    return Outputs(params=params)


def _definition(value: Any, declared: str | None) -> dict[str, Any]:
    param_type = declared or implied_type(value) or "STRING_ARRAY"
    if param_type == "MAP" and isinstance(value, dict):
        # A MAP holds params: each entry gets its own type.
        return {"value": {k: _definition(v, None) for k, v in value.items()}, "type": "MAP"}
    return {"value": value, "type": param_type}


def _entrypoint(params: Mapping[str, Any]) -> str:
    entrypoint = inputs.optional_string(params, "entrypoint")
    if not entrypoint or _ENTRYPOINT.fullmatch(entrypoint) is None:
        raise inputs.InvalidParam(
            f"param [entrypoint] is required: package.module:function, not [{entrypoint}]"
        )
    return entrypoint


def _write_private(path: Path, text: str) -> None:
    """The call holds the step's params, secrets revealed: for the step's user only."""
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(temporary, path)


def _read_result(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_OUTPUT_BYTES:
            return {"error": f"the function returned more than {MAX_OUTPUT_BYTES} bytes"}
        result = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"error": "the process ended before the function did (killed?)"}
    except ValueError as exc:
        return {"error": f"unreadable result: {exc}"}
    return result if isinstance(result, dict) else {"error": "unreadable result"}
