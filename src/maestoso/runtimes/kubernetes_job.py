"""The Kubernetes Job a ``Kubernetes`` step runs, built from its ``kubernetes`` param.

``image`` (required), ``command`` and ``args`` (STRING_ARRAY; the deprecated ``entrypoint``
becomes ``/bin/sh -c <entrypoint>`` as in Maestro), ``env`` (STRING_MAP), ``cpu``,
``memory``, ``disk`` and ``gpu`` (limits), ``app_name``, ``pre_stop`` (``exec.command``),
``job_deduplication_key`` (the Job's name; default: the attempt's uuid).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from maestoso.runtimes import inputs

CONTAINER = "maestro-job"
DEFAULT_APP = "maestro-job"
_LIMITS = {"cpu": "cpu", "memory": "memory", "disk": "ephemeral-storage", "gpu": "nvidia.com/gpu"}


@dataclass(frozen=True, slots=True)
class JobCommand:
    """Maestro's ``KubernetesCommand``, checked."""

    image: str
    name: str
    app_name: str
    command: list[str] | None
    args: list[str] | None
    env: dict[str, str]
    limits: dict[str, str]
    pre_stop: list[str] | None
    raw: dict[str, Any]

    @property
    def script(self) -> str:
        """What runs, as one line (Maestro's ``execution_script``)."""
        return " ".join([*(self.command or []), *(self.args or [])])


def job_command(params: dict[str, Any], step_uuid: str) -> JobCommand:
    spec = inputs.mapping(params, "kubernetes")
    image = inputs.optional_string(spec, "image")
    if not image:
        raise inputs.InvalidParam("param [kubernetes.image] is required")
    command, args = inputs.string_list(spec, "command"), inputs.string_list(spec, "args")
    entrypoint = inputs.optional_string(spec, "entrypoint")
    if entrypoint:
        command, args = ["/bin/sh", "-c"], [entrypoint]
    key = inputs.optional_string(spec, "job_deduplication_key") or step_uuid
    limits = {
        resource: str(value)
        for field, resource in _LIMITS.items()
        if (value := inputs.optional_string(spec, field))
    }
    pre_stop = inputs.string_list(
        inputs.mapping(inputs.mapping(spec, "pre_stop"), "exec"), "command"
    )
    return JobCommand(
        image=image,
        name=job_name(key),
        app_name=inputs.optional_string(spec, "app_name") or DEFAULT_APP,
        command=command,
        args=args,
        env=inputs.string_map(spec, "env"),
        limits=limits,
        pre_stop=pre_stop or None,
        raw={**spec, "job_deduplication_key": key},
    )


def job_name(key: str) -> str:
    """A valid object name (a DNS-1123 label) from any key."""
    name = re.sub(r"[^a-z0-9-]+", "-", key.lower()).strip("-")[:63].strip("-")
    return name or "maestro-job"


def manifest(
    command: JobCommand, env: dict[str, str], annotations: dict[str, str]
) -> dict[str, Any]:
    """The Job: one pod, never restarted nor retried (Maestro's retry policy does that)."""
    container: dict[str, Any] = {
        "name": CONTAINER,
        "image": command.image,
        "env": [{"name": key, "value": value} for key, value in env.items()],
    }
    if command.command:
        container["command"] = command.command
    if command.args:
        container["args"] = command.args
    if command.limits:
        container["resources"] = {"limits": command.limits}
    if command.pre_stop:
        container["lifecycle"] = {"preStop": {"exec": {"command": command.pre_stop}}}
    labels = {"app": job_name(command.app_name), "maestro-job": command.name}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": command.name, "labels": labels, "annotations": annotations},
        "spec": {
            "backoffLimit": 0,
            "template": {
                "metadata": {"labels": labels},
                "spec": {"restartPolicy": "Never", "containers": [container]},
            },
        },
    }
