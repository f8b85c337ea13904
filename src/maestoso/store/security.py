"""The store's part of security: API tokens (hashed) and the audit log.

Records and ports here; the SQL adapter in ``sql/tokens.py`` and ``sql/audit.py``, the
memory one in ``memory/security.py``. Neither ever holds a token in clear: only the SHA-256
of its secret part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenRow:
    token_id: str
    """The public part of the token (it names the row; it is not a secret)."""
    user: str
    role: str
    secret_hash: str
    """The hex SHA-256 of the token's secret part."""
    create_time: int
    expire_time: int | None = None
    revoke_time: int | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One mutating call: who, when, what, on what, and how it ended."""

    create_time: int
    user: str | None
    """The caller (None when the call named none, e.g. refused without a token)."""
    role: str | None
    method: str
    path: str
    action: str
    """The route: method and path template (``POST /api/v3/workflows/{workflow_id}/…``)."""
    status: int
    """The HTTP status of the answer."""
    outcome: str
    """``OK``, ``UNAUTHENTICATED``, ``FORBIDDEN``, ``REJECTED`` (other 4xx) or ``FAILED``."""
    request_id: str
    workflow_id: str | None = None
    instance_id: int | None = None
    run_id: int | None = None
    step_id: str | None = None
    client: str | None = None
    audit_id: int = 0
    """Assigned by the store (ascending)."""

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.audit_id,
            "time": self.create_time,
            "user": self.user,
            "role": self.role,
            "action": self.action,
            "method": self.method,
            "path": self.path,
            "workflow_id": self.workflow_id,
            "instance_id": self.instance_id,
            "run_id": self.run_id,
            "step_id": self.step_id,
            "status": self.status,
            "outcome": self.outcome,
            "request_id": self.request_id,
            "client": self.client,
        }


class TokenStore(Protocol):
    async def save_token(self, row: TokenRow) -> None:
        """Insert a new token (``ConflictError`` if its id exists)."""
        ...

    async def get_token(self, token_id: str) -> TokenRow | None: ...

    async def list_tokens(self) -> list[TokenRow]:
        """Every token, revoked and expired ones included, oldest first."""
        ...

    async def revoke_tokens(
        self, *, now: int, token_id: str | None = None, user: str | None = None
    ) -> int:
        """Revoke the unrevoked tokens with that id or of that user; how many."""
        ...


class AuditStore(Protocol):
    async def add_audit(self, entries: list[AuditEntry]) -> None:
        """Append entries, in order (their ``audit_id`` is assigned)."""
        ...

    async def list_audit(
        self,
        *,
        before: int | None,
        limit: int,
        user: str | None = None,
        workflow_id: str | None = None,
    ) -> list[AuditEntry]:
        """Entries with ``audit_id`` below ``before`` (None: the newest), newest first, at
        most ``limit``, of that user and workflow when given."""
        ...
