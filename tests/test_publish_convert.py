"""The publish stage's conversion of rdflib triples to pyoxigraph quads (publish.convert_graphs,
which writes N-Quads text for pyoxigraph to parse): every term comes out as terms.to_ox makes
it, however awkward its characters, and a triple that is no RDF is refused with its graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDFS, XSD
from rdflib.term import Node

from ccgraph import publish
from ccgraph.terms import to_ox

G = URIRef("https://w3id.org/ccgraph/graph/test")
S = URIRef("https://w3id.org/ccgraph/id/city/jp/sapporo")


def by_to_ox(triples: list[tuple[Node, Node, Node]]) -> list[ox.Quad]:
    g = ox.NamedNode(str(G))
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples]


AWKWARD = ['say "hi"', "back\\slash", "two\nlines", "carriage\rreturn", "tab\there",
           "\\n is not a newline", "", "Sapporo 札幌", "emoji 🎌", 'end\\', '"', "\\\"",
           "\u0000nul", "\u2028line separator"]


def test_awkward_literals_and_terms_come_out_as_to_ox_makes_them() -> None:
    triples: list[tuple[Node, Node, Node]] = [(S, RDFS.label, Literal(text)) for text in AWKWARD]
    triples += [
        (S, RDFS.label, Literal("Sapporo", lang="en")),
        (S, RDFS.label, Literal("Sapporo", lang="en-GB")),
        (S, RDFS.comment, Literal("2013", datatype=XSD.gYear)),
        (S, RDFS.comment, Literal("01", datatype=XSD.integer)),
        (S, RDFS.comment, Literal("plain", datatype=XSD.string)),
        (S, RDFS.seeAlso, URIRef("https://example.org/a?b=c&d=%20#f")),
        (BNode("b0123456789abcdef"), RDFS.seeAlso, BNode("Nfree")),
        (S, RDFS.comment, Literal(str(S))),  # a literal spelled as an IRI used elsewhere
        (S, RDFS.seeAlso, URIRef("https://w3id.org/ccgraph/id/city/jp/sapporo")),
    ]
    [(quads, stable, bnodes)] = publish.convert_graphs({G: triples})
    assert quads == by_to_ox(triples)
    assert bnodes == {"b0123456789abcdef", "Nfree"} and not stable


def test_stable_blank_nodes_are_told_apart_from_the_others() -> None:
    [(_q, stable, bnodes)] = publish.convert_graphs(
        {G: [(BNode("b0123456789abcdef"), RDFS.label, Literal("x"))]})
    assert stable and bnodes == {"b0123456789abcdef"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=8),
           st.sampled_from([None, "en", "fr", "zh-Hant"]))
def test_any_text_comes_out_as_to_ox_makes_it(texts: list[str], lang: str | None) -> None:
    texts = [t for t in texts if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    triples: list[tuple[Node, Node, Node]] = [
        (S, RDFS.label, Literal(t, lang=lang)) for t in dict.fromkeys(texts)]
    if triples:
        assert publish.convert_graphs({G: triples})[0][0] == by_to_ox(triples)


@pytest.mark.parametrize("triple", [
    (Literal("a subject"), RDFS.label, Literal("x")),
    (S, BNode("p"), Literal("x")),
    (S, Literal("p"), Literal("x")),
])
def test_a_triple_that_is_no_rdf_is_refused(triple: tuple[Node, Node, Node]) -> None:
    fine: tuple[Node, Node, Node] = (S, RDFS.label, Literal("fine"))
    with pytest.raises(ValueError, match="not a valid RDF triple"):
        publish.convert_graphs({G: [fine, triple]})


def test_an_iri_that_is_no_iri_is_refused_with_its_graph() -> None:
    bad = URIRef("https://example.org/a b")  # rdflib only logs that it is no IRI
    with pytest.raises(ValueError, match=str(G)):
        publish.convert_graphs({G: [(S, RDFS.seeAlso, bad)]})
