"""The attack graph: nodes (goals, engines, endpoints, containers, paths, devices, users, networks) and edges
(technique, explanation, evidence, cost)."""

from dindscope.graph.builder import build_graph
from dindscope.graph.context import BuildContext, container_node
from dindscope.graph.edges import EdgeInfo, edge_variants

__all__ = ["BuildContext", "EdgeInfo", "build_graph", "container_node", "edge_variants"]
