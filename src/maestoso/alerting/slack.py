"""Slack through its Web API (``chat.postMessage``), to the block's channels and users."""

from __future__ import annotations

from typing import Any

import httpx

from maestoso.alerting.notifier import Message, PermanentError

SLACK_API_URL = "https://slack.com/api"

_PERMANENT = frozenset({"channel_not_found", "not_in_channel", "invalid_auth", "account_inactive"})
"""Slack's answers that another try will not change."""


class SlackNotifier:
    name = "slack"

    def __init__(self, token: str, api_url: str = SLACK_API_URL, timeout: float = 10.0) -> None:
        self._token = token
        self._url = api_url.rstrip("/") + "/chat.postMessage"
        # One pool for every send: a client per send builds a TLS context each time, on the
        # event loop the engine shares.
        self._client = httpx.AsyncClient(timeout=timeout)

    async def close(self) -> None:
        await self._client.aclose()

    async def send(self, message: Message) -> None:
        if not message.to:
            raise PermanentError("no channel or user to post to")
        mentions = " ".join(f"<@{user}>" for user in message.mentions)
        text = f"*{message.title}*\n{message.text}"
        if message.link:
            text += f"\n<{message.link}|Open the run>"
        if mentions:
            text = f"{mentions} {text}"
        headers = {"Authorization": f"Bearer {self._token}"}
        # A destination already posted to by an earlier attempt would be posted twice: one
        # message goes to one channel (the rules make a delivery per destination).
        for channel in message.to:
            answer = await self._client.post(
                self._url, json={"channel": channel, "text": text}, headers=headers
            )
            _check(answer)


def _check(answer: httpx.Response) -> None:
    answer.raise_for_status()
    body: Any = answer.json()
    if not isinstance(body, dict) or body.get("ok") is not True:
        error = body.get("error") if isinstance(body, dict) else body
        if error in _PERMANENT:
            raise PermanentError(f"slack: {error}")
        raise RuntimeError(f"slack: {error}")
