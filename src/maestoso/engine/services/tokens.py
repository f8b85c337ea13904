"""API tokens: made once, stored hashed, checked in constant time.

A token reads ``mso_<id>_<secret>``: the id (16 hex digits) names its row, the secret (43
URL-safe characters, 256 random bits) is known only to its holder. The store keeps the
SHA-256 of the secret; a check hashes what it is given and compares the digests with
``hmac.compare_digest``. A slow hash (bcrypt, scrypt) would add nothing: the secret is random,
not a password someone chose, so its hash cannot be guessed back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from maestoso.clock import Clock
from maestoso.engine.services.access import Principal, Role
from maestoso.errors import NotFoundError, UnauthenticatedError, ValidationError
from maestoso.store.security import TokenRow, TokenStore

PREFIX = "mso"
_TOKEN = re.compile(rf"{PREFIX}_([0-9a-f]{{16}})_([A-Za-z0-9_-]{{20,128}})")
_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_UNITS_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}
DEFAULT_EXPIRY = "90d"
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True, slots=True)
class NewToken:
    row: TokenRow
    token: str
    """The token itself: shown once, never stored."""


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_expiry(text: str | None, now: int) -> int | None:
    """``30d``, ``12h``, ``45m``, ``2w``, ``90s`` from ``now`` (epoch ms); ``never``: None."""
    text = (text or DEFAULT_EXPIRY).strip().lower()
    if text in ("never", "none", "0"):
        return None
    match = _DURATION.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        raise ValidationError(
            f"invalid expiry [{text}]",
            ["expires: a positive duration such as 30d, 12h, 45m or 2w, or never"],
        )
    return now + int(match.group(1)) * _UNITS_MS[match.group(2)]


class TokenService:
    def __init__(self, store: TokenStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def create(
        self, user: str, role: Role, *, expires: str | None = None, description: str | None = None
    ) -> NewToken:
        user = user.strip()
        if not user or len(user) > 300 or any(ord(c) < 32 for c in user):
            raise ValidationError(
                f"invalid user name [{user[:50]}]", ["user: 1 to 300 printable characters"]
            )
        now = self._clock.now_ms()
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        row = TokenRow(
            token_id=token_id,
            user=user,
            role=role.value,
            secret_hash=secret_hash(secret),
            create_time=now,
            expire_time=parse_expiry(expires, now),
            description=description,
        )
        await self._store.save_token(row)
        return NewToken(row=row, token=f"{PREFIX}_{token_id}_{secret}")

    async def list(self) -> list[TokenRow]:
        return await self._store.list_tokens()

    async def revoke(self, *, token_id: str | None = None, user: str | None = None) -> int:
        if (token_id is None) == (user is None):
            raise ValidationError("revoke either by --id or by --user", ["give one of id, user"])
        count = await self._store.revoke_tokens(
            now=self._clock.now_ms(), token_id=token_id, user=user
        )
        if count == 0:
            which = f"token [{token_id}]" if token_id else f"user [{user}]"
            raise NotFoundError(f"no unrevoked token of {which}")
        return count

    async def authenticate(self, token: str) -> Principal:
        """The caller a token names; ``UnauthenticatedError`` for a malformed, unknown,
        expired or revoked one."""
        match = _TOKEN.fullmatch(token.strip())
        row = None if match is None else await self._store.get_token(match.group(1))
        given = secret_hash(match.group(2)) if match else _DUMMY_HASH
        # Compared even when there is no row, so that the answer takes as long either way.
        valid = hmac.compare_digest(given, row.secret_hash if row else _DUMMY_HASH)
        if row is None or not valid:
            raise UnauthenticatedError("the bearer token is not valid", ["authorization: invalid"])
        now = self._clock.now_ms()
        if row.revoke_time is not None:
            raise UnauthenticatedError(
                "the bearer token was revoked", ["authorization: revoked token"]
            )
        if row.expire_time is not None and row.expire_time <= now:
            raise UnauthenticatedError(
                "the bearer token has expired", ["authorization: expired token"]
            )
        return Principal(name=row.user, role=Role.parse(row.role), token_id=row.token_id)
