"""JSON-LD: the published ``@context`` and compaction of graphs with it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from .namespaces import PREFIXES


def context(base: str) -> dict[str, Any]:
    """The context object: the prefixes ccgraph uses, and ``@base`` for its identifiers."""
    ctx: dict[str, Any] = dict(sorted(PREFIXES.items()))
    ctx["ccgraph"] = base
    return ctx


def context_document(base: str) -> bytes:
    return json.dumps({"@context": context(base)}, indent=2, ensure_ascii=False).encode("utf-8")


def to_jsonld(graph: Graph | Iterable[tuple[Node, Node, Node]], base: str) -> bytes:
    """Serialize triples as JSON-LD compacted with the ccgraph context (embedded inline,
    so expanding the document needs no network)."""
    if not isinstance(graph, Graph):
        g = Graph()
        for triple in graph:
            g.add(triple)
        graph = g
    data = graph.serialize(format="json-ld", context=context(base), auto_compact=True)
    return data.encode("utf-8")
