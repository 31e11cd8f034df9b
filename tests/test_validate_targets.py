"""Targets resolved before the pyshacl pass (validate/targets.py) change no verdict: the
report with them (and pyshacl run lean: validate/lean_pass.py) equals pyshacl's own, unpatched,
on the untouched shapes, on the whole network and on
selectors made to sit on the edges of the KNOWN_GOOD patterns."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from ccgraph import iris
from ccgraph.namespaces import OA, SH
from ccgraph.terms import from_ox
from ccgraph.validate import load_shapes, report_graph, validate
from ccgraph.validate.pyshacl_pass import run_pyshacl
from ccgraph.validate.report import results_of
from ccgraph.validate.targets import (
    KNOWN_GOOD,
    prefiltered_targets,
    quads_store,
    resolve_sparql_targets,
)
from ccgraph.validate.targets import sparql_targets as portable_targets

Key = tuple[object, ...]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def keys(graph: Graph) -> set[Key]:
    return {(r.focus, r.path, r.component, r.severity, r.shape if isinstance(r.shape, URIRef)
             else None, r.message, r.value) for r in results_of(graph)}


def test_every_known_good_shape_is_resolved(shapes: Graph) -> None:
    """Each KNOWN_GOOD entry names a shape with one class target (else it would be
    silently skipped), and the SPARQL targets are found."""
    assert {str(shape) for shape, _cls in prefiltered_targets(shapes)} == set(KNOWN_GOOD)
    resolved = resolve_sparql_targets(shapes, Graph())
    for shape, _target, _query in portable_targets(shapes):
        assert (shape, SH.target, None) not in resolved
    assert portable_targets(resolved) == []


def _selector(g: Graph, kind: URIRef, **values: Literal | list[Literal]) -> BNode:
    node = BNode()
    g.add((node, RDF.type, kind))
    for name, value in values.items():
        for v in value if isinstance(value, list) else [value]:
            g.add((node, OA[name], v))
    return node


def test_edge_selectors_get_pyshacls_own_verdict(shapes: Graph) -> None:
    """Selectors a loose reading of the shapes would pass: each reported as pyshacl
    reports it with the shapes as written."""
    g = Graph()
    pos = OA.TextPositionSelector
    integer, nonneg = XSD.integer, XSD.nonNegativeInteger
    cases = [("0", "0", integer), ("5", "5", nonneg), ("+5", "9", integer),
             ("05", "9", integer), (" 5", "9", integer), ("5", "4", integer),
             ("-0", "3", integer), ("1", "9", XSD.int),
             ("1", "9", XSD.decimal), ("2", "10", XSD.string)]
    for start, end, dtype in cases:
        _selector(g, pos, start=Literal(start, datatype=dtype), end=Literal(end, datatype=dtype))
    _selector(g, pos, start=[Literal(1), Literal(2)], end=Literal(5))
    _selector(g, pos, start=Literal(1), end=[Literal(5), Literal("5", datatype=nonneg)])
    _selector(g, pos, start=Literal(1))
    sub = URIRef("https://w3id.org/ccgraph/test#Selector")
    g.add((sub, RDFS.subClassOf, pos))
    _selector(g, sub, start=Literal(7), end=Literal(3))
    quote = OA.TextQuoteSelector
    for exact in (Literal("a"), Literal("a", lang="en"), Literal("a", datatype=XSD.string),
                  Literal("a", datatype=XSD.normalizedString), Literal(3)):
        _selector(g, quote, exact=exact)
    _selector(g, quote, exact=[Literal("a"), Literal("b")])
    _selector(g, quote)
    _selector(g, quote, exact=URIRef("https://example.org/a"))
    expected = keys(run_pyshacl(g, shapes, True, lean=False))
    assert len(expected) >= 15  # the cases do reach the shapes
    assert keys(report_graph(g, shapes, processes=1)) == expected


def test_network_report_equals_pyshacls_own(network_build: Path, shapes: Graph) -> None:
    """The whole network (as published, the VoID graph left out): the report with resolved
    targets, split over processes, equals one pyshacl pass over the shapes as written."""
    void = ox.NamedNode(str(iris.graph("void", iris.DEFAULT_BASE)))
    union = Graph()
    union.addN((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), union)
               for q in ox.parse(gzip.decompress((network_build / "dumps" / "ccgraph.nq.gz")
                                                 .read_bytes()), format=ox.RdfFormat.N_QUADS)
               if q.graph_name != void)
    expected = keys(run_pyshacl(union, shapes, True, lean=False))
    assert expected  # the network has warnings: the comparison is not between empty sets
    report = validate(union, shapes, processes=2)
    assert {(r.focus, r.path, r.component, r.severity,
             r.shape if isinstance(r.shape, URIRef) else None, r.message, r.value)
            for r in report.results} == expected


def test_quads_store_holds_each_triple_of_every_graph_once() -> None:
    """The store the build answers SPARQL targets on: its default graph is the union of the
    quads' graphs (the default graph too), a triple in several graphs counted once."""
    a, b, c = (ox.NamedNode(f"https://example.org/{n}") for n in "abc")
    g1, g2 = ox.NamedNode("https://example.org/g1"), ox.NamedNode("https://example.org/g2")
    quads = [ox.Quad(a, b, c, g1), ox.Quad(a, b, c, g2), ox.Quad(a, b, ox.Literal("x")),
             ox.Quad(c, b, ox.Literal("y", language="en"), g2), ox.Quad(a, b, c)]
    store = quads_store(quads)
    rows = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert isinstance(rows, ox.QuerySolutions)
    found = [(row["s"], row["p"], row["o"]) for row in rows]
    assert sorted(map(str, found)) == sorted(map(str, {(q.subject, q.predicate, q.object)
                                                       for q in quads}))
    count = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(count, ox.QuerySolutions)
    assert [int(row["n"].value) for row in count] == [3]
