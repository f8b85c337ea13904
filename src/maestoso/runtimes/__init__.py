"""Step runtimes: what each step type does when it runs."""

from __future__ import annotations

from maestoso.config import Settings
from maestoso.models.steps import StepType
from maestoso.runtimes.base import (
    CONTINUE,
    DONE,
    State,
    StepContext,
    StepResult,
    StepRuntime,
)
from maestoso.runtimes.foreach import ForeachRuntime
from maestoso.runtimes.http import HttpRuntime
from maestoso.runtimes.kubernetes import KubernetesRuntime
from maestoso.runtimes.noop import NoOpRuntime
from maestoso.runtimes.notebook import NotebookRuntime
from maestoso.runtimes.python import PythonRuntime
from maestoso.runtimes.shell import ShellRuntime
from maestoso.runtimes.sleep import SleepRuntime
from maestoso.runtimes.subworkflow import SubworkflowRuntime
from maestoso.runtimes.while_ import WhileRuntime
from maestoso.runtimes.with_secrets import WithSecrets
from maestoso.secrets import ChainedSecrets, provider_from

__all__ = [
    "CONTINUE",
    "DONE",
    "ForeachRuntime",
    "HttpRuntime",
    "KubernetesRuntime",
    "NoOpRuntime",
    "NotebookRuntime",
    "PythonRuntime",
    "ShellRuntime",
    "SleepRuntime",
    "State",
    "StepContext",
    "StepResult",
    "StepRuntime",
    "SubworkflowRuntime",
    "WhileRuntime",
    "WithSecrets",
    "default_runtimes",
]


def default_runtimes(
    settings: Settings | None = None, secrets: ChainedSecrets | None = None
) -> dict[str, StepRuntime]:
    """Every step type this server runs, configured from ``settings`` (defaults if None).

    The step types that run something resolve ``${secret:NAME}`` from ``secrets`` (by
    default the providers the settings configure)."""
    settings = settings or Settings()
    secrets = secrets or provider_from(settings)
    shell = ShellRuntime()
    kubernetes = KubernetesRuntime(
        namespace=settings.kubernetes_namespace,
        config_file=settings.kubernetes_config,
        context=settings.kubernetes_context,
    )
    return {
        StepType.NOOP: NoOpRuntime(),
        StepType.SLEEP: SleepRuntime(),
        StepType.SHELL: WithSecrets(shell, secrets),
        StepType.PYTHON: WithSecrets(PythonRuntime(), secrets),
        StepType.NOTEBOOK: WithSecrets(NotebookRuntime(shell, kubernetes), secrets),
        StepType.FOREACH: ForeachRuntime(),
        StepType.WHILE: WhileRuntime(),
        StepType.SUBWORKFLOW: SubworkflowRuntime(),
        StepType.HTTP: WithSecrets(
            HttpRuntime(
                allowed_hosts=settings.http_allowed_hosts,
                connect_timeout=settings.http_connect_timeout_seconds,
                send_timeout=settings.http_send_timeout_seconds,
                max_response_bytes=settings.http_max_response_bytes,
            ),
            secrets,
        ),
        StepType.KUBERNETES: WithSecrets(kubernetes, secrets),
    }
