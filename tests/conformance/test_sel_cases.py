"""SEL conformance: every case of the shared corpus, and every hostile probe."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from maestoso.clock import FakeClock
from maestoso.sel import Limits, Result, SelError, evaluate
from maestoso.sel.maestro import evaluate_param_expression, to_param_type

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("MAESTOSO_SHARED_DIR", ROOT.parent / "shared"))
SEL_DIR = SHARED / "sel"
PROBE_TIMEOUT_MS = 5000


def _load(name: str) -> list[dict[str, Any]]:
    path = SEL_DIR / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; set MAESTOSO_SHARED_DIR")
        return []
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return cases


def _params(cases: list[dict[str, Any]]) -> list[Any]:
    if not cases:
        return [pytest.param(None, marks=pytest.mark.skip(reason="shared SEL corpus missing"))]
    return [pytest.param(case, id=case["id"]) for case in cases]


CASES = _load("cases.json")
CLOCK_CASES = _load("cases-clock.json")
PROBES = _load("hostile-probes.json")


def _limits(case: Mapping[str, Any]) -> Limits:
    return Limits.of(case["limits"])


def _run(case: Mapping[str, Any], clock: FakeClock | None = None) -> Result:
    limits = _limits(case)
    if case["layer"] == "maestro":
        result = evaluate_param_expression(case["expr"], case["vars"], limits=limits, clock=clock)
        if case.get("param_type"):
            result = to_param_type(result, case["param_type"], "bar")
        return result
    return evaluate(case["expr"], case["vars"], limits=limits, clock=clock)


def _same(actual: object, expected: object) -> bool:
    if isinstance(expected, str) and expected in ("Infinity", "-Infinity", "NaN"):
        if not isinstance(actual, float):
            return False
        return math.isnan(actual) if expected == "NaN" else actual == float(expected)
    if isinstance(expected, float) or isinstance(actual, float):
        return type(actual) is float and actual == expected
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(map(_same, actual, expected))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(
            _same(actual[k], expected[k]) for k in expected
        )
    return type(actual) is type(expected) and actual == expected


def _check(case: Mapping[str, Any], clock: FakeClock | None = None) -> None:
    expected = case["expect"]
    if case["expect_type"] == "ERROR":
        with pytest.raises(SelError) as caught:
            _run(case, clock)
        error = caught.value
        if expected["error"] is not None:
            assert error.kind == expected["error"], str(error)
        if expected["message_contains"] is not None:
            assert expected["message_contains"] in error.message, str(error)
        return
    result = _run(case, clock)
    assert result.type == case["expect_type"], result
    assert _same(result.value, expected), f"{result.value!r} != {expected!r}"


@pytest.mark.parametrize("case", _params(CASES))
def test_case(case: dict[str, Any]) -> None:
    _check(case)


@pytest.mark.parametrize("case", _params(CLOCK_CASES))
def test_clock_case(case: dict[str, Any]) -> None:
    _check(case, FakeClock(case["now_millis"]))


def _probe_limits(case: Mapping[str, Any]) -> Limits:
    limits = _limits(case)
    return Limits(
        stack=limits.stack,
        loop=limits.loop,
        array=limits.array,
        length=limits.length,
        visit=limits.visit,
        memory=limits.memory,
        timeout_ms=PROBE_TIMEOUT_MS,
    )


@pytest.mark.parametrize("case", _params(PROBES))
def test_hostile_probe_is_rejected(case: dict[str, Any]) -> None:
    started = time.monotonic()
    with pytest.raises(SelError):
        evaluate(case["expr"], case["vars"], limits=_probe_limits(case))
    assert time.monotonic() - started < PROBE_TIMEOUT_MS / 1000


def test_all_probes_leave_the_evaluator_healthy() -> None:
    if not PROBES:
        pytest.skip("shared SEL corpus missing")
    for case in PROBES:
        with pytest.raises(SelError):
            evaluate(case["expr"], case["vars"], limits=_probe_limits(case))
    assert evaluate("String.valueOf(Long.valueOf('41') + 1);").value == "42"
    assert evaluate("x = new Map(); x.put('k', 1); return x;").value == {"k": 1}
