"""The dataset's own description: VoID and DCAT, computed from the store with SPARQL.

The build calls :func:`describe_dataset` at publish time and stores the result in the named
graph ``{base}graph/void``; the server returns that graph at ``/.well-known/void``.

What the counts count (so a reader can reproduce them with SPARQL on the same server):

* the dataset is every named graph of the store **except** ``{base}graph/void`` itself —
  the description is about the data, not about itself;
* ``void:triples`` is the number of *distinct* triples in the union of those graphs (a
  triple stated in two graphs counts once; that is also what the union dumps hold);
* ``void:entities`` is the number of distinct IRIs under ``void:uriSpace`` (``{base}id/``)
  used as subjects; ``void:classes``, ``void:properties``, ``void:distinctSubjects`` and
  ``void:distinctObjects`` are distinct counts over the same triples;
* a class partition's ``void:entities`` is the number of distinct instances of the class;
  a property partition's ``void:triples`` the number of distinct triples using it.

:data:`COUNT_TRIPLES` and friends are those queries; run them with the dataset's graphs
(all but ``graph/void``) as the default graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from . import iris
from .linksets import add_linksets
from .namespaces import PREFIXES, SD

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "ccgraph: the UNESCO Creative Cities Network as linked data"
DESCRIPTION = (
    "Member cities of the UNESCO Creative Cities Network, their memberships by creative field "
    "and year, the pledges of their profiles with the text span that supports each fact, and "
    "curated facts about Sapporo (Media Arts): venues, creators, works and events. "
    "Counts describe every named graph except the graph holding this description."
)
EXAMPLE_CITY = ("jp", "Sapporo")
IANA = "https://www.iana.org/assignments/media-types/"

COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
COUNT_SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
COUNT_OBJECTS = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"
COUNT_PROPERTIES = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"
COUNT_CLASSES = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"
COUNT_ENTITIES = (
    "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o "
    "FILTER(isIRI(?s) && STRSTARTS(STR(?s), {space})) }}"
)
CLASS_PARTITIONS = (
    "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c"
)
PROPERTY_PARTITIONS = (
    "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } GROUP BY ?p"
)

#: dump file name -> (media type, compressed)
DUMPS: dict[str, tuple[str, bool]] = {
    "ccgraph.ttl": ("text/turtle", False),
    "ccgraph.nt.gz": ("application/n-triples", True),
    "ccgraph.nq.gz": ("application/n-quads", True),
    "ccgraph.jsonld": ("application/ld+json", False),
}


class DatasetInfo(Protocol):
    """What :func:`describe_dataset` needs from the build's metadata (``store.BuildMeta``)."""

    @property
    def created(self) -> str: ...

    @property
    def extra(self) -> Mapping[str, Any]: ...


def void_graph(base: str) -> URIRef:
    return iris.graph("void", base)


def dataset_graphs(store: ox.Store, base: str) -> list[ox.NamedNode]:
    """The named graphs the description is about: all but ``graph/void``."""
    own = str(void_graph(base))
    graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value != own]
    return sorted(graphs, key=lambda g: g.value)


def _ask(store: ox.Store, graphs: list[ox.NamedNode], query: str) -> list[ox.QuerySolution]:
    if not graphs:
        return []
    result = store.query(query, default_graph=list(graphs), named_graphs=[])
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _count(store: ox.Store, graphs: list[ox.NamedNode], query: str) -> int:
    rows = _ask(store, graphs, query)
    if not rows:
        return 0
    value = rows[0]["n"]
    return int(value.value) if isinstance(value, ox.Literal) else 0


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _namespace_of(term: str) -> str | None:
    for ns in sorted(PREFIXES.values(), key=len, reverse=True):
        if term.startswith(ns):
            return ns
    cut = max(term.rfind("#"), term.rfind("/"))
    return term[: cut + 1] if cut > 0 else None


def describe_dataset(store: ox.Store, meta: DatasetInfo, base: str, *,
                     public_url: str | None = None) -> Graph:
    """VoID + DCAT for the dataset in ``store`` (minted under ``base``).

    ``public_url`` is where the service runs (``/sparql``, ``/dumps/`` …); by default the
    base itself, because the canonical IRIs resolve to the service.
    """
    if not base.endswith("/"):
        base += "/"
    site = (public_url or base).rstrip("/") + "/"
    graphs = dataset_graphs(store, base)
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    ds = iris.dataset(base)
    extra = dict(meta.extra or {})

    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(str(extra.get("title", TITLE)), lang="en")))
    g.add((ds, RDFS.label, Literal(str(extra.get("title", TITLE)), lang="en")))
    g.add((ds, DCTERMS.description, Literal(str(extra.get("description", DESCRIPTION)),
                                            lang="en")))
    g.add((ds, DCTERMS.license, URIRef(str(extra.get("license", DEFAULT_LICENSE)))))
    g.add((ds, DCTERMS.modified, Literal(meta.created, datatype=XSD.dateTime)))
    publisher = URIRef(f"{ds}#publisher")
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(str(extra.get("publisher", "The ccgraph project")))))
    g.add((publisher, RDFS.label, Literal(str(extra.get("publisher", "The ccgraph project")),
                                          lang="en")))
    g.add((ds, DCTERMS.subject, iris.network(base)))

    space = f"{base}id/"
    g.add((ds, VOID.uriSpace, Literal(space)))
    g.add((ds, VOID.triples, _int(_count(store, graphs, COUNT_TRIPLES))))
    g.add((ds, VOID.entities, _int(_count(
        store, graphs, COUNT_ENTITIES.format(space=_string(space))))))
    g.add((ds, VOID.distinctSubjects, _int(_count(store, graphs, COUNT_SUBJECTS))))
    g.add((ds, VOID.distinctObjects, _int(_count(store, graphs, COUNT_OBJECTS))))
    g.add((ds, VOID.properties, _int(_count(store, graphs, COUNT_PROPERTIES))))
    g.add((ds, VOID.classes, _int(_count(store, graphs, COUNT_CLASSES))))

    vocabularies: set[str] = set()
    for row in _ask(store, graphs, CLASS_PARTITIONS):
        cls, n = row["c"], row["n"]
        assert isinstance(cls, ox.NamedNode) and isinstance(n, ox.Literal)
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls.value)))
        g.add((part, VOID.entities, _int(int(n.value))))
        if (vocab := _namespace_of(cls.value)) is not None:
            vocabularies.add(vocab)
    for row in _ask(store, graphs, PROPERTY_PARTITIONS):
        prop, n = row["p"], row["n"]
        assert isinstance(prop, ox.NamedNode) and isinstance(n, ox.Literal)
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop.value)))
        g.add((part, VOID.triples, _int(int(n.value))))
        if (vocab := _namespace_of(prop.value)) is not None:
            vocabularies.add(vocab)
    for ns in sorted(vocabularies):
        g.add((ds, VOID.vocabulary, URIRef(ns)))

    example = iris.city(*EXAMPLE_CITY, base=base)
    if any(True for _ in store.quads_for_pattern(ox.NamedNode(str(example)), None, None)):
        g.add((ds, VOID.exampleResource, example))
    else:
        for row in _ask(store, graphs, "SELECT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && "
                                       f"STRSTARTS(STR(?s), {_string(space + 'city/')})) }} "
                                       "ORDER BY ?s LIMIT 1"):
            g.add((ds, VOID.exampleResource, URIRef(row["s"].value)))

    for graph in graphs:
        g.add((ds, VOID.subset, URIRef(f"{ds}#graph-{_slug(graph.value, base)}")))
        sub = URIRef(f"{ds}#graph-{_slug(graph.value, base)}")
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDF.type, SD.NamedGraph))
        g.add((sub, SD.name, URIRef(graph.value)))
        g.add((sub, VOID.triples, _int(sum(1 for _ in store.quads_for_pattern(
            None, None, None, graph)))))

    add_linksets(g, ds, lambda query: _count(store, graphs, query))

    endpoint = URIRef(site + "sparql")
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    service = URIRef(f"{ds}#sparql")
    g.add((ds, DCAT.accessService, service))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, ds))
    g.add((ds, VOID.rootResource, iris.network(base)))
    for name, (media_type, compressed) in DUMPS.items():
        url = URIRef(f"{site}dumps/{name}")
        g.add((ds, VOID.dataDump, url))
        dist = URIRef(f"{ds}#dump-{name.replace('.', '-')}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media_type)))
        g.add((dist, DCTERMS.title, Literal(name)))
        if compressed:
            g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    return g


def _string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _slug(graph: str, base: str) -> str:
    tail = graph[len(base):] if graph.startswith(base) else graph
    return "".join(c if c.isalnum() else "-" for c in tail).strip("-")
