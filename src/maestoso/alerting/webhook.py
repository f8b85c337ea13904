"""The event stream: every status change as a CloudEvent (structured JSON), signed.

The signature is ``X-Maestoso-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body
with the shared secret, so a receiver checks the body it got before parsing it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import httpx

from maestoso.alerting.notifier import Message

SIGNATURE_HEADER = "X-Maestoso-Signature"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookNotifier:
    name = "webhook"

    def __init__(self, url: str, secret: str, source: str, timeout: float = 10.0) -> None:
        self._url, self._secret, self._source = url, secret, source
        self._client = httpx.AsyncClient(timeout=timeout)  # one pool for every send

    async def close(self) -> None:
        await self._client.aclose()

    async def send(self, message: Message) -> None:
        body = json.dumps(cloud_event(message, self._source), separators=(",", ":")).encode()
        headers = {"Content-Type": "application/cloudevents+json; charset=utf-8"}
        if self._secret:
            headers[SIGNATURE_HEADER] = signature(self._secret, body)
        answer = await self._client.post(self._url, content=body, headers=headers)
        answer.raise_for_status()


def cloud_event(message: Message, source: str) -> dict[str, object]:
    data = dict(message.data)
    level = "step" if data.get("step_id") else "run" if data.get("workflow_instance_id") else ""
    time = int(str(data.get("event_time") or 0))
    return {
        "specversion": "1.0",
        "id": message.dedup_key,
        "source": source,
        "type": f"io.maestoso.{level or 'workflow'}.status_changed",
        "subject": message.title,
        "time": datetime.fromtimestamp(time / 1000, UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": data,
    }
