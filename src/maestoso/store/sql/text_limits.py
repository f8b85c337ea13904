"""The same text rules on SQLite and PostgreSQL: no NUL, and indexed text of bounded length.

PostgreSQL refuses a NUL in text and an index entry over about 2.7 KB; SQLite stores
both. Checked when a value is bound, each becomes a ValidationError (400) naming the
column on both databases, instead of a 500 on one and a success on the other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from maestoso.errors import ValidationError

INDEXED_TEXT_MAX_CHARS = 300
"""Characters of a text column in an index or key: two of them, at four UTF-8 bytes a
character, stay within PostgreSQL's index entry limit."""


class CheckedText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def __init__(self, inner: TypeEngine[Any], name: str, max_chars: int | None) -> None:
        super().__init__()
        self.checked_inner = inner
        self.column_label = name
        self.column_max_chars = max_chars

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return self.checked_inner  # as declared: a collation variant included

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if "\x00" in value:
            raise ValidationError(f"[{self.column_label}] must not contain a NUL character")
        limit = self.column_max_chars
        if limit is not None and len(value) > limit:
            raise ValidationError(
                f"[{self.column_label}] is {len(value)} characters long, over the limit of {limit}"
            )
        return value


def check_text_columns(metadata: MetaData) -> None:
    """Give every text column of ``metadata`` the checks (once, at import)."""
    for table in metadata.tables.values():
        keyed = {c.name for c in table.primary_key.columns}
        for index in table.indexes:
            keyed.update(c.name for c in index.columns)
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                keyed.update(c.name for c in constraint.columns)
        for column in table.columns:
            if isinstance(column.type, Text) and not isinstance(column.type, CheckedText):
                limit = INDEXED_TEXT_MAX_CHARS if column.name in keyed else None
                column.type = CheckedText(column.type, f"{table.name}.{column.name}", limit)
