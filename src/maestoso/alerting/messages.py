"""Short messages: what happened, where, why, and a link to the run in the web UI."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from maestoso.alerting.notifier import Message
from maestoso.models.events import StatusChanged


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject:
    """What an alert is about."""

    workflow_id: str
    instance_id: int = 0
    run_id: int = 0
    step_id: str = ""
    attempt_id: int = 0
    status: str = ""
    time: int = 0
    error: str = ""
    version_id: int = 0

    @classmethod
    def of(cls, fact: StatusChanged) -> Subject:
        return cls(
            workflow_id=fact.workflow_id,
            instance_id=fact.instance_id,
            run_id=fact.run_id,
            step_id=fact.step_id,
            attempt_id=fact.attempt_id,
            status=fact.status,
            time=fact.time,
            error=fact.error,
            version_id=fact.version_id,
        )

    def data(self) -> dict[str, object]:
        data: dict[str, object] = {"workflow_id": self.workflow_id, "event_time": self.time}
        if self.version_id:
            data["workflow_version_id"] = self.version_id
        if self.instance_id:
            data.update(workflow_instance_id=self.instance_id, workflow_run_id=self.run_id)
        if self.step_id:
            data.update(step_id=self.step_id, step_attempt_id=self.attempt_id)
        data["status"] = self.status
        if self.error:
            data["error"] = self.error
        return data


def run_link(public_url: str, subject: Subject) -> str:
    workflow = quote(subject.workflow_id, safe="")
    if not subject.instance_id:
        return f"{public_url}/workflows/{workflow}"
    return (
        f"{public_url}/workflows/{workflow}/instances/{subject.instance_id}/runs/{subject.run_id}"
    )


def where(subject: Subject) -> str:
    text = f"workflow {subject.workflow_id}"
    if subject.version_id:
        text += f" version {subject.version_id}"
    if subject.instance_id:
        text += f" instance {subject.instance_id} run {subject.run_id}"
    if subject.step_id:
        text += f" step {subject.step_id} (attempt {subject.attempt_id})"
    return text


def alert_message(
    alert_type: str, subject: Subject, public_url: str, *, detail: str = ""
) -> Message:
    """An alert's message, without recipients (``decide`` addresses a copy per notifier)."""
    title = f"[{alert_type}] {where(subject)}"
    if subject.status:
        title += f": {subject.status}"
    lines = [f"Workflow: {subject.workflow_id}"]
    if subject.instance_id:
        lines.append(f"Instance: {subject.instance_id}, run {subject.run_id}")
    if subject.step_id:
        lines.append(f"Step: {subject.step_id}, attempt {subject.attempt_id}")
    if subject.status:
        lines.append(f"Status: {subject.status}")
    if detail:
        lines.append(detail)
    if subject.error:
        lines.append(f"Error: {subject.error}")
    return Message(
        alert_type=alert_type,
        title=title,
        text="\n".join(lines),
        link=run_link(public_url, subject),
        data=subject.data(),
    )


def stream_message(subject: Subject, public_url: str) -> Message:
    """A status change for the event stream; its ``dedup_key`` is the CloudEvent's id. A
    run's start leaves its time out of it: told again after a restart of the server (with
    another time), it is the same change."""
    started = not subject.step_id and subject.status == "IN_PROGRESS"
    return Message(
        alert_type="STATUS_CHANGE",
        title=f"{where(subject)}: {subject.status}",
        text="",
        link=run_link(public_url, subject),
        dedup_key=digest(
            "status",
            subject.workflow_id,
            subject.instance_id,
            subject.run_id,
            subject.step_id,
            subject.attempt_id,
            subject.status,
            0 if started else subject.time,
        ),
        data=subject.data(),
    )


def digest(*parts: object) -> str:
    """A short stable key of ``parts`` (a delivery key, a CloudEvent id)."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:40]
