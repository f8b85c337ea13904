"""Maestro's output tokens: how a job hands back output params and artifacts through its logs.

A job finds two markers in its environment (``MAESTRO_OUTPUT_START`` and
``MAESTRO_OUTPUT_END``) and prints ``$MAESTRO_OUTPUT_START{json}$MAESTRO_OUTPUT_END``, the JSON
being ``{"params": {name: param}, "artifacts": {key: artifact}}``. The last complete block in
the output wins. Logs can be large, so they are scanned in chunks and only a block (capped)
is ever held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maestoso.models.steps import StepType
from maestoso.params import ParamError, Parameter
from maestoso.runtimes.base import State, StepResult

START_ENV = "MAESTRO_OUTPUT_START"
END_ENV = "MAESTRO_OUTPUT_END"
START_TOKEN = "MAESTRO_OUTPUT_START_TOKEN"
END_TOKEN = "MAESTRO_OUTPUT_END_TOKEN"
MAX_OUTPUT_BYTES = 1024 * 1024
"""The largest block kept; Maestro caps all params of a step at 750,000 characters."""
RETRY_ARTIFACT = "maestro_retry"
WITH_OUTPUT_DATA = frozenset(
    {
        StepType.KUBERNETES,
        StepType.SHELL,
        StepType.PYTHON,
        StepType.HTTP,
        StepType.NOTEBOOK,
        StepType.TITUS,
    }
)
"""Step types whose external job may publish output data (``PUT /api/v3/output-data``)."""
_CHUNK = 256 * 1024
_START = START_TOKEN.encode()
_END = END_TOKEN.encode()


def token_env() -> dict[str, str]:
    """The variables a job needs to print an output block."""
    return {START_ENV: START_TOKEN, END_ENV: END_TOKEN}


class OutputScanner:
    """Finds the last complete output block in a stream fed chunk by chunk."""

    def __init__(self, limit: int = MAX_OUTPUT_BYTES) -> None:
        self.limit = limit
        self.block: bytes | None = None
        self.overflowed = False
        self._carry = b""
        self._payload: bytearray | None = None
        self._searched = 0

    def feed(self, chunk: bytes) -> None:
        data = self._carry + chunk
        self._carry = b""
        while data:
            if self._payload is None:
                data = self._seek_start(data)
            else:
                data = self._seek_end(data)

    def _seek_start(self, data: bytes) -> bytes:
        index = data.find(_START)
        if index < 0:
            # Keep what could be the beginning of a token cut by the chunk boundary.
            self._carry = data[-(len(_START) - 1) :]
            return b""
        self._payload, self._searched = bytearray(), 0
        return data[index + len(_START) :]

    def _seek_end(self, data: bytes) -> bytes:
        assert self._payload is not None
        self._payload += data
        index = self._payload.find(_END, max(self._searched - len(_END) + 1, 0))
        if index >= 0:
            block = bytes(self._payload[:index])
            rest = bytes(self._payload[index + len(_END) :])
            # As Maestro takes the last start token before the end token.
            self.block = block.rsplit(_START, 1)[-1]
            self._payload = None
            return rest
        self._searched = len(self._payload)
        if len(self._payload) > self.limit:
            self.overflowed = True
            self._carry = bytes(self._payload[-(len(_START) - 1) :])
            self._payload = None
        return b""


def scan_file(path: Path, limit: int = MAX_OUTPUT_BYTES) -> OutputScanner:
    """The output block of a log file (blocking: call it in a thread)."""
    scanner = OutputScanner(limit)
    if not path.exists():
        return scanner
    with path.open("rb") as log:
        while chunk := log.read(_CHUNK):
            scanner.feed(chunk)
    return scanner


@dataclass(slots=True)
class Outputs:
    """What an output block said, checked."""

    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    artifacts: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    fatal: bool = False
    """Whether the error is one no retry can fix (an undeclared param)."""

    @property
    def non_retryable(self) -> bool:
        retry = self.artifacts.get(RETRY_ARTIFACT)
        return isinstance(retry, Mapping) and retry.get("retryable") is False


def parse_block(block: bytes, defined: Iterable[str], now_ms: int) -> Outputs:
    """Checks an output block: params must be declared by the step (as in Maestro) and be
    valid evaluated params; a param without ``evaluated_result`` takes its ``value``."""
    try:
        data = json.loads(block.decode("utf-8", errors="replace"))
    except ValueError as exc:
        return Outputs(error=f"Invalid output data (not JSON): {exc}")
    if not isinstance(data, dict):
        return Outputs(error="Invalid output data: a JSON object is expected")
    artifacts = data.get("artifacts") or {}
    if not isinstance(artifacts, dict):
        return Outputs(error="Invalid output data: artifacts must be a JSON object")
    params, error = _params(data.get("params") or {}, set(defined), now_ms)
    return Outputs(params=params, artifacts=artifacts, error=error, fatal=error is not None)


def _params(
    raw: Any, defined: set[str], now_ms: int
) -> tuple[dict[str, dict[str, Any]], str | None]:
    if not isinstance(raw, dict):
        return {}, "Invalid output data: params must be a JSON object"
    params: dict[str, dict[str, Any]] = {}
    for name, param in raw.items():
        if name not in defined:
            return {}, f"Invalid output parameter [{name}], not defined in params"
        if not isinstance(param, dict):
            return {}, f"Invalid output parameter [{name}]: a JSON object is expected"
        body = {**param}
        body.setdefault("evaluated_result", body.get("value"))
        body.setdefault("evaluated_time", now_ms)
        body.setdefault("source", "OUTPUT_PARAMETER")
        try:
            params[name] = Parameter.from_json(name, body).to_json()
        except ParamError as exc:
            return {}, f"Invalid output parameter [{name}]: {exc}"
    return params, None


def finish(
    state: State,
    outputs: Outputs,
    *,
    artifacts: Mapping[str, Any],
    timeline: list[str],
) -> StepResult:
    """The final result of a job: its own state, bent by what its outputs said.

    Invalid output data fails the step (Maestro's user error); ``maestro_retry`` with
    ``retryable: false`` makes a failure final, as Maestro escalates it to FATALLY_FAILED.
    Output artifacts never replace the runtime's own.
    """
    merged = {**{k: v for k, v in outputs.artifacts.items() if k not in artifacts}, **artifacts}
    if outputs.error is not None:
        timeline.append(outputs.error)
        failed = State.FATAL_ERROR if outputs.fatal else State.USER_ERROR
        return StepResult(state=failed, artifacts=merged, timeline=timeline)
    if state in (State.USER_ERROR, State.PLATFORM_ERROR) and outputs.non_retryable:
        timeline.append(
            f"Step failed with [{state.value}] and its output data classified it as non-retryable."
        )
        state = State.FATAL_ERROR
    return StepResult(
        state=state, artifacts=merged, timeline=timeline, output_params=outputs.params
    )


def outputs_of(scanner: OutputScanner, defined: Iterable[str], now_ms: int) -> Outputs:
    """The outputs a scan found (none when the job printed no block)."""
    if scanner.block is None or not scanner.block.strip():
        if scanner.overflowed:
            return Outputs(error=f"Output data is larger than {scanner.limit} bytes")
        return Outputs()
    return parse_block(scanner.block, defined, now_ms)


def job_key(
    kind: StepType | str, step_uuid: str, artifacts: Mapping[str, Any]
) -> tuple[str, str] | None:
    """The (type, id) under which a step's external job publishes output data, if it can."""
    if not isinstance(kind, StepType) or kind not in WITH_OUTPUT_DATA:
        return None
    kubernetes = artifacts.get("maestro_kubernetes") or {}
    if kubernetes.get("job_id"):
        return "KUBERNETES", str(kubernetes["job_id"])
    return kind.name, step_uuid
