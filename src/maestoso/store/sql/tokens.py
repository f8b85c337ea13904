"""``TokenStore`` on SQL: tokens by id, hashed."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping

from maestoso.store.security import TokenRow
from maestoso.store.sql.base import SqlBase
from maestoso.store.sql.tables_security import maestoso_token

_tok = maestoso_token


class TokenMethods(SqlBase):
    """The ``TokenStore`` part of ``SqlStore``."""

    async def save_token(self, row: TokenRow) -> None:
        async with self._writing() as connection:
            await connection.execute(
                _tok.insert().values(
                    token_id=row.token_id,
                    user_name=row.user,
                    role=row.role,
                    secret_hash=row.secret_hash,
                    description=row.description,
                    create_ts=row.create_time,
                    expire_ts=row.expire_time,
                    revoke_ts=row.revoke_time,
                )
            )

    async def get_token(self, token_id: str) -> TokenRow | None:
        async with self._reading() as connection:
            found = await connection.execute(select(_tok).where(_tok.c.token_id == token_id))
            row = found.mappings().one_or_none()
        return None if row is None else _token(row)

    async def list_tokens(self) -> list[TokenRow]:
        query = select(_tok).order_by(_tok.c.create_ts, _tok.c.token_id)
        async with self._reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_token(row) for row in rows]

    async def revoke_tokens(
        self, *, now: int, token_id: str | None = None, user: str | None = None
    ) -> int:
        if token_id is None and user is None:
            raise ValueError("revoke by token id or by user")
        statement = update(_tok).where(_tok.c.revoke_ts.is_(None)).values(revoke_ts=now)
        if token_id is not None:
            statement = statement.where(_tok.c.token_id == token_id)
        if user is not None:
            statement = statement.where(_tok.c.user_name == user)
        async with self._writing() as connection:
            result = await connection.execute(statement)
        return int(result.rowcount)


def _token(row: RowMapping) -> TokenRow:
    return TokenRow(
        token_id=row["token_id"],
        user=row["user_name"],
        role=row["role"],
        secret_hash=row["secret_hash"],
        description=row["description"],
        create_time=row["create_ts"],
        expire_time=row["expire_ts"],
        revoke_time=row["revoke_ts"],
    )
