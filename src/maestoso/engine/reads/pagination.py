"""Maestro's cursor pagination over dense ids (versions, instances, runs): newest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maestoso.errors import ValidationError

PAGE_SIZE_MAX = 200


@dataclass(frozen=True, slots=True)
class PageRequest:
    """``first`` pages go from the newest id down; ``last`` pages from the oldest up."""

    limit: int
    newest_first: bool
    cursor: int | None

    @classmethod
    def parse(cls, first: int | None, last: int | None, cursor: str | None) -> PageRequest:
        if (first is None) == (last is None):
            both = "but not both" if first is not None else "both cannot be null"
            raise ValidationError(
                f"Either first or last need to be provided, {both}",
                ["exactly one of the query parameters first and last is required"],
            )
        limit = first if first is not None else last
        assert limit is not None
        if not 1 <= limit <= PAGE_SIZE_MAX:
            raise ValidationError(
                f"page size must be between 1 and {PAGE_SIZE_MAX}, got {limit}",
                [f"{'first' if first is not None else 'last'}: must be between 1 and 200"],
            )
        parsed: int | None = None
        if cursor:
            try:
                parsed = int(cursor)
            except ValueError:
                raise ValidationError(
                    f"invalid cursor [{cursor}]", ["cursor: must be an id"]
                ) from None
        return cls(limit=limit, newest_first=first is not None, cursor=parsed)

    def id_range(self, earliest: int, latest: int) -> tuple[int, int]:
        """The inclusive ``(low, high)`` ids of the page."""
        if self.newest_first:
            high = latest if self.cursor is None else self.cursor - 1
            low = max(earliest, high + 1 - self.limit)
        else:
            low = earliest if self.cursor is None else self.cursor + 1
            high = min(latest, low - 1 + self.limit)
        return min(low, high), high


def page_result(
    elements: list[Any], ids: tuple[int, int] | None, earliest: int, latest: int
) -> dict[str, Any]:
    """The ``PaginationResult`` body; ``ids`` are the (start, end) ids of the elements."""
    if not elements or ids is None:
        return {
            "page_info": {"has_previous_page": False, "has_next_page": False},
            "total_count": latest,
            "elements": [],
        }
    start, end = ids
    return {
        "page_info": {
            "start_cursor": str(start),
            "end_cursor": str(end),
            "has_previous_page": start < latest,
            "has_next_page": end > earliest,
            "start_index": latest + 1 - start,
        },
        "total_count": latest - earliest + 1,
        "elements": elements,
    }
