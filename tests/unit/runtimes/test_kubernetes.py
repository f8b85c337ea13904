"""The Kubernetes runtime against a small Kubernetes API server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from tests.unit.runtimes.kube_server import KubeServer, kube_api
from tests.unit.runtimes.support import FakeContext, drive

from maestoso import tracing
from maestoso.runtimes import KubernetesRuntime, State
from maestoso.runtimes.kubernetes import ARTIFACT
from maestoso.runtimes.kubernetes_job import job_name


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[KubeServer]:
    with kube_api(tmp_path / "kubelet") as server:
        yield server


@pytest.fixture
def runtime(kube: KubeServer, tmp_path: Path) -> KubernetesRuntime:
    config = kube.kubeconfig(tmp_path / "kubeconfig")
    return KubernetesRuntime(namespace="maestro", config_file=str(config), poll_seconds=0.05)


def context(tmp_path: Path, **spec: object) -> FakeContext:
    return FakeContext(log_dir=tmp_path / "logs", params={"kubernetes": spec})


async def test_a_job_runs_and_its_log_is_kept(
    runtime: KubernetesRuntime, kube: KubeServer, tmp_path: Path
) -> None:
    ctx = context(
        tmp_path,
        image="busybox",
        command=["echo"],
        args=["hello", "world"],
        env={"foo": "bar"},
        cpu="0.5",
        memory="1Gi",
        gpu="1",
        disk="1G",
        pre_stop={"exec": {"command": ["/bin/sh", "-c", "cleanup.sh --flag"]}},
    )
    assert (await drive(runtime, ctx)).state is State.DONE
    assert (ctx.log_dir / "stdout.log").read_text() == "hello world\n"
    artifact = ctx.artifacts[ARTIFACT]
    assert artifact["job_id"] == ctx.step_uuid and artifact["type"] == "KUBERNETES"
    assert artifact["execution_script"] == "echo hello world"
    job = kube.state.created[0]
    assert job["metadata"]["name"] == ctx.step_uuid
    assert job["spec"]["backoffLimit"] == 0
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    container = pod["containers"][0]
    assert container["image"] == "busybox"
    assert container["resources"]["limits"] == {
        "cpu": "0.5",
        "memory": "1Gi",
        "nvidia.com/gpu": "1",
        "ephemeral-storage": "1G",
    }
    assert container["lifecycle"]["preStop"]["exec"]["command"][-1] == "cleanup.sh --flag"
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["foo"] == "bar" and env["MAESTRO_OUTPUT_START"] == "MAESTRO_OUTPUT_START_TOKEN"
    assert env["MAESTRO_STEP_ID"] == "job.1"
    assert ("POST", "/apis/batch/v1/namespaces/maestro/jobs") in [
        r[:2] for r in kube.state.requests
    ]


async def test_a_failed_job_is_a_user_error(runtime: KubernetesRuntime, tmp_path: Path) -> None:
    ctx = context(tmp_path, image="busybox", entrypoint="echo failing; exit 2")
    assert (await drive(runtime, ctx)).state is State.USER_ERROR
    assert (ctx.log_dir / "stdout.log").read_text() == "failing\n"


async def test_the_deduplication_key_names_the_job_and_a_second_start_reuses_it(
    runtime: KubernetesRuntime, kube: KubeServer, tmp_path: Path
) -> None:
    ctx = context(
        tmp_path, image="busybox", command=["sleep", "0.3"], job_deduplication_key="My_Key"
    )
    assert (await runtime.start(ctx)).state is State.CONTINUE
    again = ctx.absorb(await runtime.start(ctx))
    assert again.state is State.CONTINUE and len(kube.state.created) == 1
    assert ctx.artifacts[ARTIFACT]["job_id"] == "my-key"
    assert (await drive(runtime, ctx)).state is State.DONE


async def test_stop_deletes_the_job(
    runtime: KubernetesRuntime, kube: KubeServer, tmp_path: Path
) -> None:
    ctx = context(tmp_path, image="busybox", command=["sleep", "60"])
    ctx.absorb(await runtime.start(ctx))
    assert (await runtime.execute(ctx)).state is State.CONTINUE
    begun = time.monotonic()
    assert (await runtime.terminate(ctx)).state is State.STOPPED
    assert time.monotonic() - begun < 5
    assert kube.state.deleted == [ctx.step_uuid] and kube.state.jobs == {}
    assert (await runtime.execute(ctx)).state is State.PLATFORM_ERROR  # the job is gone
    assert (await runtime.terminate(ctx)).state is State.STOPPED  # and stays stopped


async def test_missing_image_and_missing_config_are_fatal(tmp_path: Path) -> None:
    nowhere = KubernetesRuntime(config_file=str(tmp_path / "no-such-kubeconfig"))
    ctx = context(tmp_path, command=["true"])
    assert (await nowhere.start(ctx)).state is State.FATAL_ERROR
    ctx = context(tmp_path, image="busybox")
    result = await nowhere.start(ctx)
    assert result.state is State.FATAL_ERROR
    assert result.timeline[0].startswith("Kubernetes is not configured")


@pytest.mark.parametrize(
    ("key", "name"),
    [("abc", "abc"), ("A_B.c", "a-b-c"), ("-x-", "x"), ("", "maestro-job"), ("z" * 80, "z" * 63)],
)
def test_job_names_are_dns_labels(key: str, name: str) -> None:
    assert job_name(key) == name


async def test_a_traced_job_gets_the_current_trace_context(
    runtime: KubernetesRuntime, kube: KubeServer, tmp_path: Path
) -> None:
    provider = TracerProvider()
    tracing.enable(provider)
    try:
        with provider.get_tracer("test").start_as_current_span("attempt") as span:
            ctx = context(tmp_path, image="busybox", command=["true"])
            assert (await drive(runtime, ctx)).state is State.DONE
    finally:
        tracing.disable()
    container = kube.state.created[0]["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item["value"] for item in container["env"]}
    span_context = span.get_span_context()
    assert env["TRACEPARENT"].split("-")[1:3] == [
        f"{span_context.trace_id:032x}",
        f"{span_context.span_id:016x}",
    ]
