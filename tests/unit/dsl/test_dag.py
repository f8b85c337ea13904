"""The step graph of one level: edges, roots, cycles and topological order."""

from __future__ import annotations

import pytest

from maestoso.dsl.dag import Dag


def test_build_derives_predecessors_in_definition_order() -> None:
    dag = Dag.build({"a": ["c", "b"], "b": ["c"], "c": []})
    assert dag.successors == {"a": ("c", "b"), "b": ("c",), "c": ()}
    assert dag.predecessors == {"a": (), "b": ("a",), "c": ("a", "b")}
    assert dag.roots == ["a"]


def test_build_ignores_successors_naming_no_step() -> None:
    dag = Dag.build({"a": ["ghost", "b"], "b": []})
    assert dag.successors["a"] == ("b",)
    assert "ghost" not in dag.predecessors


def test_roots_of_a_forest() -> None:
    assert Dag.build({"a": [], "b": ["c"], "c": [], "d": []}).roots == ["a", "b", "d"]


@pytest.mark.parametrize(
    "edges",
    [
        {},
        {"a": []},
        {"a": ["b"], "b": ["c"], "c": []},
        {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []},
        {"a": ["c"], "b": ["c"], "c": []},
    ],
)
def test_acyclic_graphs_have_no_cycle(edges: dict[str, list[str]]) -> None:
    assert Dag.build(edges).find_cycle() is None


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ({"a": ["a"]}, ["a", "a"]),
        ({"a": ["b"], "b": ["a"]}, ["a", "b", "a"]),
        ({"s": ["x"], "x": ["y"], "y": ["z"], "z": ["x"]}, ["x", "y", "z", "x"]),
        ({"a": ["b"], "b": ["c", "d"], "c": [], "d": ["b"]}, ["b", "d", "b"]),
        ({"a": [], "b": ["c"], "c": ["b"]}, ["b", "c", "b"]),
    ],
)
def test_find_cycle_names_the_steps_in_edge_order(
    edges: dict[str, list[str]], cycle: list[str]
) -> None:
    dag = Dag.build(edges)
    assert dag.find_cycle() == cycle


def test_a_cycle_is_found_after_a_finished_branch() -> None:
    # "c" is fully explored from "a" before the cycle through "d" is entered.
    dag = Dag.build({"a": ["c", "d"], "c": [], "d": ["e"], "e": ["c", "d"]})
    assert dag.find_cycle() == ["d", "e", "d"]


def test_topological_order_puts_each_step_after_its_predecessors() -> None:
    dag = Dag.build({"a": ["c"], "b": ["c", "d"], "c": ["e"], "d": ["e"], "e": []})
    order = dag.topological_order()
    assert order == ["a", "b", "c", "d", "e"]
    for step, successors in dag.successors.items():
        for successor in successors:
            assert order.index(step) < order.index(successor)


def test_topological_order_breaks_ties_in_definition_order() -> None:
    dag = Dag.build({"z": [], "y": ["x"], "x": [], "w": []})
    assert dag.topological_order() == ["z", "y", "w", "x"]


def test_topological_order_leaves_out_steps_on_a_cycle() -> None:
    dag = Dag.build({"a": ["b"], "b": ["c"], "c": ["b"], "d": []})
    assert dag.topological_order() == ["a", "d"]


def test_dag_is_frozen() -> None:
    dag = Dag.build({"a": []})
    with pytest.raises(AttributeError):
        dag.successors = {}  # type: ignore[misc]
