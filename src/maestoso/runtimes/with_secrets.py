"""Secrets for the step types that run something (Shell, Kubernetes, Notebook, Http).

``WithSecrets`` wraps a runtime: each call gets a context whose ``params`` have their
``${secret:NAME}`` references replaced by the values, and what the call returns (timeline,
artifacts, output params) has those values masked before the engine stores it. The engine's
own params (evaluated, stored, shown by the API) keep the references.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maestoso.clock import Clock
from maestoso.runtimes.base import (
    Children,
    RuntimeWrapper,
    State,
    StepContext,
    StepResult,
    StepRuntime,
)
from maestoso.secrets import ChainedSecrets, Masker, MissingSecretError, referenced_secrets, reveal

if TYPE_CHECKING:
    from maestoso.models import Step


class WithSecrets(RuntimeWrapper):
    def __init__(self, inner: StepRuntime, secrets: ChainedSecrets) -> None:
        super().__init__(inner)
        self.secrets = secrets

    async def _call(
        self, call: Callable[[StepContext], Awaitable[StepResult]], context: StepContext
    ) -> StepResult:
        names = referenced_secrets(context.params)
        if not names:
            return await call(context)
        try:
            values = {name: self.secrets.require(name) for name in names}
        except MissingSecretError as exc:
            return StepResult(state=State.FATAL_ERROR, timeline=[exc.message])
        masker = Masker(values.values())
        params = reveal(context.params, values.__getitem__)
        try:
            result = await call(RevealedContext(context, params))
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            if masker.text(message) == message:
                raise
            return StepResult(state=State.PLATFORM_ERROR, timeline=[masker.text(message)])
        return masked(result, masker)


def masked(result: StepResult, masker: Masker) -> StepResult:
    return StepResult(
        state=result.state,
        artifacts=masker.value(result.artifacts),
        timeline=[masker.text(line) for line in result.timeline],
        next_poll_seconds=result.next_poll_seconds,
        output_params=masker.value(result.output_params),
    )


class RevealedContext:
    """The engine's context with the secrets of ``params`` revealed."""

    def __init__(self, context: StepContext, params: dict[str, Any]) -> None:
        self._context = context
        self._params = params

    @property
    def params(self) -> dict[str, Any]:
        return self._params

    @property
    def workflow_id(self) -> str:
        return self._context.workflow_id

    @property
    def instance_id(self) -> int:
        return self._context.instance_id

    @property
    def run_id(self) -> int:
        return self._context.run_id

    @property
    def step_id(self) -> str:
        return self._context.step_id

    @property
    def attempt_id(self) -> int:
        return self._context.attempt_id

    @property
    def step_uuid(self) -> str:
        return self._context.step_uuid

    @property
    def log_dir(self) -> Path:
        return self._context.log_dir

    @property
    def artifacts(self) -> dict[str, Any]:
        return self._context.artifacts

    def now_ms(self) -> int:
        return self._context.now_ms()

    @property
    def clock(self) -> Clock:
        return self._context.clock

    @property
    def step(self) -> Step:
        return self._context.step

    @property
    def step_params(self) -> dict[str, dict[str, Any]]:
        return self._context.step_params

    @property
    def workflow_params(self) -> dict[str, dict[str, Any]]:
        return self._context.workflow_params

    @property
    def children(self) -> Children:
        return self._context.children
