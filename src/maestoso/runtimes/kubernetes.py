"""``Kubernetes``: run the step as a Kubernetes Job, poll it, keep its pod's log.

The official ``kubernetes`` client is synchronous; its few short calls (create, read, list,
log, delete) run in worker threads so the event loop never waits on the API server. The
Job is named from the attempt (or ``job_deduplication_key``), so a second ``start`` of the
same attempt finds the Job the first one created. When the Job ends its pod's log is copied
to ``stdout.log`` in the attempt's log directory (streamed, never held in memory) and read
for output tokens, as for Shell steps. A stop deletes the Job and its pod.

Configuration: a kubeconfig file (``MAESTOSO_KUBERNETES_CONFIG``, else the in-cluster
service account, else ``~/.kube/config``), its context (``MAESTOSO_KUBERNETES_CONTEXT``) and
the namespace (``MAESTOSO_KUBERNETES_NAMESPACE``, default ``default``).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from maestoso.runtimes import inputs
from maestoso.runtimes.base import State, StepContext, StepResult
from maestoso.runtimes.environment import identity, trace_env
from maestoso.runtimes.kubernetes_job import JobCommand, job_command, manifest
from maestoso.runtimes.outputs import finish, outputs_of, scan_file, token_env
from maestoso.runtimes.process import STDOUT

ARTIFACT = "maestro_kubernetes"
_CHUNK = 64 * 1024


class KubernetesRuntime:
    default_poll_seconds = 3.0

    def __init__(
        self,
        *,
        namespace: str = "default",
        config_file: str | None = None,
        context: str | None = None,
        poll_seconds: float = 3.0,
    ) -> None:
        self.namespace = namespace
        self.config_file = config_file
        self.context = context
        self.default_poll_seconds = poll_seconds
        self._client: Any = None

    async def start(self, context: StepContext) -> StepResult:
        try:
            command = job_command(context.params, context.step_uuid)
        except inputs.InvalidParam as exc:
            return inputs.fatal(str(exc))
        env = {**command.env, **trace_env(), **token_env(), **identity(context)}
        body = manifest(command, env, identity(context))
        try:
            await asyncio.to_thread(self._apis)
        except Exception as exc:  # no kubeconfig, no service account: no retry will help
            return _error(State.FATAL_ERROR, "Kubernetes is not configured", exc)
        try:
            await asyncio.to_thread(self._create, body)
        except Exception as exc:  # any failure to reach or use the API
            return _error(State.PLATFORM_ERROR, "cannot create the Kubernetes job", exc)
        return StepResult(
            state=State.CONTINUE,
            artifacts={ARTIFACT: _artifact(command, self.namespace)},
            timeline=[f"created Kubernetes job [{command.name}] in [{self.namespace}]"],
            next_poll_seconds=min(self.default_poll_seconds, 0.5),
        )

    async def execute(self, context: StepContext) -> StepResult:
        artifact = dict(context.artifacts.get(ARTIFACT) or {})
        name, namespace = artifact.get("job_id"), artifact.get("namespace", self.namespace)
        if not name:
            return StepResult(state=State.PLATFORM_ERROR, timeline=["no Kubernetes job recorded"])
        try:
            state = await asyncio.to_thread(self._job_state, name, namespace)
        except _Gone:
            return StepResult(state=State.PLATFORM_ERROR, timeline=[f"job [{name}] is gone"])
        except Exception:  # the API may be down for a while: ask again later, as Maestro does
            return StepResult(state=State.CONTINUE)
        if state is State.CONTINUE:
            return StepResult(state=State.CONTINUE)
        return await self._finished(context, artifact, state)

    async def terminate(self, context: StepContext) -> StepResult:
        artifact = context.artifacts.get(ARTIFACT) or {}
        name = artifact.get("job_id")
        if not name:
            return StepResult(state=State.STOPPED, timeline=["no Kubernetes job to stop"])
        try:
            await asyncio.to_thread(self._delete, name, artifact.get("namespace", self.namespace))
        except _Gone:
            pass
        return StepResult(state=State.STOPPED, timeline=[f"deleted Kubernetes job [{name}]"])

    async def _finished(
        self, context: StepContext, artifact: dict[str, Any], state: State
    ) -> StepResult:
        log = context.log_dir.resolve() / STDOUT
        namespace = artifact.get("namespace", self.namespace)
        try:
            await asyncio.to_thread(self._copy_log, artifact["job_id"], namespace, log)
        except Exception as exc:  # the result stands without its log
            artifact["execution_output"] = f"n/a ({type(exc).__name__})"
        scanner = await asyncio.to_thread(scan_file, log)
        outputs = outputs_of(scanner, context.params.keys(), context.now_ms())
        timeline = [f"Kubernetes job [{artifact['job_id']}] ended: {state.value}"]
        return finish(state, outputs, artifacts={ARTIFACT: artifact}, timeline=timeline)

    # -- the API, called in worker threads ---------------------------------------------------

    def _apis(self) -> tuple[Any, Any]:
        # Imported when first needed: the client's models take a while to load.
        from kubernetes import client

        if self._client is None:
            self._client = _api_client(self.config_file, self.context)
        return client.BatchV1Api(self._client), client.CoreV1Api(self._client)

    def _create(self, body: dict[str, Any]) -> None:
        from kubernetes.client import ApiException, V1Job

        batch, _ = self._apis()
        try:
            batch.create_namespaced_job(self.namespace, V1Job.from_dict(body))
        except ApiException as exc:
            if exc.status != 409:  # 409: this attempt's job exists already; use it
                raise

    def _job_state(self, name: str, namespace: str) -> State:
        from kubernetes.client import ApiException

        batch, _ = self._apis()
        try:
            status = batch.read_namespaced_job(name, namespace).status
        except ApiException as exc:
            if exc.status == 404:
                raise _Gone from exc
            raise
        conditions = {c.type: c.status for c in (status.conditions or []) if c.status == "True"}
        if (status.succeeded or 0) > 0 or "Complete" in conditions:
            return State.DONE
        if (status.failed or 0) > 0 or "Failed" in conditions:
            return State.USER_ERROR
        return State.CONTINUE

    def _copy_log(self, name: str, namespace: str, target: Path) -> None:
        _, core = self._apis()
        pods = core.list_namespaced_pod(namespace, label_selector=f"job-name={name}").items
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            if not pods:
                return
            response = core.read_namespaced_pod_log(
                pods[0].metadata.name, namespace, _preload_content=False
            )
            try:
                for chunk in response.stream(_CHUNK):
                    out.write(chunk)
            finally:
                response.release_conn()

    def _delete(self, name: str, namespace: str) -> None:
        from kubernetes.client import ApiException

        batch, _ = self._apis()
        try:
            batch.delete_namespaced_job(name, namespace, propagation_policy="Background")
        except ApiException as exc:
            if exc.status == 404:
                raise _Gone from exc
            raise


class _Gone(Exception):
    """The job does not exist (deleted behind the server's back)."""


def _api_client(config_file: str | None, context: str | None) -> Any:
    from kubernetes import config

    if config_file is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
        config.load_incluster_config()  # type: ignore[no-untyped-call]
        from kubernetes import client

        return client.ApiClient()
    return config.new_client_from_config(  # type: ignore[no-untyped-call]
        config_file=config_file, context=context
    )


def _artifact(command: JobCommand, namespace: str) -> dict[str, Any]:
    """Maestro's ``KubernetesArtifact`` (and the namespace, to find the job again)."""
    return {
        "job_id": command.name,
        "execution_script": command.script,
        "command": command.raw,
        "namespace": namespace,
        "type": "KUBERNETES",
    }


def _error(state: State, message: str, exc: Exception) -> StepResult:
    return StepResult(state=state, timeline=[f"{message}: {type(exc).__name__}: {exc}"])
