"""The step graph of one workflow level: edges, roots, cycles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dag:
    """Successors and predecessors of each step, in definition order."""

    successors: Mapping[str, tuple[str, ...]]
    predecessors: Mapping[str, tuple[str, ...]]

    @classmethod
    def build(cls, edges: Mapping[str, Iterable[str]]) -> Dag:
        """From ``step → successors``; successors naming no step are ignored here."""
        successors = {step: tuple(s for s in succ if s in edges) for step, succ in edges.items()}
        predecessors: dict[str, list[str]] = {step: [] for step in edges}
        for step, succ in successors.items():
            for target in succ:
                predecessors[target].append(step)
        return cls(successors, {step: tuple(p) for step, p in predecessors.items()})

    @property
    def roots(self) -> list[str]:
        return [step for step, preds in self.predecessors.items() if not preds]

    def find_cycle(self) -> list[str] | None:
        """The steps of one cycle in edge order (first step repeated at the end), or None."""
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        for start in self.successors:
            if state.get(start):
                continue
            path: list[str] = [start]
            iterators = [iter(self.successors[start])]
            state[start] = 1
            while iterators:
                nxt = next(iterators[-1], None)
                if nxt is None:
                    state[path.pop()] = 2
                    iterators.pop()
                elif state.get(nxt) == 1:
                    return [*path[path.index(nxt) :], nxt]
                elif not state.get(nxt):
                    state[nxt] = 1
                    path.append(nxt)
                    iterators.append(iter(self.successors[nxt]))
        return None

    def topological_order(self) -> list[str]:
        """Steps so that each comes after its predecessors (ties in definition order)."""
        remaining = {step: len(preds) for step, preds in self.predecessors.items()}
        ready = [step for step, count in remaining.items() if count == 0]
        order: list[str] = []
        while ready:
            step = ready.pop(0)
            order.append(step)
            for succ in self.successors[step]:
                remaining[succ] -= 1
                if remaining[succ] == 0:
                    ready.append(succ)
        return order
