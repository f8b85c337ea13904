"""How both clients reach the server: base URL, headers, and turning answers into data."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx

from maestoso.client.errors import ClientError, from_response, unavailable

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Connection:
    """Where and as whom: ``MAESTOSO_SERVER``, ``MAESTOSO_USER`` and ``MAESTOSO_TOKEN`` fill
    in what is not given."""

    url: str
    user: str
    token: str | None

    @classmethod
    def resolve(cls, url: str | None, user: str | None, token: str | None) -> Connection:
        env = os.environ
        return cls(
            url=(url or env.get("MAESTOSO_SERVER") or DEFAULT_URL).rstrip("/"),
            user=user or env.get("MAESTOSO_USER") or env.get("USER") or "maestoso",
            token=token or env.get("MAESTOSO_TOKEN") or None,
        )

    @property
    def headers(self) -> dict[str, str]:
        # Maestro names the caller in a ``user`` header; a token is for servers that check one
        headers = {"user": self.user, "accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        return headers


def decoded(response: httpx.Response) -> Any:
    """The JSON of a successful answer (text for text answers); a failure raises."""
    if response.is_success:
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.text
    try:
        payload: Any = response.json()
    except ValueError:
        payload = None
    raise from_response(response.status_code, payload, response.text)


def transport_error(url: str, error: httpx.TransportError) -> ClientError:
    return unavailable(url, str(error) or type(error).__name__)
