"""Rights, subset by subset: what the project licenses, and what it only quotes.

The project's own work and the facts (the ontology, the vocabularies, the curated facts,
the members table, the description of the dataset, and in the profile graphs every
statement that is not a quotation: IRIs, positions, offsets, themes, checksums) are
licensed CC BY 4.0. The words of UNESCO's city profiles are not the project's to
license: they reach the graph only as quotations, with their source, in the literals of
:data:`QUOTED_PROPERTIES` (a profile document's full text, a pledge's exact text, the
quoted span of an evidence selector).

The dataset description (VoID, ``{base}graph/void``) states this per named graph:
each ``void:subset`` carries ``dcterms:rights`` (a ``dcterms:RightsStatement``) and, when
all of the graph is the project's, ``dcterms:license``. Each release also offers an open
dump (:func:`open_quads`) that leaves the quotations out and is CC BY 4.0 as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from . import iris
from .namespaces import OA, SCHEMA

OPEN_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
#: where graph/links comes from: GeoNames (CC BY 4.0) and Natural Earth (public domain)
LINK_SOURCES = ("https://www.geonames.org/", "https://www.naturalearthdata.com/")
#: literals that hold UNESCO's words (quoted, with their source)
QUOTED_PROPERTIES: frozenset[str] = frozenset(
    str(p) for p in (SCHEMA.text, OA.exact, OA.prefix, OA.suffix))
#: a selector that only quotes: left out of the open dump as a whole
QUOTE_SELECTOR = str(OA.TextQuoteSelector)
HAS_SELECTOR = str(OA.hasSelector)
RDF_TYPE = str(RDF.type)

OPEN_TEXT = ("CC BY 4.0. The project's own work and facts: ontology, vocabularies, curated "
             "facts written in the project's words, the members table, identifiers, "
             "positions and offsets.")
QUOTED_TEXT = ("Holds quotations of UNESCO's city profiles (the profile document's full "
               "text, each pledge's exact text, the quoted span of each evidence selector: "
               "schema:text, oa:exact), quoted as evidence with their source "
               "(dcterms:source). Those words are UNESCO's and are not licensed by the "
               "ccgraph project; every other statement of the graph is CC BY 4.0. The open "
               "dump of each release leaves the quotations out.")


def statement(dataset: URIRef, kind: str) -> URIRef:
    return URIRef(f"{dataset}#rights-{kind}")


def describe_statements(g: Graph, dataset: URIRef) -> None:
    """The two rights statements, and the dataset's own ``dcterms:rights``."""
    for kind, text in (("open", OPEN_TEXT), ("quoted", QUOTED_TEXT)):
        node = statement(dataset, kind)
        g.add((node, RDF.type, DCTERMS.RightsStatement))
        g.add((node, RDFS.label, Literal(text, lang="en")))
    g.add((statement(dataset, "open"), DCTERMS.license, URIRef(OPEN_LICENSE)))
    g.add((dataset, DCTERMS.rights, statement(dataset, "open")))
    g.add((dataset, DCTERMS.rights, statement(dataset, "quoted")))


def describe_subset(g: Graph, dataset: URIRef, subset: URIRef, graph_iri: str,
                    base: str) -> None:
    """``dcterms:rights`` (and ``dcterms:license`` or ``dcterms:source``) of one graph."""
    document = iris.profile_for_graph(graph_iri, base)
    if document is not None:
        g.add((subset, DCTERMS.rights, statement(dataset, "quoted")))
        g.add((subset, DCTERMS.source, document))
    else:
        g.add((subset, DCTERMS.rights, statement(dataset, "open")))
        g.add((subset, DCTERMS.license, URIRef(OPEN_LICENSE)))
    if graph_iri == str(iris.graph("links", base)):
        # coordinates and population from GeoNames (CC BY 4.0: credited), codes from
        # Natural Earth (public domain); see links.py
        for source in LINK_SOURCES:
            g.add((subset, DCTERMS.source, URIRef(source)))


def open_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads without the quotations: no literal of :data:`QUOTED_PROPERTIES`, and no
    ``oa:TextQuoteSelector`` (a quote selector with its quote gone says nothing); the
    position selectors, the spans' IRIs (which carry the offsets) and every fact stay.

    A literal of any other property that repeats :data:`RUN` words of a quotation (a name
    the extractor took from a profile that is really a clause of it) is a quotation too,
    and is left out as well."""
    quads = list(quads)
    quote_nodes = {q.subject for q in quads if q.predicate.value == RDF_TYPE
                   and isinstance(q.object, ox.NamedNode) and q.object.value == QUOTE_SELECTOR}
    quoted_runs: set[tuple[str, ...]] = set()
    for q in quads:
        if q.predicate.value in QUOTED_PROPERTIES and isinstance(q.object, ox.Literal):
            quoted_runs.update(word_runs(q.object.value))
    kept = []
    for q in quads:
        if isinstance(q.object, ox.Literal) and (q.predicate.value in QUOTED_PROPERTIES or (
                quoted_runs and not quoted_runs.isdisjoint(word_runs(q.object.value)))):
            continue
        if q.subject in quote_nodes:
            continue
        if q.predicate.value == HAS_SELECTOR and q.object in quote_nodes:
            continue
        kept.append(q)
    return kept


#: words in a row that make a quotation (the project's check of copied prose uses 12)
RUN = 12
_WORD = re.compile(r"\w+")


def word_runs(text: str, size: int = RUN) -> set[tuple[str, ...]]:
    """Every run of ``size`` consecutive words (lower case) of ``text``."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}
