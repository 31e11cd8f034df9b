"""Triples gathered in order before they go anywhere: the model, the members and the links
write into a :class:`Buffer` (or an rdflib Graph: both are :class:`Triples`), which the
build keeps as each named graph's triples (build.Assembled.triples) and
:meth:`Buffer.into` adds to a Graph in one call when a Graph is wanted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from rdflib import Graph
from rdflib.term import Node


class Triples(Protocol):
    """Where the model writes: an rdflib Graph, or a :class:`Buffer` of triples."""

    def add(self, triple: tuple[Node, Node, Node], /) -> object: ...

    def __contains__(self, triple: object, /) -> bool: ...


class Buffer:
    """Triples gathered in order (each once), to be added to a graph in one addN call:
    much cheaper than one Graph.add per triple."""

    def __init__(self) -> None:
        self._seen: dict[tuple[Node, Node, Node], None] = {}

    def add(self, triple: tuple[Node, Node, Node], /) -> Buffer:
        self._seen.setdefault(triple, None)
        return self

    def __contains__(self, triple: object, /) -> bool:
        return triple in self._seen

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return iter(self._seen)

    def __len__(self) -> int:
        return len(self._seen)

    def into(self, graph: Graph) -> Graph:
        graph.addN((s, p, o, graph) for s, p, o in self._seen)
        return graph


__all__ = ["Buffer", "Triples"]
