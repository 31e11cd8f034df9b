"""What a build validates (validate/build_inputs.py), made from its graphs and their
pyoxigraph quads: the union of the graphs, and the shapes with their SPARQL targets
answered on one quad for each distinct triple, queried as the union of the graphs. The
targets are those a store whose default graph holds the union finds (targets.quads_store),
also when a triple stated in two graphs would be counted twice by an aggregate."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ccgraph import publish
from ccgraph.namespaces import SH
from ccgraph.validate import report_graph
from ccgraph.validate.build_inputs import BuildInputs
from ccgraph.validate.report import results_of
from ccgraph.validate.targets import quads_store, resolve_sparql_targets

EX = "https://example.org/"
A, B, C, D, P = (URIRef(EX + n) for n in ("a", "b", "c", "d", "p"))
G1, G2 = URIRef(EX + "g1"), URIRef(EX + "g2")
SHAPE = URIRef(EX + "OnceShape")

#: selects the nodes with one value of ex:p: an aggregate, which counts what it is given
SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
<{SHAPE}> a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ; sh:select \"\"\"
        SELECT ?this WHERE {{
            {{ SELECT ?this (COUNT(?o) AS ?n) WHERE {{ ?this <{P}> ?o }} GROUP BY ?this }}
            FILTER (?n = 1) }}\"\"\" ] ;
    sh:property [ sh:path <{P}> ; sh:datatype <http://www.w3.org/2001/XMLSchema#string> ] .
"""


def _shapes() -> Graph:
    return Graph().parse(data=SHAPES, format="turtle")


def test_targets_count_a_triple_of_two_graphs_once() -> None:
    # a's one value stated in both graphs; b has two values; d's one value is a literal
    graphs = {G1: [(A, P, C), (B, P, C), (B, P, D), (D, P, Literal("x"))],
              G2: [(A, P, C), (D, P, Literal("x"))]}
    converted = publish.convert_graphs(graphs)
    inputs = BuildInputs(graphs, converted, _shapes)
    data = inputs.data()
    assert len(data) == 4 and set(data) == {t for ts in graphs.values() for t in ts}
    shapes = inputs.shapes()
    assert set(shapes.objects(SHAPE, SH.targetNode)) == {A, D}
    every_quad = quads_store(q for quads, _stable, _bnodes in converted for q in quads)
    assert isomorphic(shapes, resolve_sparql_targets(_shapes(), every_quad))
    # the targets reach the pass: a's value is an IRI, not a string
    found = {(r.focus, r.value) for r in results_of(report_graph(data, shapes, processes=1))}
    assert found == {(A, C)}


def test_data_is_made_once() -> None:
    graphs = {G1: [(A, P, C)]}
    inputs = BuildInputs(graphs, publish.convert_graphs(graphs), _shapes)
    assert inputs.data() is inputs.data()
    assert set(inputs.shapes().objects(SHAPE, SH.targetNode)) == {A}
