"""A small Kubernetes API server on loopback: the Job and Pod endpoints a Job runner uses.

Jobs really run: the "kubelet" here starts the container's command and args as a local
process (the image is ignored; busybox's ``/bin/sh`` and ``echo`` are the machine's), with
the container's env, and serves its combined output as the pod's log. Deleting a Job ends
its process group. Requests are recorded for assertions.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

CREATED = "2026-01-01T00:00:00Z"


@dataclass
class FakeJob:
    body: dict[str, Any]
    pod: str
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def status(self) -> dict[str, Any]:
        code = None if self.process is None else self.process.poll()
        if self.process is None:
            return {"failed": 1, "conditions": [{"type": "Failed", "status": "True"}]}
        if code is None:
            return {"active": 1, "startTime": CREATED}
        if code == 0:
            return {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}
        return {"failed": 1, "conditions": [{"type": "Failed", "status": "True"}]}

    def phase(self) -> str:
        status = self.status()
        return (
            "Succeeded"
            if status.get("succeeded")
            else "Failed"
            if status.get("failed")
            else "Running"
        )


@dataclass
class KubeState:
    directory: Path
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, body: dict[str, Any]) -> FakeJob:
        name = body["metadata"]["name"]
        container = body["spec"]["template"]["spec"]["containers"][0]
        argv = [*(container.get("command") or []), *(container.get("args") or [])]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        env.update({item["name"]: item.get("value", "") for item in container.get("env") or []})
        log = self.directory / f"{name}.log"
        job = FakeJob(body, f"{name}-{uuid.uuid4().hex[:5]}", log)
        with log.open("wb") as out:
            try:
                job.process = subprocess.Popen(
                    argv,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=self.directory,  # a container's own working directory, not ours
                    start_new_session=True,
                )
            except OSError:
                job.process = None
        return job

    def stop(self) -> None:
        for job in self.jobs.values():
            _kill(job)


def _kill(job: FakeJob) -> None:
    if job.process is not None and job.process.poll() is None:
        try:
            os.killpg(job.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        job.process.wait()


class KubeServer(ThreadingHTTPServer):
    daemon_threads = True
    state: KubeState

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def kubeconfig(self, path: Path, namespace: str = "maestro") -> Path:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "fake", "cluster": {"server": self.base}}],
            "users": [{"name": "fake", "user": {"token": "test-token"}}],
            "contexts": [
                {
                    "name": "fake",
                    "context": {"cluster": "fake", "user": "fake", "namespace": namespace},
                }
            ],
            "current-context": "fake",
        }
        path.write_text(json.dumps(config))
        return path


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: KubeServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_DELETE = do_GET

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.strip("/").split("/")]
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        state = self.server.state
        state.requests.append((self.command, url.path, dict(self.headers.items())))
        body = self._body()
        with state.lock:
            if parts[:3] == ["apis", "batch", "v1"] and len(parts) >= 6 and parts[5] == "jobs":
                self._jobs(parts[4], parts[6] if len(parts) > 6 else None, body)
            elif parts[:2] == ["api", "v1"] and len(parts) >= 5 and parts[4] == "pods":
                self._pods(parts[3], parts[5:], query)
            else:
                self._status(404, "NotFound", f"no route for {url.path}")

    def _body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def _jobs(self, namespace: str, name: str | None, body: dict[str, Any] | None) -> None:
        state = self.server.state
        if self.command == "POST" and name is None and body is not None:
            job_name = body["metadata"]["name"]
            if job_name in state.jobs:
                return self._status(409, "AlreadyExists", f'jobs.batch "{job_name}" already exists')
            state.created.append(body)
            state.jobs[job_name] = state.run(body)
            return self._json(201, self._job(namespace, state.jobs[job_name]))
        job = state.jobs.get(name or "")
        if job is None:
            return self._status(404, "NotFound", f'jobs.batch "{name}" not found')
        if self.command == "DELETE":
            _kill(job)
            del state.jobs[job.body["metadata"]["name"]]
            state.deleted.append(job.body["metadata"]["name"])
            return self._status(200, "Success", "deleted", kind="Success")
        self._json(200, self._job(namespace, job))

    def _job(self, namespace: str, job: FakeJob) -> dict[str, Any]:
        metadata = {
            **job.body["metadata"],
            "namespace": namespace,
            "uid": job.pod,
            "creationTimestamp": CREATED,
        }
        return {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": metadata,
            "spec": job.body["spec"],
            "status": job.status(),
        }

    def _pods(self, namespace: str, rest: list[str], query: dict[str, str]) -> None:
        jobs = self.server.state.jobs.values()
        if not rest:
            wanted = query.get("labelSelector", "")
            pods = [
                self._pod(namespace, j)
                for j in jobs
                if wanted == f"job-name={j.body['metadata']['name']}"
            ]
            return self._json(
                200, {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": pods}
            )
        job = next((j for j in jobs if j.pod == rest[0]), None)
        if job is None:
            return self._status(404, "NotFound", f'pods "{rest[0]}" not found')
        if rest[1:] == ["log"]:
            data = job.log.read_bytes() if job.log.exists() else b""
            return self._send(200, data, "text/plain")
        self._json(200, self._pod(namespace, job))

    def _pod(self, namespace: str, job: FakeJob) -> dict[str, Any]:
        name = job.body["metadata"]["name"]
        metadata = {"name": job.pod, "namespace": namespace, "labels": {"job-name": name}}
        spec = job.body["spec"]["template"]["spec"]
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": metadata,
            "spec": spec,
            "status": {"phase": job.phase()},
        }

    def _status(self, code: int, reason: str, message: str, kind: str = "Failure") -> None:
        body = {
            "apiVersion": "v1",
            "kind": "Status",
            "status": kind,
            "message": message,
            "reason": reason,
            "code": code,
        }
        self._json(code, body)

    def _json(self, code: int, body: dict[str, Any]) -> None:
        self._send(code, json.dumps(body).encode(), "application/json")

    def _send(self, code: int, data: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def kube_api(directory: Path) -> Iterator[KubeServer]:
    directory.mkdir(parents=True, exist_ok=True)
    server = KubeServer(("127.0.0.1", 0), Handler)
    server.state = KubeState(directory)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        server.state.stop()
