"""What a time trigger does about the times it missed while no server ran.

Maestro fires every missed time when its delayed message finally arrives. Maestoso makes it a
choice of each workflow version: a top-level ``time_trigger_catch_up`` object in the create
request (Maestro keeps unknown top-level keys as metadata, so the JSON stays valid for it)::

    {"properties": {...}, "workflow": {...},
     "time_trigger_catch_up": {"policy": "last", "max_runs": 10}}

``policy`` is ``all`` (the default, as Maestro: every missed time, at most ``max_runs`` of the
latest, default 100), ``last`` (only the latest due time) or ``none`` (skip them). A time is
missed when it is due for longer than ``GRACE_MS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

METADATA_KEY = "time_trigger_catch_up"
GRACE_MS = 60_000
DEFAULT_MAX_RUNS = 100
POLICIES = ("all", "last", "none")


@dataclass(frozen=True, slots=True)
class CatchUp:
    policy: str = "all"
    max_runs: int = DEFAULT_MAX_RUNS

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "max_runs": self.max_runs}

    def choose(self, missed: list[int], *, on_time: bool) -> list[int]:
        """The missed times to fire, oldest first; ``on_time`` when a time is due just now
        (which fires anyway, and is the latest for the ``last`` policy)."""
        if self.policy == "none" or not missed:
            return []
        if self.policy == "last":
            return [] if on_time else missed[-1:]
        return missed[-self.max_runs :]


def catch_up_policy(metadata: dict[str, Any] | None) -> CatchUp:
    """The policy a version's metadata names; the default for anything unreadable."""
    return parse_catch_up((metadata or {}).get(METADATA_KEY))


def parse_catch_up(raw: Any) -> CatchUp:
    if not isinstance(raw, dict):
        return CatchUp()
    policy = str(raw.get("policy", "all")).lower()
    limit = raw.get("max_runs", DEFAULT_MAX_RUNS)
    if policy not in POLICIES:
        policy = "all"
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        limit = DEFAULT_MAX_RUNS
    return CatchUp(policy, limit)
