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
fast as before: no query is parsed). A remote engine (:class:`RemoteLookups`) answers:

1. one query for the resource and its parts up to :data:`PART_DEPTH` hops (then blank
   nodes only, up to :data:`remote_store.BLANK_DEPTH` more), the parts of the resources
   that point to it and are owned by it, the inbound links (at most the cap) and the
   classes that decide ownership;
2. one query per deeper level only when a part lies further than that (none in the data);
3. one query for the labels of every neighbour (``VALUES``).

The walk itself runs here in both cases, on the same rules, so that the remote answer is
the embedded one; the remote query only fetches a superset of what the walk needs. Blank
nodes have no name a query could use: one reached further than the remote query looks is
described as empty (none in the data).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast

import pyoxigraph as ox

from ..namespaces import CCG, RDF, RDFS, SKOS
from ..remote_store import BLANK_DEPTH, EngineFailed, RemoteError, RemoteStore

log = logging.getLogger(__name__)
T = TypeVar("T")

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
#: hops from a resource (or an owned resource pointing to it) that the first remote query
#: follows through parts of any kind (city -> membership -> evidence span); blank nodes
#: then go on for BLANK_DEPTH more (evidence span -> selector)
PART_DEPTH = 2
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
    """A remote engine (``serve --backend``): few queries, each fetching a superset of a
    level (see the module docstring). Made for one :func:`describe` call."""

    def __init__(self, store: RemoteStore, node: ox.NamedNode, cap: int) -> None:
        self.store = store
        self.node = node
        self.cap = cap
        self.known: dict[Subject, list[ox.Triple]] = {}
        self.inbound_triples: list[ox.Triple] = []
        self.types: dict[Subject, set[ox.NamedNode]] = {}
        self.fetched = False
        #: set when the engine refused a batched query (see _batched)
        self.fallback: EmbeddedLookups | None = None

    # ------------------------------------------------------------ Lookups

    def subjects(self, subjects: Sequence[Subject]) -> dict[Subject, list[ox.Triple]]:
        return self._batched(lambda: self._subjects(subjects),
                             lambda fallback: fallback.subjects(subjects))

    def _subjects(self, subjects: Sequence[Subject]) -> dict[Subject, list[ox.Triple]]:
        if not self.fetched:
            self._first()
        missing = [s for s in subjects if s not in self.known]
        names = [s for s in missing if isinstance(s, ox.NamedNode)]
        for start in range(0, len(names), VALUES_CHUNK):
            chunk = names[start:start + VALUES_CHUNK]
            self._closure("VALUES ?x0 { " + " ".join(map(str, chunk)) + " }")
            for name in chunk:
                self.known.setdefault(name, [])
        return {s: self.known.get(s, []) for s in subjects}

    def inbound(self, node: ox.NamedNode, cap: int) -> list[ox.Triple]:
        if self.fallback is not None:
            return self.fallback.inbound(node, cap)
        if not self.fetched or node != self.node or cap != self.cap:
            raise ValueError("RemoteLookups answers the inbound links of its own node")
        return self.inbound_triples

    def typed(self, subjects: Iterable[Subject], cls: ox.NamedNode) -> set[Subject]:
        if self.fallback is not None:
            return self.fallback.typed(subjects, cls)
        return {s for s in subjects if cls in self.types.get(s, ())}

    def labels(self, nodes: Iterable[ox.NamedNode]) -> list[ox.Triple]:
        wanted = list(nodes)
        return self._batched(lambda: self._labels(wanted),
                             lambda fallback: fallback.labels(wanted))

    def _batched(self, batched: Callable[[], T], fallback: Callable[[EmbeddedLookups], T]
                 ) -> T:
        """``batched()``; if the engine refuses a batched query (Virtuoso 7.2's SPARQL
        compiler fails on some shapes of them with an "Internal error"), this lookup and
        the next ones of the description ask one subject at a time instead (many more
        queries, the same answer)."""
        if self.fallback is None:
            try:
                return batched()
            except (ValueError, EngineFailed) as exc:
                log.warning("%s: batched description queries refused, one subject at a "
                            "time instead: %s", self.store.url, str(exc)[:300])
                self.fallback = EmbeddedLookups(cast(ox.Store, self.store))
        return fallback(self.fallback)

    def _labels(self, nodes: list[ox.NamedNode]) -> list[ox.Triple]:
        names = sorted(set(nodes), key=lambda n: n.value)
        out: list[ox.Triple] = []
        preds = " ".join(map(str, LABELS))
        for start in range(0, len(names), VALUES_CHUNK):
            chunk = " ".join(map(str, names[start:start + VALUES_CHUNK]))
            rows = self._select(f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?s {{ {chunk} }} "
                                f"VALUES ?p {{ {preds} }} GRAPH ?g {{ ?s ?p ?o }} }}")
            out += [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]  # type: ignore[arg-type]
        return out

    # ------------------------------------------------------------ the queries

    def _first(self) -> None:
        """The node, its parts and its owners' parts, its inbound links and the classes of
        those that decide ownership: one query."""
        node = str(self.node)
        owned_in = ", ".join(map(str, OWNED_IN))
        # BIND, not VALUES: Virtuoso 7.2 answers nothing for a VALUES block inside a UNION
        roots = [f"BIND({node} AS ?x0)",
                 f"GRAPH ?r0 {{ ?x0 ?q0 {node} }} FILTER(?q0 IN ({owned_in}) || "
                 f"isBlank(?x0) || STRSTARTS(STR(?x0), {_string(self.node.value + '#')}))"]
        roots += [f"GRAPH ?r1 {{ ?x0 {p} {node} }} GRAPH ?r2 {{ ?x0 a {cls} }}"
                  for p, cls in OWNED_IN_OF_CLASS.items()]
        extra = [f"{{ {{ SELECT DISTINCT ?s ?p WHERE {{ GRAPH ?r3 {{ ?s ?p {node} }} }} "
                 f'LIMIT {self.cap} }} BIND({node} AS ?o) BIND("in" AS ?k) }}']
        extra += [f"{{ GRAPH ?r4 {{ ?s {p} {node} }} GRAPH ?r5 {{ ?s a {cls} }} BIND({cls} AS ?o) "
                  f'BIND({RDF_TYPE_NODE} AS ?p) BIND("ty" AS ?k) }}'
                  for p, cls in OWNED_IN_OF_CLASS.items()]
        self._closure(" } UNION { ".join(roots), extra)
        self.known.setdefault(self.node, [])
        self.fetched = True

    def _closure(self, roots: str, extra: Sequence[str] = ()) -> None:
        """The triples of every subject reached from the roots (``?x0``, bound by the group
        ``roots``) through parts, remembered in ``known`` (complete per subject)."""
        own: dict[Subject, dict[ox.Triple, None]] = {}
        quads: list[ox.Quad] = []
        for row in self._select(self._closure_query(roots, extra)):
            s, p, o, kind = row["s"], row["p"], row["o"], row["k"].value
            triple = ox.Triple(s, p, o)  # type: ignore[arg-type]
            if kind == "in":
                self.inbound_triples.append(triple)
            elif kind == "ty":
                self.types.setdefault(s, set()).add(o)  # type: ignore[arg-type]
            else:
                own.setdefault(s, {})[triple] = None  # type: ignore[arg-type]
                quads.append(ox.Quad(s, p, o, row["g"]))  # type: ignore[arg-type]
        for subject, triples in own.items():
            self.known.setdefault(subject, list(triples))
        # what was read is every quad of its subjects: the page's other readers (schema.org
        # data, remote_store.quads_for_pattern) find them remembered
        self.store.remember(quads)

    def _closure_query(self, roots: str, extra: Sequence[str] = ()) -> str:
        step = self._step
        branches = []
        for hops in range(PART_DEPTH + BLANK_DEPTH + 1):
            chain = [f"?x{i}" for i in range(hops)] + ["?s"]
            # each step inside GRAPH: an engine's default graph may hold copies of the
            # data with blank nodes of their own (the union graph of engines/union.py)
            steps = " ".join(f"GRAPH ?h{i + 1} {{ {a} ?q{i + 1} {b} }} "
                             f"FILTER({step(a, f'?q{i + 1}', b, i)})"
                             for i, (a, b) in enumerate(itertools.pairwise(chain)))
            first = chain[0]
            where = roots.replace("?x0", first) if hops == 0 else roots
            branches.append(f"{{ {{ {where} }} {steps} GRAPH ?g {{ ?s ?p ?o }} "
                            f'BIND("q" AS ?k) }}')
        query = ("SELECT DISTINCT ?k ?g ?s ?p ?o WHERE { "
                 + " UNION ".join([*branches, *extra]) + " }")
        return query

    def _step(self, parent: str, predicate: str, child: str, hop: int) -> str:
        """The filter that makes ``child`` a part reached from ``parent`` (the rule of
        :func:`describe`); after PART_DEPTH hops, blank nodes only."""
        if hop >= PART_DEPTH:
            return f"isBlank({child})"
        evidence = ", ".join(map(str, EVIDENCE))
        owned_out = ", ".join(map(str, OWNED_OUT))
        return (f"!isLiteral({child}) && ({predicate} IN ({evidence}) || isBlank({child}) || "
                f"STRSTARTS(STR({child}), {_string(self.node.value + '#')}) || "
                f"({parent} = {self.node} && {predicate} IN ({owned_out})))")

    def _select(self, query: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        result = self.store.query(query, own_graphs=True)  # every pattern in GRAPH ?v
        if not isinstance(result, ox.QuerySolutions):
            raise RemoteError(f"{self.store.url} did not answer a SELECT with rows")
        names = [v.value for v in result.variables]
        return [{n: row[i] for i, n in enumerate(names) if row[i] is not None}
                for row in result]


def _string(text: str) -> str:
    """A SPARQL string literal (IRIs hold no quote or backslash; escaped all the same)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


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
