"""How the flow groups are shared among the live nodes of a cluster.

Every node works the same answer out from the same rows: the live nodes (registered, their
``alive_until`` ahead) and the groups in use. Each node holds an even share, the remainder
going to the first nodes by name, so the shares differ by one at most; a node above its share
hands groups over, a node below it claims free or expired ones. A node that joins or leaves
changes everyone's share; a notification (``Topic.NODES``) makes them act on it at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from maestoso.store.records import GroupRow, NodeRow


def live_nodes(nodes: Iterable[NodeRow], now: int, me: str) -> list[str]:
    """The nodes alive at ``now``, by name; ``me`` always among them."""
    return sorted({node.node_id for node in nodes if node.alive_until >= now} | {me})


def share_of(groups: int, nodes: list[str], me: str) -> int:
    """How many of ``groups`` groups ``me`` should hold among ``nodes`` (sorted names)."""
    base, remainder = divmod(groups, len(nodes))
    return base + (1 if nodes.index(me) < remainder else 0)


def claimable(
    universe: Iterable[int], rows: Mapping[int, GroupRow], now: int, me: str
) -> list[int]:
    """Groups nobody else holds: never claimed, released, with a lease that ended, or held
    under ``me`` (a node restarted under the same name takes its groups back at once)."""
    return [
        group_id
        for group_id in universe
        if (row := rows.get(group_id)) is None or row.owner in (None, me) or row.owned_until < now
    ]


def to_hand_over(held: Mapping[int, int], count: int) -> list[int]:
    """Which ``count`` of the held groups (group id → flows running here) to give up: those
    running the fewest flows, so that the fewest runs move."""
    return sorted(held, key=lambda group_id: (held[group_id], -group_id))[: max(count, 0)]
