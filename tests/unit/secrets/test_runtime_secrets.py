"""``WithSecrets``: a runtime sees the values, the engine gets back masked results."""

from __future__ import annotations

from typing import Any

from maestoso.runtimes.base import State, StepContext, StepResult
from maestoso.runtimes.with_secrets import WithSecrets
from maestoso.secrets import MASK, ChainedSecrets, EnvironmentSecrets

SECRETS = ChainedSecrets(
    [EnvironmentSecrets("MAESTOSO_SECRET_", {"MAESTOSO_SECRET_PW": "hunter2"})]
)


class Context:
    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.artifacts: dict[str, Any] = {}


class Echo:
    default_poll_seconds = 1.0

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[dict[str, Any]] = []
        self.fail = fail

    async def start(self, context: StepContext) -> StepResult:
        self.seen.append(context.params)
        if self.fail:
            raise OSError(f"cannot run {context.params['command']}")
        return StepResult(
            state=State.DONE,
            timeline=[f"ran {context.params['command']}"],
            artifacts={"x": {"data": {"command": context.params["command"]}}},
            output_params={"out": {"value": "hunter2", "type": "STRING"}},
        )

    async def execute(self, context: StepContext) -> StepResult:
        return StepResult(state=State.DONE)

    async def terminate(self, context: StepContext) -> StepResult:
        return StepResult(state=State.STOPPED)


async def test_the_runtime_gets_values_and_the_engine_masks() -> None:
    inner = Echo()
    context: Any = Context({"command": "login ${secret:pw}"})
    result = await WithSecrets(inner, SECRETS).start(context)
    assert inner.seen == [{"command": "login hunter2"}]
    assert context.params == {"command": "login ${secret:pw}"}
    assert result.timeline == [f"ran login {MASK}"]
    assert result.artifacts == {"x": {"data": {"command": f"login {MASK}"}}}
    assert result.output_params["out"]["value"] == MASK


async def test_a_missing_secret_fails_the_step_for_good() -> None:
    context: Any = Context({"command": "login ${secret:nope}"})
    result = await WithSecrets(Echo(), SECRETS).start(context)
    assert result.state is State.FATAL_ERROR
    assert "[nope]" in result.timeline[0]


async def test_an_error_naming_a_value_is_masked() -> None:
    context: Any = Context({"command": "login ${secret:pw}"})
    result = await WithSecrets(Echo(fail=True), SECRETS).start(context)
    assert result.state is State.PLATFORM_ERROR
    assert "hunter2" not in result.timeline[0] and MASK in result.timeline[0]


async def test_params_without_references_pass_through() -> None:
    inner = Echo()
    context: Any = Context({"command": "echo hi"})
    result = await WithSecrets(inner, SECRETS).start(context)
    assert result.timeline == ["ran echo hi"]
