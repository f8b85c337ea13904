"""PagerDuty Events API v2: a trigger per alert, deduplicated by run, and its resolve."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from maestoso.alerting.notifier import Message, PermanentError

PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


class PagerDutyNotifier:
    name = "pagerduty"

    def __init__(self, routing_keys: Mapping[str, str], url: str, timeout: float = 10.0) -> None:
        self._keys = dict(routing_keys)
        self._url = url
        self._client = httpx.AsyncClient(timeout=timeout)  # one pool for every send

    async def close(self) -> None:
        await self._client.aclose()

    async def send(self, message: Message) -> None:
        for service in message.to:
            key = self._keys.get(service)
            if not key:
                raise PermanentError(f"pagerduty service [{service}] has no routing key")
            answer = await self._client.post(self._url, json=_event(message, key))
            if 400 <= answer.status_code < 500 and answer.status_code != 429:
                raise PermanentError(f"pagerduty: {answer.status_code} {answer.text[:200]}")
            answer.raise_for_status()


def _event(message: Message, routing_key: str) -> dict[str, object]:
    if message.resolve:
        return {
            "routing_key": routing_key,
            "event_action": "resolve",
            "dedup_key": message.dedup_key,
        }
    event: dict[str, object] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": message.dedup_key,
        "payload": {
            "summary": message.title[:1024],
            "source": "maestoso",
            "severity": message.severity,
            "custom_details": {"text": message.text, **message.data},
        },
    }
    if message.link:
        event["links"] = [{"href": message.link, "text": "The run"}]
    return event
