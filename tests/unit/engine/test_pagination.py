"""Cursor pagination over dense ids, as Maestro's PaginationHelper computes it."""

from __future__ import annotations

import pytest

from maestoso.engine.reads.pagination import PAGE_SIZE_MAX, PageRequest, page_result
from maestoso.errors import ValidationError


@pytest.mark.parametrize(
    ("first", "last", "cursor", "expected"),
    [
        (10, None, None, PageRequest(limit=10, newest_first=True, cursor=None)),
        (None, 5, None, PageRequest(limit=5, newest_first=False, cursor=None)),
        (1, None, "42", PageRequest(limit=1, newest_first=True, cursor=42)),
        (None, PAGE_SIZE_MAX, "7", PageRequest(limit=200, newest_first=False, cursor=7)),
        (3, None, "", PageRequest(limit=3, newest_first=True, cursor=None)),
    ],
)
def test_parse(
    first: int | None, last: int | None, cursor: str | None, expected: PageRequest
) -> None:
    assert PageRequest.parse(first, last, cursor) == expected


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (1, 1, "Either first or last need to be provided, but not both"),
        (None, None, "Either first or last need to be provided, both cannot be null"),
    ],
)
def test_exactly_one_of_first_and_last(first: int | None, last: int | None, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PageRequest.parse(first, last, None)
    assert caught.value.message == message
    assert caught.value.errors == ["exactly one of the query parameters first and last is required"]


@pytest.mark.parametrize(
    ("first", "last", "size", "field"),
    [
        (0, None, 0, "first"),
        (201, None, 201, "first"),
        (None, -1, -1, "last"),
        (None, 0, 0, "last"),
    ],
)
def test_page_size_out_of_range(first: int | None, last: int | None, size: int, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PageRequest.parse(first, last, None)
    assert caught.value.message == f"page size must be between 1 and 200, got {size}"
    assert caught.value.errors == [f"{field}: must be between 1 and 200"]


@pytest.mark.parametrize("cursor", ["abc", "1.5", "0x10", "12a"])
def test_bad_cursor(cursor: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PageRequest.parse(10, None, cursor)
    assert caught.value.message == f"invalid cursor [{cursor}]"
    assert caught.value.errors == ["cursor: must be an id"]


@pytest.mark.parametrize(
    ("first", "last", "cursor", "earliest", "latest", "ids"),
    [
        # newest first, no cursor: the latest ids
        (3, None, None, 1, 10, (8, 10)),
        (20, None, None, 1, 10, (1, 10)),
        (10, None, None, 1, 10, (1, 10)),
        (3, None, None, 5, 10, (8, 10)),
        (10, None, None, 5, 10, (5, 10)),
        # newest first, after a cursor: the ids below it
        (3, None, "8", 1, 10, (5, 7)),
        (3, None, "3", 1, 10, (1, 2)),
        (3, None, "2", 1, 10, (1, 1)),
        (3, None, "1", 1, 10, (0, 0)),
        # oldest first, no cursor: the earliest ids
        (None, 3, None, 1, 10, (1, 3)),
        (None, 20, None, 1, 10, (1, 10)),
        (None, 3, None, 5, 10, (5, 7)),
        # oldest first, after a cursor: the ids above it
        (None, 3, "3", 1, 10, (4, 6)),
        (None, 3, "8", 1, 10, (9, 10)),
        (None, 3, "9", 1, 10, (10, 10)),
        (None, 3, "10", 1, 10, (10, 10)),
        # a single id
        (1, None, None, 1, 1, (1, 1)),
        (None, 1, None, 1, 1, (1, 1)),
    ],
)
def test_id_range(
    first: int | None,
    last: int | None,
    cursor: str | None,
    earliest: int,
    latest: int,
    ids: tuple[int, int],
) -> None:
    assert PageRequest.parse(first, last, cursor).id_range(earliest, latest) == ids


def test_page_result() -> None:
    result = page_result(["v10", "v9", "v8"], (10, 8), 1, 10)
    assert result == {
        "page_info": {
            "start_cursor": "10",
            "end_cursor": "8",
            "has_previous_page": False,
            "has_next_page": True,
            "start_index": 1,
        },
        "total_count": 10,
        "elements": ["v10", "v9", "v8"],
    }


@pytest.mark.parametrize(
    ("ids", "earliest", "latest", "previous", "following", "start_index", "total"),
    [
        ((7, 5), 1, 10, True, True, 4, 10),
        ((3, 1), 1, 10, True, False, 8, 10),
        ((10, 1), 1, 10, False, False, 1, 10),
        ((10, 5), 5, 10, False, False, 1, 6),
        ((1, 1), 1, 1, False, False, 1, 1),
    ],
)
def test_page_info_flags(
    ids: tuple[int, int],
    earliest: int,
    latest: int,
    previous: bool,
    following: bool,
    start_index: int,
    total: int,
) -> None:
    result = page_result(["x"], ids, earliest, latest)
    info = result["page_info"]
    assert info["has_previous_page"] is previous
    assert info["has_next_page"] is following
    assert info["start_index"] == start_index
    assert info["start_cursor"] == str(ids[0])
    assert info["end_cursor"] == str(ids[1])
    assert result["total_count"] == total


@pytest.mark.parametrize(("elements", "ids"), [([], (3, 1)), ([], None)])
def test_an_empty_page(elements: list[str], ids: tuple[int, int] | None) -> None:
    # As Maestro: no cursors and no start index, and the latest id as the total.
    assert page_result(elements, ids, 2, 7) == {
        "page_info": {"has_previous_page": False, "has_next_page": False},
        "total_count": 7,
        "elements": [],
    }
