"""What ``/doc/...`` describes: a resource, its parts, its inbound links and its neighbours'
labels, read level by level so that a remote engine answers a page in a few queries.

A description holds the resource's own triples, those of its sub-resources (blank nodes it
points to, and hash IRIs ``{iri}#...`` such as evidence spans with their selectors, found
from its own triples or its inbound links), the evidence spans it cites (``ccg:evidence``,
``ccg:yearEvidence``, with their selectors), the resources it is made of (a city's
memberships, pledges, facilities, events, creators and works, with their own triples and
evidence: ``OWNED_OUT``/``OWNED_IN``), every inbound link, and the ``rdfs:label`` /
``skos:prefLabel`` of each neighbour. The framed JSON-LD (``ccgraph.framing``) arranges
exactly these triples as a tree.

:func:`describe` walks the parts breadth first and asks its :class:`Lookups` for a whole
level at a time. The embedded store answers with one ``quads_for_pattern`` per subject (as
fast as before: no query is parsed). A remote engine (:class:`RemoteLookups`) answers with
queries that each start from IRIs written in the query, so that the engine has one plan to
choose:

1. one query per level of the walk: the triples of its IRIs and of the blank nodes they
   reach through up to :data:`remote_store.BLANK_DEPTH` blank nodes
   (``RemoteStore.prefetch``, ``VALUES`` of at most :data:`VALUES_CHUNK` IRIs; IRIs read
   for an earlier page are remembered and not asked again);
2. one query for the inbound links (at most the cap), and, only when a link's predicate
   decides ownership by class (``OWNED_IN_OF_CLASS``), one for the classes of its subjects;
3. one query for the labels of every neighbour (``VALUES``).

A city's Turtle costs about seven queries of a few milliseconds each. It used to cost two:
the resource, its parts to two hops, then blank nodes to three more, its owners' parts and
its inbound links in one query whose hop chains joined a ``UNION`` of roots. Virtuoso 7.2
chose a plan for that query per server start, and on some starts the blank node hops ran
as scans: the same query took 0.3 CPU-s on one start and 2.5, 6 or 21 CPU-s on others (the
hops past the evidence spans, which find nothing, cost the most), past the 15 s deadline
under load (a 503 for ``/doc/city/jp/sapporo`` in CI).

The walk itself runs here in both cases, on the same rules, so that the remote answer is
the embedded one. Blank nodes have no name a query could use: one further than BLANK_DEPTH
blank nodes from an IRI is described as empty (none in the data).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from ..namespaces import CCG, RDF, RDFS, SKOS
from ..remote_store import RemoteError, RemoteStore

Subject = ox.NamedNode | ox.BlankNode
LABELS = (ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.prefLabel)))
RDF_TYPE_NODE = ox.NamedNode(str(RDF.type))
#: objects of these are evidence spans: described with the resource that cites them
EVIDENCE = (ox.NamedNode(str(CCG.evidence)), ox.NamedNode(str(CCG.yearEvidence)))
#: the parts of a resource, described with it: what it points to (a city's memberships) ...
OWNED_OUT = (ox.NamedNode(str(CCG.membership)),)
#: ... and what points to it (a city's pledges)
OWNED_IN = tuple(ox.NamedNode(str(p)) for p in (CCG.commitmentOf, CCG.locatedIn, CCG.basedIn,
                                                 CCG.originatedIn))
#: ... and what points to it through a shared property, when of a class (a field's
#: memberships, not the pledges that also name the field)
OWNED_IN_OF_CLASS = {ox.NamedNode(str(CCG.field)): ox.NamedNode(str(CCG.Membership))}
#: most IRIs in one VALUES block of a remote query
VALUES_CHUNK = 2000


@dataclass
class Description:
    iri: str
    triples: set[ox.Triple] = field(default_factory=set)
    inbound: set[ox.Triple] = field(default_factory=set)
    subjects: list[Subject] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.triples and not self.inbound

    def all_triples(self) -> set[ox.Triple]:
        return self.triples | self.inbound


class Lookups(Protocol):
    """What :func:`describe` asks of a store, a level at a time."""

    def subjects(self, subjects: Sequence[Subject]) -> dict[Subject, list[ox.Triple]]:
        """Every triple of each subject (all graphs)."""
        ...

    def inbound(self, node: ox.NamedNode, cap: int) -> list[ox.Triple]:
        """The distinct triples with ``node`` as object, at most ``cap``."""
        ...

    def typed(self, subjects: Iterable[Subject], cls: ox.NamedNode) -> set[Subject]:
        """Those of ``subjects`` that are of class ``cls``."""
        ...

    def labels(self, nodes: Iterable[ox.NamedNode]) -> list[ox.Triple]:
        """The ``rdfs:label`` and ``skos:prefLabel`` triples of ``nodes``."""
        ...


class EmbeddedLookups:
    """The embedded store (pyoxigraph): one pattern lookup per subject, no query."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def subjects(self, subjects: Sequence[Subject]) -> dict[Subject, list[ox.Triple]]:
        return {s: [q.triple for q in self.store.quads_for_pattern(s, None, None)]
                for s in subjects}

    def inbound(self, node: ox.NamedNode, cap: int) -> list[ox.Triple]:
        found: dict[ox.Triple, None] = {}
        for quad in self.store.quads_for_pattern(None, None, node):
            if len(found) >= cap:
                break
            found[quad.triple] = None
        return list(found)

    def typed(self, subjects: Iterable[Subject], cls: ox.NamedNode) -> set[Subject]:
        return {s for s in subjects
                if any(True for _ in self.store.quads_for_pattern(s, RDF_TYPE_NODE, cls))}

    def labels(self, nodes: Iterable[ox.NamedNode]) -> list[ox.Triple]:
        return [q.triple for n in nodes for p in LABELS
                for q in self.store.quads_for_pattern(n, p, None)]


class RemoteLookups:
    """A remote engine (``serve --backend``): a few queries, each anchored on IRIs the
    query names (see the module docstring). Made for one :func:`describe` call."""

    def __init__(self, store: RemoteStore, node: ox.NamedNode, cap: int) -> None:
        self.store = store
        self.node = node
        self.cap = cap

    def subjects(self, subjects: Sequence[Subject]) -> dict[Subject, list[ox.Triple]]:
        """The level's IRIs and the blank nodes they reach: one query per
        :data:`VALUES_CHUNK` IRIs not remembered yet (RemoteStore.prefetch); the blank
        nodes of the level were read with the IRIs of an earlier one."""
        # the blank nodes first: a prefetch may start the store's memo again
        found: dict[Subject, list[ox.Triple]] = {
            s: self._triples(s) for s in subjects if isinstance(s, ox.BlankNode)}
        names = [s for s in subjects if isinstance(s, ox.NamedNode)]
        for start in range(0, len(names), VALUES_CHUNK):
            chunk = names[start:start + VALUES_CHUNK]
            self.store.prefetch(chunk)
            found.update((s, self._triples(s)) for s in chunk)
        return {s: found[s] for s in subjects}

    def _triples(self, subject: Subject) -> list[ox.Triple]:
        return [q.triple for q in self.store.quads_for_pattern(subject, None, None)]

    def inbound(self, node: ox.NamedNode, cap: int) -> list[ox.Triple]:
        rows = self._select(f"SELECT DISTINCT ?s ?p WHERE {{ GRAPH ?g {{ ?s ?p {node} }} }} "
                            f"LIMIT {cap}")
        return [ox.Triple(r["s"], r["p"], node) for r in rows]  # type: ignore[arg-type]

    def typed(self, subjects: Iterable[Subject], cls: ox.NamedNode) -> set[Subject]:
        """Asked only for the subjects of an inbound link by a predicate of
        OWNED_IN_OF_CLASS (blank nodes among them: the query names the link, not them)."""
        wanted = set(subjects)
        if not wanted:
            return set()
        found: set[Subject] = set()
        for predicate, of_class in OWNED_IN_OF_CLASS.items():
            if of_class == cls:
                rows = self._select(
                    f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s {predicate} {self.node} }} "
                    f"GRAPH ?h {{ ?s {RDF_TYPE_NODE} {cls} }} }}")
                found.update(r["s"] for r in rows)  # type: ignore[misc]
        return found & wanted

    def labels(self, nodes: Iterable[ox.NamedNode]) -> list[ox.Triple]:
        names = sorted(set(nodes), key=lambda n: n.value)
        out: list[ox.Triple] = []
        preds = " ".join(map(str, LABELS))
        for start in range(0, len(names), VALUES_CHUNK):
            chunk = " ".join(map(str, names[start:start + VALUES_CHUNK]))
            rows = self._select(f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {chunk} }} "
                                f"VALUES ?p {{ {preds} }} GRAPH ?g {{ ?s ?p ?o }} }}")
            out += [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[arg-type]
        return out

    def _select(self, query: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        result = self.store.query(query, own_graphs=True)  # every pattern in GRAPH ?v
        if not isinstance(result, ox.QuerySolutions):
            raise RemoteError(f"{self.store.url} did not answer a SELECT with rows")
        names = [v.value for v in result.variables]
        return [{n: row[i] for i, n in enumerate(names) if row[i] is not None}
                for row in result]


def lookups_for(store: ox.Store, node: ox.NamedNode, cap: int) -> Lookups:
    if isinstance(store, RemoteStore):
        return RemoteLookups(store, node, cap)
    return EmbeddedLookups(store)


def describe(store: ox.Store, iri: str, *, inbound_cap: int = 10_000,
             lookups: Lookups | None = None) -> Description:
    """The resource's description (see the module docstring). ``lookups``: answers the
    walk's lookups instead of ``store`` (framing/bulk.py's index of a whole store, when
    every city is described at once)."""
    node = ox.NamedNode(iri)
    hash_prefix = iri + "#"
    look = lookups if lookups is not None else lookups_for(store, node, inbound_cap)
    desc = Description(iri)
    seen: set[Subject] = set()

    def is_sub(term: object) -> bool:
        return isinstance(term, ox.BlankNode) or (
            isinstance(term, ox.NamedNode) and term.value.startswith(hash_prefix))

    def drain(frontier: list[Subject]) -> None:
        """Breadth first from ``frontier``: the order of a first-in first-out queue."""
        while frontier:
            level: list[Subject] = []
            for subject in frontier:
                if subject not in seen:
                    seen.add(subject)
                    desc.subjects.append(subject)
                    level.append(subject)
            found = look.subjects(level)
            frontier = []
            for subject in level:
                for triple in found[subject]:
                    desc.triples.add(triple)
                    obj = triple.object
                    owned = triple.predicate in EVIDENCE or (
                        subject == node and triple.predicate in OWNED_OUT)
                    if (owned or is_sub(obj)) and obj not in seen \
                            and not isinstance(obj, ox.Literal):
                        frontier.append(obj)  # type: ignore[arg-type]

    drain([node])
    inbound = look.inbound(node, inbound_cap)
    desc.inbound.update(inbound)
    typed = {cls: look.typed([t.subject for t in inbound  # type: ignore[misc]
                              if t.predicate == predicate], cls)
             for predicate, cls in OWNED_IN_OF_CLASS.items()}
    owners: list[Subject] = []
    for triple in inbound:
        of_class = OWNED_IN_OF_CLASS.get(triple.predicate)
        owned = triple.predicate in OWNED_IN or (
            of_class is not None and triple.subject in typed[of_class])
        if (owned or is_sub(triple.subject)) and triple.subject not in seen:
            owners.append(triple.subject)  # type: ignore[arg-type]
    drain(owners)
    desc.inbound -= desc.triples
    neighbours: set[ox.NamedNode] = set()
    for triple in desc.triples:
        if isinstance(triple.object, ox.NamedNode):
            neighbours.add(triple.object)
    for triple in desc.inbound:
        if isinstance(triple.subject, ox.NamedNode):
            neighbours.add(triple.subject)
    desc.triples.update(look.labels(n for n in neighbours if n not in seen))
    return desc
