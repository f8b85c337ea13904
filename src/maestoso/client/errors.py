"""The one exception the client raises, carrying Maestro's error body.

Every failure of a call is a ``ClientError``: a 4xx or 5xx answer (its body parsed into
``ErrorBody``), a server that cannot be reached (``status_code`` None, ``status``
``UNAVAILABLE``), or an answer that is not what the API promises.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ErrorBody(BaseModel):
    """Maestro's error body: ``{"status", "message", "errors", "retryable"}``."""

    model_config = ConfigDict(extra="allow")

    status: str
    message: str
    errors: list[str] = []
    retryable: bool = False


class ClientError(Exception):
    """A call failed; ``body`` says why, as the server said it."""

    def __init__(self, body: ErrorBody, status_code: int | None = None) -> None:
        super().__init__(body.message)
        self.body = body
        self.status_code = status_code

    @property
    def status(self) -> str:
        return self.body.status

    @property
    def message(self) -> str:
        return self.body.message

    @property
    def errors(self) -> list[str]:
        return self.body.errors

    @property
    def retryable(self) -> bool:
        return self.body.retryable

    def __str__(self) -> str:
        details = "".join(f"\n  - {error}" for error in self.body.errors)
        return f"{self.body.message}{details}"


def from_response(status_code: int, payload: Any, text: str) -> ClientError:
    """The error of a failed answer; a body that is not Maestro's becomes its message."""
    if isinstance(payload, dict) and "message" in payload:
        try:
            return ClientError(ErrorBody.model_validate(payload), status_code)
        except ValueError:
            pass
    body = ErrorBody(status=f"HTTP_{status_code}", message=text.strip() or f"HTTP {status_code}")
    return ClientError(body, status_code)


def unavailable(url: str, reason: str) -> ClientError:
    body = ErrorBody(status="UNAVAILABLE", message=f"cannot reach {url}: {reason}", retryable=True)
    return ClientError(body)
