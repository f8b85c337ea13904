"""Tokens and the audit log in memory."""

from __future__ import annotations

from dataclasses import replace

from maestoso.errors import ConflictError
from maestoso.store.memory.base import MemoryBase, copied, round_trip
from maestoso.store.security import AuditEntry, TokenRow


class TokenMethods(MemoryBase):
    """The ``TokenStore`` part of ``MemoryStore``."""

    async def save_token(self, row: TokenRow) -> None:
        await round_trip()
        if row.token_id in self._tables.tokens:
            raise ConflictError(f"token [{row.token_id}] exists")
        self._tables.tokens[row.token_id] = copied(row)

    async def get_token(self, token_id: str) -> TokenRow | None:
        await round_trip()
        row = self._tables.tokens.get(token_id)
        return None if row is None else copied(row)

    async def list_tokens(self) -> list[TokenRow]:
        await round_trip()
        rows: list[TokenRow] = list(self._tables.tokens.values())
        return copied(sorted(rows, key=lambda row: (row.create_time, row.token_id)))

    async def revoke_tokens(
        self, *, now: int, token_id: str | None = None, user: str | None = None
    ) -> int:
        if token_id is None and user is None:
            raise ValueError("revoke by token id or by user")
        await round_trip()
        tokens = self._tables.tokens
        doomed = [
            key
            for key, row in tokens.items()
            if row.revoke_time is None
            and (token_id is None or key == token_id)
            and (user is None or row.user == user)
        ]
        for key in doomed:
            tokens[key] = replace(tokens[key], revoke_time=now)
        return len(doomed)


class AuditMethods(MemoryBase):
    """The ``AuditStore`` part of ``MemoryStore``."""

    async def add_audit(self, entries: list[AuditEntry]) -> None:
        await round_trip()
        audit = self._tables.audit
        for entry in entries:
            audit.append(replace(entry, audit_id=len(audit) + 1))

    async def list_audit(
        self,
        *,
        before: int | None,
        limit: int,
        user: str | None = None,
        workflow_id: str | None = None,
    ) -> list[AuditEntry]:
        if limit < 0:
            raise ValueError(f"limit must not be negative, got {limit}")
        await round_trip()
        found: list[AuditEntry] = []
        for entry in reversed(self._tables.audit):
            if len(found) >= limit:
                break
            if before is not None and entry.audit_id >= before:
                continue
            if user is not None and entry.user != user:
                continue
            if workflow_id is not None and entry.workflow_id != workflow_id:
                continue
            found.append(entry)
        return found
