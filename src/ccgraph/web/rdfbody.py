"""Triples as bytes in a graph format (JSON-LD compacted with the ccgraph context), and
rdflib graphs as pyoxigraph triples."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph

from .. import jsonld
from ..formats import Format
from ..namespaces import PREFIXES


def serialize_triples(triples: Iterable[ox.Triple], fmt: Format, base: str) -> bytes:
    """Triples as bytes in a graph format; JSON-LD compacted with the ccgraph context."""
    triples = list(triples)
    if fmt.name == "jsonld":
        graph = Graph()
        if triples:
            graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return jsonld.to_jsonld(graph, base)
    assert isinstance(fmt.oxigraph, ox.RdfFormat)
    if fmt.name in ("ttl", "rdf"):  # grouped by subject reads better
        triples.sort(key=lambda t: (isinstance(t.subject, ox.BlankNode), str(t.subject),
                                    str(t.predicate), str(t.object)))
    prefixes = dict(PREFIXES) if fmt.name in ("ttl", "rdf") else None
    data = ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes)
    assert data is not None
    return data


def rdflib_triples(graph: Graph) -> list[ox.Triple]:
    """An rdflib graph as pyoxigraph triples (through N-Triples, so every term survives)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
