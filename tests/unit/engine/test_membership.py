"""How flow groups are shared among live nodes."""

from __future__ import annotations

import pytest

from maestoso.engine.runtime.membership import claimable, live_nodes, share_of, to_hand_over
from maestoso.store.records import GroupRow, NodeRow

NOW = 1_000_000


def node(node_id: str, alive_until: int) -> NodeRow:
    return NodeRow(
        node_id=node_id, start_time=0, heartbeat_time=0, alive_until=alive_until, info={}
    )


def group(group_id: int, owner: str | None, owned_until: int) -> GroupRow:
    return GroupRow(
        group_id=group_id,
        generation=1,
        owner=owner,
        heartbeat_time=0,
        owned_until=owned_until,
    )


def test_live_nodes_are_those_not_expired_and_always_this_one() -> None:
    nodes = [node("c", NOW), node("a", NOW - 1), node("b", NOW + 5)]

    assert live_nodes(nodes, NOW, "z") == ["b", "c", "z"]
    assert live_nodes([], NOW, "a") == ["a"]


@pytest.mark.parametrize("groups", [1, 3, 64, 65, 100])
@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_shares_cover_every_group_and_differ_by_one_at_most(groups: int, count: int) -> None:
    nodes = [f"node-{n}" for n in range(count)]

    shares = [share_of(groups, nodes, me) for me in nodes]

    assert sum(shares) == groups
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True)  # the remainder goes to the first names


def test_free_expired_and_own_groups_are_claimable() -> None:
    rows = {
        0: group(0, "other", NOW + 1),
        1: group(1, "other", NOW - 1),
        2: group(2, None, 0),
        3: group(3, "me", NOW + 1),
    }

    assert claimable(range(5), rows, NOW, "me") == [1, 2, 3, 4]


def test_groups_running_the_fewest_flows_are_handed_over_first() -> None:
    held = {1: 4, 2: 0, 3: 1, 4: 0}

    assert to_hand_over(held, 3) == [4, 2, 3]
    assert to_hand_over(held, 0) == []
    assert to_hand_over(held, -2) == []
