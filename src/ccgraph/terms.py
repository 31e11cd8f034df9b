"""Moving RDF between rdflib and pyoxigraph (rdflib's own Dataset parsing warns in 7.x)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def to_ox(term: Node) -> OxTerm:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def to_ox_memo() -> Callable[[Node], OxTerm]:
    """:func:`to_ox` remembering each term it converted: a graph repeats its IRIs, so
    converting a whole graph through one of these costs one conversion per distinct term."""
    memo: dict[Node, OxTerm] = {}

    def term(node: Node) -> OxTerm:
        found = memo.get(node)
        if found is None:
            found = memo[node] = to_ox(node)
        return found

    return term


def from_ox(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


def quads_to_dataset(quads: Iterable[ox.Quad]) -> Dataset:
    """pyoxigraph quads -> an rdflib Dataset (default-graph quads go to its default graph)."""
    ds = Dataset()
    graphs: dict[str, Graph] = {}
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            target = ds.default_graph
        else:
            key = q.graph_name.value
            if key not in graphs:
                graphs[key] = ds.graph(URIRef(key) if isinstance(q.graph_name, ox.NamedNode)
                                       else BNode(key))
            target = graphs[key]
        target.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    return ds


def parse_dataset(data: bytes | str, fmt: ox.RdfFormat) -> Dataset:
    """Parse N-Quads or TriG (or a triple format, into the default graph)."""
    return quads_to_dataset(ox.parse(data, format=fmt))


def union_graph(dataset: Dataset) -> Graph:
    """Every triple of every graph of ``dataset``, once."""
    g = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def parse_graph(data: bytes | str, fmt: ox.RdfFormat) -> Graph:
    """Parse any RDF syntax pyoxigraph reads into one rdflib Graph (graph names dropped)."""
    g = Graph()
    for q in ox.parse(data, format=fmt):
        g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    return g
