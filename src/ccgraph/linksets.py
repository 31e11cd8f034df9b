"""VoID linksets: the links from ccgraph to other datasets, counted with SPARQL.

One ``void:Linkset`` per target dataset (GeoNames, Wikidata) that has links, a
``void:subset`` of the subset for the named graph ``graph/links`` (the dataset's own
``void:subset``s are one per named graph, see void.py): ``void:subjectsTarget`` ccgraph,
``void:objectsTarget`` the target (both also ``void:target``), ``void:linkPredicate
owl:sameAs`` and ``void:triples`` the number of distinct ``owl:sameAs`` triples whose
object lies in the target's URI space. Every such link is mirrored by ``schema:sameAs``
(for JSON-LD users); the linkset counts the ``owl:sameAs`` ones. Anyone can reproduce a
count on the SPARQL endpoint with :func:`count_query`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from . import iris
from .namespaces import DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD


@dataclass(frozen=True)
class Target:
    slug: str
    title: str
    dataset: URIRef  # the target dataset's IRI
    uri_space: str  # the IRIs of its entities start with this
    homepage: URIRef


TARGETS: tuple[Target, ...] = (
    Target("geonames", "GeoNames", URIRef("https://www.geonames.org/"), iris.GEONAMES,
           URIRef("https://www.geonames.org/")),
    Target("wikidata", "Wikidata", URIRef("http://www.wikidata.org/"), iris.WIKIDATA,
           URIRef("https://www.wikidata.org/")),
)
LINK_PREDICATE = OWL.sameAs


def count_query(target: Target) -> str:
    """SPARQL that counts the linkset's triples (the store's default graph: the union)."""
    space = target.uri_space.replace("\\", "\\\\").replace('"', '\\"')
    return ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { "
            f"?s <{LINK_PREDICATE}> ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), \"{space}\")) }} }}")


def linkset_iri(dataset: URIRef, target: Target) -> URIRef:
    """The linkset's IRI (iris.linkset), for the dataset ``{base}id/dataset``."""
    base = str(dataset).removesuffix("id/dataset")
    return iris.linkset(target.slug, base)


def add_linksets(g: Graph, dataset: URIRef, parent: URIRef,
                 count: Callable[[str], int]) -> dict[str, int]:
    """Describe one linkset per target that has links in ``g``, each a ``void:subset`` of
    ``parent`` (the subset of the named graph the links are in, graph/links: the dataset's
    own subsets stay one per named graph); ``count`` runs a count query on the data.
    Returns target slug -> number of links."""
    counts: dict[str, int] = {}
    for target in TARGETS:
        n = count(count_query(target))
        counts[target.slug] = n
        if not n:
            continue
        ls = linkset_iri(dataset, target)
        g.add((parent, VOID.subset, ls))
        g.add((ls, RDF.type, VOID.Linkset))
        g.add((ls, RDFS.label, Literal(f"Links to {target.title}", lang="en")))
        g.add((ls, VOID.subjectsTarget, dataset))
        g.add((ls, VOID.objectsTarget, target.dataset))
        g.add((ls, VOID.target, dataset))
        g.add((ls, VOID.target, target.dataset))
        g.add((ls, VOID.linkPredicate, LINK_PREDICATE))
        g.add((ls, VOID.triples, Literal(n, datatype=XSD.integer)))
        g.add((target.dataset, RDF.type, VOID.Dataset))
        g.add((target.dataset, DCTERMS.title, Literal(target.title, lang="en")))
        g.add((target.dataset, RDFS.label, Literal(target.title, lang="en")))
        g.add((target.dataset, VOID.uriSpace, Literal(target.uri_space)))
        g.add((target.dataset, FOAF.homepage, target.homepage))
    return counts
