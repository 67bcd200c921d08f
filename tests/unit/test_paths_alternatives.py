"""The memoised alternatives search gives exactly what a search from scratch gives, path for path."""

from __future__ import annotations

import pytest

from dindscope.analysis.alternatives import _from_scratch, alternatives
from dindscope.analysis.paths import cheapest_path, distances_to
from dindscope.analysis.subjects import subjects_of
from dindscope.graph import build_graph, nodes
from dindscope.snapshot.demo import load_demo
from tests.unit.test_whatif_copy import host_snapshot


def synthetic_host():
    from benchmarks.analyze import synthetic

    return synthetic(600, 7)


@pytest.mark.parametrize("make", [synthetic_host, host_snapshot, load_demo], ids=["synthetic", "model", "demo"])
@pytest.mark.parametrize("limit", [1, 3, 12])
def test_alternatives_equal_a_search_from_scratch(make, limit: int) -> None:
    graph = build_graph(make())
    subjects = subjects_of(graph)
    compared = 0
    for goal in nodes.GOALS:
        shared = distances_to(graph, goal)  # memo filled as the analysis fills it, subject after subject
        fresh = distances_to(graph, goal)
        for subject in subjects:
            best = cheapest_path(graph, subject.node, shared)
            if best is None:
                continue
            got = alternatives(graph, best, shared, limit)
            want = _from_scratch(graph._succ, best, fresh, limit)
            assert got == want, subject.name
            assert all(p.nodes[0] == subject.node and p.nodes[-1] == goal for p in got)
            assert len({(p.nodes, tuple(e.technique for e in p.edges)) for p in got}) == len(got)
            compared += bool(got)
    assert compared >= 3  # the hosts do have subjects with alternatives


def random_graph(seed: int, n: int = 40, m: int = 140):
    """A random attack-graph-shaped DiGraph: cycles, several technique variants per edge, tied costs."""
    import random

    import networkx as nx

    from dindscope.graph.edges import EdgeInfo, add_edge

    rnd = random.Random(seed)
    graph = nx.DiGraph()
    names = [f"n{i}" for i in range(n)] + list(nodes.GOALS)
    for name in names:
        graph.add_node(name, kind="container", name=name)
    for _ in range(m):
        u, v = rnd.choice(names[:n]), rnd.choice(names)
        if u != v:
            technique = rnd.choice("abcd")
            add_edge(graph, u, v, EdgeInfo(technique, "x", (str(rnd.random()),), rnd.choice([0.1, 0.2, 0.3, 0.5, 1.0])))
    return graph


@pytest.mark.parametrize("seed", range(40))
def test_alternatives_equal_a_search_from_scratch_on_random_graphs(seed: int) -> None:
    graph = random_graph(seed)
    for goal in nodes.GOALS:
        shared, fresh = distances_to(graph, goal), distances_to(graph, goal)
        for node in list(graph):
            best = cheapest_path(graph, node, shared)
            if best is not None:
                for limit in (2, 5):
                    assert alternatives(graph, best, shared, limit) == _from_scratch(graph._succ, best, fresh, limit)
