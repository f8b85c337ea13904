"""Tag permits: at most ``max_allowed`` running steps carry a tag, across all workflows."""

from __future__ import annotations

from typing import Any

from maestoso.clock import Clock
from maestoso.engine.runtime.gates import STEP_CONCURRENCY_PREFIX
from maestoso.errors import NotFoundError, ValidationError
from maestoso.models import UserRef, user_name
from maestoso.store.controls import TagPermitRow
from maestoso.store.port import Store

MAX_ALLOWED_LIMIT = 2**31 - 1


class TagPermits:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def save(self, body: dict[str, Any], caller: UserRef) -> None:
        tag, max_allowed = body.get("tag"), body.get("max_allowed")
        problems = []
        if not isinstance(tag, str) or not tag:
            problems.append("tag: is required")
        elif tag.startswith(STEP_CONCURRENCY_PREFIX):
            problems.append(f"tag: names starting with [{STEP_CONCURRENCY_PREFIX}] are reserved")
        if (
            isinstance(max_allowed, bool)
            or not isinstance(max_allowed, int)
            or not (0 <= max_allowed <= MAX_ALLOWED_LIMIT)
        ):
            problems.append("max_allowed: must be a number >= 0")
        if problems:
            raise ValidationError(f"invalid tag permit: {problems[0]}", problems)
        assert isinstance(tag, str) and isinstance(max_allowed, int)
        now = self._clock.now_ms()
        current = await self._store.get_tag_permit(tag)
        verb = (
            "updated the tag permit to the new limit"
            if current
            else "created the tag permit with limit"
        )
        event = {
            "timestamp": now,
            "type": "LOG",
            "level": "INFO",
            "message": f"User [{user_name(caller)}] {verb} [{max_allowed}]",
        }
        extra = {k: v for k, v in body.items() if k not in ("tag", "max_allowed", "timeline")}
        await self._store.save_tag_permit(
            TagPermitRow(
                tag=tag,
                max_allowed=max_allowed,
                extra_info=extra or None,
                timeline=[*(current.timeline if current else []), event][-300:],
                create_time=current.create_time if current else now,
                modify_time=now,
            )
        )

    async def get(self, tag: str) -> dict[str, Any]:
        row = await self._store.get_tag_permit(tag)
        if row is None:
            raise NotFoundError(f"Cannot find the tag permit of [{tag}]")
        return {
            "tag": row.tag,
            "max_allowed": row.max_allowed,
            **(row.extra_info or {}),
            "timeline": row.timeline,
        }

    async def delete(self, tag: str) -> None:
        if not await self._store.delete_tag_permit(tag):
            raise NotFoundError(f"Cannot find the tag permit of [{tag}]")
