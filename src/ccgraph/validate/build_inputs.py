"""What a build validates, made in the validation process from what the build holds: the
union of its named graphs (validate/frozen.py) and the shapes with their SPARQL targets
resolved (validate/targets.py) on a pyoxigraph store of the same triples.

The build converts its graphs to pyoxigraph quads (to publish them) before it starts the
validation. The store the target queries run on is loaded with those quads as they are,
one for each distinct triple (the frozen union finds the repeats while it indexes the
triples), and queried as the union of its graphs: the graph a pyshacl pass sees, with no
triple copied into a default graph (half the cost of the store on the network).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from .frozen import frozen_union_beside
from .shapes import load_shapes
from .targets import resolve_sparql_targets

Triple = tuple[Node, Node, Node]


class BuildInputs:
    """The data and the shapes of a build's validation, each made when first asked for (in
    the validation process: validate.background.start takes :meth:`data` and
    :meth:`shapes`).

    ``graphs``: named graph -> its triples; ``converted``: for each graph with triples, in
    the same order, its quads first (one for each triple, in the same order), as
    publish.convert_graphs gives them; ``shapes``: makes the shapes as written."""

    def __init__(self, graphs: Mapping[URIRef, Sequence[Triple]],
                 converted: Iterable[tuple[Sequence[ox.Quad], Any, Any]],
                 shapes: Callable[[], Graph] = load_shapes) -> None:
        self._graphs = graphs
        self._converted = converted
        self._load_shapes = shapes
        self._data: Graph | None = None
        self._quads: list[ox.Quad] = []

    def data(self) -> Graph:
        """The union of the graphs, read-only (each triple once)."""
        if self._data is None:
            self._data, self._quads = frozen_union_beside(
                (t for triples in self._graphs.values() for t in triples),
                (q for quads, *_rest in self._converted for q in quads))
        return self._data

    def shapes(self) -> Graph:
        """The shapes, their portable SPARQL targets resolved on the data."""
        self.data()
        store = ox.Store()
        store.bulk_extend(self._quads)  # each triple once: see the module docstring
        return resolve_sparql_targets(self._load_shapes(), store, union=True)


__all__ = ["BuildInputs"]
