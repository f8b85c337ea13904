"""``Notebook``: execute a Jupyter notebook with papermill, passing it the step's params.

Param ``notebook`` (MAP): ``input_path`` (a local path or an http(s) URL; required),
``init_command`` (shell run first, Kubernetes only), ``papermill_arguments``
(STRING_ARRAY), ``output_path``. Every other param of the step reaches the notebook as a
papermill parameter. The executed notebook is kept (``output.ipynb`` in the attempt's log
directory unless ``output_path`` says otherwise) and named in the ``maestro_notebook``
artifact.

Without a ``kubernetes`` param the notebook runs here, as a child process managed exactly
like a Shell step (stop, crash re-attach, output tokens). With one, it runs as a Kubernetes
Job of that image, as Maestro runs every notebook.
"""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maestoso.runtimes import inputs
from maestoso.runtimes.base import StepContext, StepResult, StepRuntime
from maestoso.runtimes.shell import ShellRuntime

ARTIFACT = "maestro_notebook"
_OWN = frozenset({"notebook", "kubernetes"})
_INJECTED = frozenset({"workflow_instance_id", "step_instance_uuid", "step_attempt_id", "step_id"})


@dataclass(frozen=True, slots=True)
class _Job:
    input_path: str
    output_path: str
    init_command: str
    arguments: list[str]
    parameters: dict[str, Any]

    def argv(self, python: str) -> list[str]:
        return [
            python,
            "-m",
            "papermill",
            self.input_path,
            self.output_path,
            "-y",
            json.dumps(self.parameters),
            *self.arguments,
        ]

    def shell(self) -> str:
        command = " ".join(shlex.quote(part) for part in self.argv("python3"))
        return f"{self.init_command} {command}".strip()


class _WithParams:
    """The step's context with other params (the Kubernetes job this notebook becomes)."""

    def __init__(self, context: StepContext, params: dict[str, Any]) -> None:
        self._context = context
        self.params = params

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class NotebookRuntime:
    default_poll_seconds = 1.0

    def __init__(self, shell: ShellRuntime, kubernetes: StepRuntime | None = None) -> None:
        self._shell = shell
        self._kubernetes = kubernetes

    async def start(self, context: StepContext) -> StepResult:
        try:
            job = _job(context)
        except inputs.InvalidParam as exc:
            return inputs.fatal(str(exc))
        artifact = {
            ARTIFACT: {
                "type": "NOTEBOOK",
                "input_path": job.input_path,
                "output_path": job.output_path,
            }
        }
        if self._on_kubernetes(context):
            assert self._kubernetes is not None
            result = await self._kubernetes.start(self._job_context(context, job))
        else:
            if importlib.util.find_spec("papermill") is None:
                return inputs.fatal(
                    "papermill is not installed on this server: pip install 'maestoso[notebook]'"
                )
            log_dir = context.log_dir.resolve()
            log_dir.mkdir(parents=True, exist_ok=True)
            result = await self._shell.launch(
                context, job.argv(sys.executable), env={}, cwd=log_dir, log_dir=log_dir
            )
        return StepResult(
            state=result.state,
            artifacts={**result.artifacts, **artifact},
            timeline=result.timeline,
            next_poll_seconds=result.next_poll_seconds,
        )

    async def execute(self, context: StepContext) -> StepResult:
        if self._on_kubernetes(context):
            assert self._kubernetes is not None
            return await self._kubernetes.execute(self._job_context(context, None))
        return await self._shell.execute(context)

    async def terminate(self, context: StepContext) -> StepResult:
        if self._on_kubernetes(context):
            assert self._kubernetes is not None
            return await self._kubernetes.terminate(self._job_context(context, None))
        return await self._shell.terminate(context)

    def _on_kubernetes(self, context: StepContext) -> bool:
        return self._kubernetes is not None and bool(context.params.get("kubernetes"))

    def _job_context(self, context: StepContext, job: _Job | None) -> StepContext:
        spec = dict(context.params.get("kubernetes") or {})
        if job is not None:
            spec["entrypoint"] = job.shell()
        return _WithParams(context, {**context.params, "kubernetes": spec})


def _job(context: StepContext) -> _Job:
    spec = inputs.mapping(context.params, "notebook")
    input_path = inputs.optional_string(spec, "input_path")
    if not input_path:
        raise inputs.InvalidParam("param [notebook.input_path] is required")
    output = inputs.optional_string(spec, "output_path")
    on_kubernetes = bool(context.params.get("kubernetes"))
    if not output:
        output = (
            "output.ipynb" if on_kubernetes else str(context.log_dir.resolve() / "output.ipynb")
        )
    parameters = {k: v for k, v in context.params.items() if k not in _OWN | _INJECTED}
    return _Job(
        input_path=input_path if "://" in input_path else str(Path(input_path).expanduser()),
        output_path=output,
        init_command=inputs.optional_string(spec, "init_command") or "",
        arguments=inputs.string_list(spec, "papermill_arguments") or [],
        parameters=parameters,
    )
