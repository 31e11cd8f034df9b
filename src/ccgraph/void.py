"""The dataset's own description: VoID and DCAT, computed from the store with SPARQL.

The build calls :func:`describe_dataset` at publish time and stores the result in the named
graph ``{base}graph/void``; the server returns that graph at ``/.well-known/void``.

The counting convention (docs/counting.md says it for readers; this is the one place the
code applies it):

* a *triple* is a distinct (subject, predicate, object): a triple stated in two named
  graphs counts once;
* the dataset is the store's **default graph**: the union of *all* named graphs,
  ``graph/void`` (this description) included. ``void:triples`` is therefore exactly what
  ``SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }`` returns on the SPARQL endpoint, what the
  home page shows and the number of lines of the ``ccgraph.nt.gz`` dump;
* ``void:entities`` (distinct IRIs under ``void:uriSpace`` used as subjects),
  ``void:classes``, ``void:properties``, ``void:distinctSubjects``, ``void:distinctObjects``
  and the class and property partitions count over the same default graph;
* each ``void:subset`` is one named graph, and its ``void:triples`` the triples stated in
  it; the subsets' sum is the number of quads, larger than ``void:triples`` because some
  triples sit in more than one graph.

The chicken and the egg: the description sits in the union it counts, so its own triples
are counted too. :func:`describe_dataset` makes a draft, counts the union of the data and
the draft (:func:`tally`, in Python: the same numbers as the queries below, measured equal
in the tests, and fast enough to repeat), writes those counts into the next draft, and
repeats until the counts no longer change: three or four rounds on the network (the first
draft adds the description's own classes and properties, the next their partitions; the
number of triples does not depend on the numbers stated). Only ``void:distinctObjects``
depends on its own value (a number may or may not equal another object); in the rare case
that no value is right, it is left out rather than stated wrongly.

A build counts from the union's N-Triples lines, which it has before the store is filled
(void_lines.LineTally, the same numbers as :func:`tally`; linkset counts too); a write from
the counts it keeps (writes/fast.py). :data:`COUNT_TRIPLES` and friends are those queries,
run on the default graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from . import iris, rights
from .dumpfiles import DUMPS
from .linksets import add_linksets
from .namespaces import PREFIXES, SD
from .terms import to_ox_memo

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
_RDF_TYPE = ox.NamedNode(str(RDF.type))
TITLE = "ccgraph: the UNESCO Creative Cities Network as linked data"
DESCRIPTION = (
    "Member cities of the UNESCO Creative Cities Network, their memberships by creative field "
    "and year, the pledges of their profiles with the text span that supports each fact, and "
    "curated facts about Sapporo (Media Arts): venues, creators, works and events. "
    "Sizes count distinct triples in the union of all named graphs, this description "
    "included: the default graph of the SPARQL endpoint."
)
EXAMPLE_CITY = ("jp", "Sapporo")
IANA = "https://www.iana.org/assignments/media-types/"

COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
#: the size of the dataset, on the endpoint's default graph (a set: no DISTINCT needed)
COUNT_DEFAULT_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
#: what a size means, in one sentence for pages (docs/model.md, "Counting", says it in full)
COUNTING_NOTE = (
    "Triples are distinct statements in the union of all named graphs, the dataset "
    "description included: the number that SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } "
    "returns at /sparql, that VoID states as void:triples and that the N-Triples dump holds."
)
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


def _ask(store: ox.Store, graphs: list[ox.NamedNode] | None, query: str
         ) -> list[ox.QuerySolution]:
    """Rows of ``query``: over ``graphs`` as the default graph, or the store's own default
    graph when ``graphs`` is None."""
    if graphs is not None and not graphs:
        return []
    options: dict[str, Any] = {}
    if graphs is not None:
        options = {"default_graph": list(graphs), "named_graphs": []}
    result = store.query(query, **options)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _count(store: ox.Store, graphs: list[ox.NamedNode] | None, query: str) -> int:
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


@dataclass(frozen=True)
class Statistics:
    """The counts a description states, over one default graph."""

    triples: int
    entities: int
    subjects: int
    objects: int
    properties: int
    classes: int
    class_partitions: tuple[tuple[str, int], ...]
    property_partitions: tuple[tuple[str, int], ...]


def count_statistics(store: ox.Store, space: str) -> Statistics:
    """The statistics of ``store``'s default graph (``space``: the ``void:uriSpace``)."""
    parts = []
    for query, key in ((CLASS_PARTITIONS, "c"), (PROPERTY_PARTITIONS, "p")):
        found = []
        for row in _ask(store, None, query):
            term, n = row[key], row["n"]
            assert isinstance(term, ox.NamedNode) and isinstance(n, ox.Literal)
            found.append((term.value, int(n.value)))
        parts.append(tuple(sorted(found)))
    return Statistics(
        triples=_count(store, None, COUNT_TRIPLES),
        entities=_count(store, None, COUNT_ENTITIES.format(space=_string(space))),
        subjects=_count(store, None, COUNT_SUBJECTS),
        objects=_count(store, None, COUNT_OBJECTS),
        properties=_count(store, None, COUNT_PROPERTIES),
        classes=_count(store, None, COUNT_CLASSES),
        class_partitions=parts[0], property_partitions=parts[1])


def _union(store: ox.Store, graphs: list[ox.NamedNode]) -> tuple[set[ox.Triple], dict[str, int]]:
    """The distinct triples of ``graphs``, and how many each graph states."""
    seen: set[ox.Triple] = set()
    sizes: dict[str, int] = {}
    for graph in graphs:
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
        sizes[graph.value] = len(triples)
        seen.update(triples)
    return seen, sizes


def tally(triples: Iterable[ox.Triple], space: str) -> Statistics:
    """The same statistics as :func:`count_statistics`, counted in Python over a set of
    triples (a build counts several drafts; the queries stay the reference, and the tests
    compare the two on a real server)."""
    return Tally(triples, space).statistics()


class Tally:
    """The counts of :func:`tally` over a set of triples, kept so that the counts of that
    set plus a few more triples (a draft description) cost only the few:
    :meth:`with_extra`."""

    def __init__(self, triples: Iterable[ox.Triple], space: str) -> None:
        self.space = space
        self.triples: set[ox.Triple] = set(triples)
        self.subjects: set[object] = {t.subject for t in self.triples}
        self.objects: set[object] = {t.object for t in self.triples}
        self.per_property: Counter[str] = Counter(t.predicate.value for t in self.triples)
        types = [t for t in self.triples if t.predicate == _RDF_TYPE]
        self.classes: set[object] = {t.object for t in types}
        self.instances: dict[str, set[object]] = {}
        for t in types:
            if isinstance(t.object, ox.NamedNode):
                self.instances.setdefault(t.object.value, set()).add(t.subject)
        self.entities = self._entities(self.subjects)

    def _entities(self, subjects: Iterable[object]) -> int:
        return sum(1 for x in subjects
                   if isinstance(x, ox.NamedNode) and x.value.startswith(self.space))

    def statistics(self) -> Statistics:
        return Statistics(
            triples=len(self.triples), entities=self.entities, subjects=len(self.subjects),
            objects=len(self.objects), properties=len(self.per_property),
            classes=len(self.classes),
            class_partitions=tuple(sorted((c, len(xs)) for c, xs in self.instances.items())),
            property_partitions=tuple(sorted(self.per_property.items())))

    def with_extra(self, extra: Iterable[ox.Triple]) -> Statistics:
        """The statistics of these triples and ``extra`` together (this tally unchanged)."""
        new = {t for t in extra if t not in self.triples}
        subjects = {t.subject for t in new} - self.subjects
        objects = {t.object for t in new} - self.objects
        per_property = Counter(t.predicate.value for t in new)
        types = [t for t in new if t.predicate == _RDF_TYPE]
        classes = {t.object for t in types} - self.classes
        added: dict[str, set[object]] = {}
        for t in types:
            if isinstance(t.object, ox.NamedNode):
                known = self.instances.get(t.object.value, set())
                if t.subject not in known:
                    added.setdefault(t.object.value, set()).add(t.subject)
        entities = self.entities + self._entities(subjects)
        all_properties = self.per_property + per_property
        partitions = {c: len(xs) for c, xs in self.instances.items()}
        for c, xs in added.items():
            partitions[c] = partitions.get(c, 0) + len(xs)
        return Statistics(
            triples=len(self.triples) + len(new), entities=entities,
            subjects=len(self.subjects) + len(subjects),
            objects=len(self.objects) + len(objects),
            properties=len(set(self.per_property) | set(per_property)),
            classes=len(self.classes) + len(classes),
            class_partitions=tuple(sorted(partitions.items())),
            property_partitions=tuple(sorted(all_properties.items())))


def _draft_triples(description: Graph) -> set[ox.Triple]:
    term = to_ox_memo()
    return {ox.Triple(term(s), term(p), term(o))  # type: ignore[arg-type]
            for s, p, o in description}


#: rounds of :func:`describe_dataset` before ``void:distinctObjects`` is given up
MAX_ROUNDS = 6


class Counted(Protocol):
    """Counts kept up to date elsewhere (a write: writes/fast.py), so that
    :func:`describe_dataset` need not count the whole store again."""

    @property
    def sizes(self) -> Mapping[str, int]: ...  # triples per named graph

    def statistics(self, extra: set[ox.Triple]) -> Statistics: ...  # of the data and extra


@dataclass(frozen=True)
class Known:
    """All that :func:`describe_dataset` reads from a store, known without one (a build
    knows it from the union's lines before its store is filled: void_lines.known)."""

    counted: Counted  # the counts, and the size of each named graph (graph/void aside)
    links: Mapping[str, int]  # linksets.count_query -> its answer on the data
    example: str | None  # the example resource (:func:`example_resource`), or none


def example_resource(base: str, has_subject: Callable[[str], bool],
                     first_subject: Callable[[str], str | None]) -> str | None:
    """``void:exampleResource``: Sapporo, else the first city IRI used as a subject
    (``first_subject(prefix)``: the least such IRI in code point order, as SPARQL's
    ORDER BY gives it)."""
    example = str(iris.city(*EXAMPLE_CITY, base=base))
    return example if has_subject(example) else first_subject(f"{base}id/city/")


def describe_dataset(store: ox.Store | None, meta: DatasetInfo, base: str, *,
                     public_url: str | None = None, counted: Counted | None = None,
                     known: Known | None = None) -> Graph:
    """VoID + DCAT for the dataset in ``store`` (minted under ``base``), counting the
    union of the store's named graphs and this description (see the module docstring).

    ``public_url`` is where the service runs (``/sparql``, ``/dumps/`` …); by default the
    base itself, because the canonical IRIs resolve to the service. A ``graph/void``
    already in ``store`` is ignored: the new description replaces it. ``known``: all
    that would be read from the store, when the caller has it (``store`` may then be
    None).
    """
    if not base.endswith("/"):
        base += "/"
    space = f"{base}id/"
    sizes: Mapping[str, int]
    count: Callable[[set[ox.Triple]], Statistics]
    counts: dict[str, int] = {}  # the linksets' counts: the same data in every round
    if known is not None:
        own = str(void_graph(base))
        graphs = sorted((ox.NamedNode(g) for g in known.counted.sizes if g != own),
                        key=lambda g: g.value)
        sizes, count = known.counted.sizes, known.counted.statistics
        counts.update(known.links)
        example = known.example
    elif store is None:
        raise ValueError("describe_dataset needs the store, or all it would read (known)")
    else:
        graphs = dataset_graphs(store, base)
        if counted is None:
            data, sizes = _union(store, graphs)
            count = Tally(data, space).with_extra  # a draft's counts cost only its own
        else:
            sizes, count = counted.sizes, counted.statistics
        example = _example(store, graphs, base)
    stats = count(set())  # the data alone: the first draft

    def count_once(query: str) -> int:
        if query not in counts:
            assert store is not None  # else known holds every count
            counts[query] = _count(store, graphs, query)
        return counts[query]

    with_objects = True
    for round_ in range(2 * MAX_ROUNDS):
        if round_ == MAX_ROUNDS:
            with_objects = False  # no value of distinctObjects counts itself right
        g = _describe(graphs, sizes, meta, base, public_url, stats, with_objects,
                      count_once, example)
        found = count(_draft_triples(g))
        if found == stats or (not with_objects
                              and replace(found, objects=0) == replace(stats, objects=0)):
            return g
        stats = found
    raise RuntimeError("the dataset description did not settle on its own counts")


def _example(store: ox.Store, graphs: list[ox.NamedNode], base: str) -> str | None:
    """:func:`example_resource`, asked of the store."""
    def has_subject(iri: str) -> bool:
        return any(True for _ in store.quads_for_pattern(ox.NamedNode(iri), None, None))

    def first_subject(prefix: str) -> str | None:
        rows = _ask(store, graphs, "SELECT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && "
                                   f"STRSTARTS(STR(?s), {_string(prefix)})) }} "
                                   "ORDER BY ?s LIMIT 1")
        return rows[0]["s"].value if rows else None

    return example_resource(base, has_subject, first_subject)


def _describe(graphs: list[ox.NamedNode], sizes: Mapping[str, int],
              meta: DatasetInfo, base: str, public_url: str | None, stats: Statistics,
              with_objects: bool, count: Callable[[str], int],
              example: str | None) -> Graph:
    """One draft of the description, stating ``stats``; ``sizes``: triples per graph;
    ``count``: the number a COUNT query answers over ``graphs``."""
    site = (public_url or base).rstrip("/") + "/"
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
    g.add((ds, VOID.triples, _int(stats.triples)))
    g.add((ds, VOID.entities, _int(stats.entities)))
    g.add((ds, VOID.distinctSubjects, _int(stats.subjects)))
    if with_objects:
        g.add((ds, VOID.distinctObjects, _int(stats.objects)))
    g.add((ds, VOID.properties, _int(stats.properties)))
    g.add((ds, VOID.classes, _int(stats.classes)))

    vocabularies: set[str] = set()
    for cls, n in stats.class_partitions:
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, _int(n)))
        if (vocab := _namespace_of(cls)) is not None:
            vocabularies.add(vocab)
    for prop, n in stats.property_partitions:
        part = BNode()
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, _int(n)))
        if (vocab := _namespace_of(prop)) is not None:
            vocabularies.add(vocab)
    for ns in sorted(vocabularies):
        g.add((ds, VOID.vocabulary, URIRef(ns)))

    if example is not None:
        g.add((ds, VOID.exampleResource, URIRef(example)))

    for graph in graphs:
        g.add((ds, VOID.subset, URIRef(f"{ds}#graph-{_slug(graph.value, base)}")))
        sub = URIRef(f"{ds}#graph-{_slug(graph.value, base)}")
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDF.type, SD.NamedGraph))
        g.add((sub, SD.name, URIRef(graph.value)))
        g.add((sub, VOID.triples, _int(sizes[graph.value])))
        rights.describe_subset(g, ds, sub, graph.value, base)
    rights.describe_statements(g, ds)

    links = str(iris.graph("links", base))
    parent = (URIRef(f"{ds}#graph-{_slug(links, base)}")
              if any(graph.value == links for graph in graphs) else ds)
    add_linksets(g, ds, parent, count)

    endpoint = URIRef(site + "sparql")
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    service = URIRef(f"{ds}#sparql")
    g.add((ds, DCAT.accessService, service))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, ds))
    g.add((ds, VOID.rootResource, iris.network(base)))
    for dump in DUMPS:  # RDF dumps are void:dataDump; files of framed cities are not
        url = URIRef(f"{site}dumps/{dump.name}")
        if dump.rdf is not None:
            g.add((ds, VOID.dataDump, url))
        dist = URIRef(f"{ds}#dump-{dump.name.replace('.', '-')}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCTERMS.title, Literal(dump.name)))
        if dump.spec is not None:
            g.add((dist, DCTERMS.conformsTo, URIRef(dump.spec)))
        if dump.media_type is not None:
            g.add((dist, DCAT.mediaType, URIRef(IANA + dump.media_type)))
        if dump.compressed:
            g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    _describe_own_graph(g, ds, base)
    return g


def _describe_own_graph(g: Graph, ds: URIRef, base: str) -> None:
    """The subset for ``graph/void`` itself: its size is that of ``g`` plus this triple."""
    own = URIRef(f"{ds}#graph-{_slug(str(void_graph(base)), base)}")
    g.add((ds, VOID.subset, own))
    g.add((own, RDF.type, VOID.Dataset))
    g.add((own, RDF.type, SD.NamedGraph))
    g.add((own, SD.name, void_graph(base)))
    g.add((own, VOID.triples, _int(len(g) + 1)))


def _string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@lru_cache(maxsize=65536)
def _slug(graph: str, base: str) -> str:
    tail = graph[len(base):] if graph.startswith(base) else graph
    return "".join(c if c.isalnum() else "-" for c in tail).strip("-")
