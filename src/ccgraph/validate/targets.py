"""SPARQL-based targets resolved ahead of a pyshacl pass, by pyoxigraph.

A shape's ``sh:target [ a sh:SPARQLTarget ; sh:select ... ]`` names its focus nodes with a
query over the whole data graph. pyshacl runs that query in rdflib's SPARQL engine, which
on the network takes seconds per query (a join over every evidence span); pyoxigraph answers
the same query in milliseconds. :func:`resolve_sparql_targets` runs each such query on a
pyoxigraph copy of the data graph and replaces the target with ``sh:targetNode`` for every
node it selected: the shape then checks exactly the focus nodes it checked before, with its
constraints unchanged, so the report is the same.

A query using ``REGEX`` is left to pyshacl: pyoxigraph's regular expressions are not
Python's (no look-behind), so the two engines could select different nodes.

The same way, :func:`narrow_class_targets` points a few shapes whose class target covers
thousands of plainly conforming nodes (:data:`KNOWN_GOOD`) at the instances that may not
conform only. That test runs in Python on the rdflib graph, not in pyoxigraph, which
stores some typed literals canonically (``"5"^^xsd:int`` as an ``xsd:integer``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import OA, RDF, RDFS, SH, XSD
from ..terms import from_ox, to_ox_memo

#: target queries that contain this are left to pyshacl (see the module docstring)
UNPORTABLE = re.compile(r"\bREGEX\s*\(", re.IGNORECASE)


def data_store(triples: Iterable[tuple[Node, Node, Node]]) -> ox.Store:
    """An in-memory pyoxigraph store whose default graph holds ``triples``."""
    term = to_ox_memo()
    store = ox.Store()
    store.bulk_extend([ox.Quad(term(s), term(p), term(o))  # type: ignore[arg-type]
                       for s, p, o in triples])
    return store


def quads_store(quads: Iterable[ox.Quad]) -> ox.Store:
    """An in-memory pyoxigraph store whose default graph holds the distinct triples of
    ``quads`` (the union of their graphs, each triple once, as pyshacl sees a dataset; the
    named graphs stay beside it, out of a query's default graph). Copying the union in
    Oxigraph costs ~0.5 CPU s less on the network than a set of triples made in Python."""
    store = ox.Store()
    store.bulk_extend(quads)  # as they are; then their graphs' union copied by Oxigraph
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")  # (a set: each once)
    return store


def _prefixes(shapes: Graph, target: Node) -> str:
    """The ``PREFIX`` lines of a target's ``sh:prefixes`` declarations."""
    lines = []
    for owner in shapes.objects(target, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(sorted(set(lines)))


def sparql_targets(shapes: Graph) -> list[tuple[Node, Node, str]]:
    """(shape, target node, query with its prefixes) of each portable SPARQL target."""
    found = []
    for shape, target in shapes.subject_objects(SH.target):
        if (target, RDF.type, SH.SPARQLTarget) not in shapes:
            continue
        select = shapes.value(target, SH.select)
        if select is None or UNPORTABLE.search(str(select)):
            continue
        found.append((shape, target, _prefixes(shapes, target) + str(select)))
    return found


_DIGITS = re.compile(r"[0-9]+")
_OFFSET_TYPES = (XSD.integer, XSD.nonNegativeInteger)


def _one(graph: Graph, node: Node, path: URIRef) -> Node | None:
    """The one value of ``path`` at ``node``; None when there is none or more than one."""
    values = list(graph.objects(node, path))
    return values[0] if len(values) == 1 else None


def _offset(value: Node | None) -> int | None:
    """A plain non-negative integer offset (digits only, integer or nonNegativeInteger)."""
    if (isinstance(value, Literal) and value.language is None
            and value.datatype in _OFFSET_TYPES and _DIGITS.fullmatch(str(value))):
        return int(str(value))
    return None


def _position_ok(graph: Graph, node: Node) -> bool:
    start = _offset(_one(graph, node, OA.start))
    end = _offset(_one(graph, node, OA.end))
    return start is not None and end is not None and start <= end


def _quote_ok(graph: Graph, node: Node) -> bool:
    exact = _one(graph, node, OA.exact)
    return (isinstance(exact, Literal) and exact.language is None
            and exact.datatype in (None, XSD.string))


#: Shapes whose class target covers thousands of nodes that plainly conform: per shape, a
#: test that holds only for a node the shape cannot report (each value there once, of the
#: right datatype, in a plain lexical form, in range). The shape is then checked on the
#: other instances of its class only; a node the test is unsure of is checked by pyshacl
#: as before, so the report is the same. Each test is the shape's constraints read
#: strictly (shapes/documents.ttl); the test suite holds the edge cases.
KNOWN_GOOD: dict[str, Callable[[Graph, Node], bool]] = {
    "https://w3id.org/ccgraph/shapes#TextPositionSelectorShape": _position_ok,
    "https://w3id.org/ccgraph/shapes#TextQuoteSelectorShape": _quote_ok,
}

_TARGETS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def prefiltered_targets(shapes: Graph) -> list[tuple[URIRef, Node]]:
    """(shape, its class) of each shape of :data:`KNOWN_GOOD` whose one target is a class."""
    found: list[tuple[URIRef, Node]] = []
    for iri in KNOWN_GOOD:
        shape = URIRef(iri)
        classes = list(shapes.objects(shape, SH.targetClass))
        targets = [o for p in _TARGETS for o in shapes.objects(shape, p)]
        if len(classes) == 1 and len(targets) == 1 \
                and (shape, RDF.type, RDFS.Class) not in shapes:
            found.append((shape, classes[0]))
    return found


def narrow_class_targets(shapes: Graph, data: Graph) -> Graph:
    """``shapes`` with the class target of each shape of :data:`KNOWN_GOOD` replaced by
    the ``sh:targetNode`` list of the instances in ``data`` (SHACL instances: through
    ``rdfs:subClassOf`` too) that its test is unsure of (a new graph; ``shapes`` is left
    as it is). Returns ``shapes`` itself when there is nothing to narrow."""
    classes = prefiltered_targets(shapes)
    if not classes:
        return shapes
    narrowed = _copy(shapes, lambda t: (t[0], t[1], t[2]) not in {
        (shape, SH.targetClass, cls) for shape, cls in classes})
    for shape, cls in classes:
        good = KNOWN_GOOD[str(shape)]
        kinds = set(data.transitive_subjects(RDFS.subClassOf, cls))
        kinds.add(cls)
        focus = {n for kind in kinds for n in data.subjects(RDF.type, kind)}
        unsure = [n for n in focus if not good(data, n)]
        narrowed.addN((shape, SH.targetNode, n, narrowed)
                      for n in sorted(unsure, key=lambda n: (type(n).__name__, str(n))))
    return narrowed


def _copy(shapes: Graph, keep: Callable[[tuple[Node, Node, Node]], bool]) -> Graph:
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace, override=False)
    copy.addN((s, p, o, copy) for s, p, o in shapes if keep((s, p, o)))
    return copy


def resolve_sparql_targets(shapes: Graph, data: Graph | ox.Store, *,
                           union: bool = False) -> Graph:
    """``shapes`` with each portable SPARQL target replaced by the ``sh:targetNode`` list
    of what its query selects in ``data`` (a new graph; ``shapes`` is left as it is).
    Returns ``shapes`` itself when it has no such target.

    ``union``: ``data`` is a store whose named graphs hold the data, each triple in one of
    them only (validate/build_inputs.py); the queries run on their union. (Oxigraph's union
    of graphs repeats a triple held by two of them, which would change what an aggregate
    counts: hence each triple once.)"""
    targets = sparql_targets(shapes)
    if not targets:
        return shapes
    store = data if isinstance(data, ox.Store) else data_store(data)
    dropped = {target for _shape, target, _query in targets}
    resolved = _copy(shapes, lambda t: t[0] not in dropped and t[2] not in dropped)
    for shape, _target, query in targets:
        solutions = store.query(query, use_default_graph_as_union=union)
        assert isinstance(solutions, ox.QuerySolutions)
        nodes = {from_ox(row["this"]) for row in solutions if row["this"] is not None}
        resolved.addN((shape, SH.targetNode, node, resolved)
                      for node in sorted(nodes, key=lambda n: (type(n).__name__, str(n))))
    return resolved


__all__ = ["KNOWN_GOOD", "UNPORTABLE", "data_store", "narrow_class_targets",
           "prefiltered_targets", "quads_store", "resolve_sparql_targets", "sparql_targets"]
