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
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from ..namespaces import RDF, SH
from ..terms import OxTerm, from_ox, to_ox

#: target queries that contain this are left to pyshacl (see the module docstring)
UNPORTABLE = re.compile(r"\bREGEX\s*\(", re.IGNORECASE)


def data_store(triples: Iterable[tuple[Node, Node, Node]]) -> ox.Store:
    """An in-memory pyoxigraph store whose default graph holds ``triples``."""
    memo: dict[Node, OxTerm] = {}

    def term(node: Node) -> OxTerm:
        found = memo.get(node)
        if found is None:
            found = memo[node] = to_ox(node)
        return found

    store = ox.Store()
    store.bulk_extend([ox.Quad(term(s), term(p), term(o))  # type: ignore[arg-type]
                       for s, p, o in triples])
    return store


def quads_store(quads: Iterable[ox.Quad]) -> ox.Store:
    """An in-memory pyoxigraph store whose default graph holds the distinct triples of
    ``quads`` (the union of their graphs, each triple once, as pyshacl sees a dataset)."""
    store = ox.Store()
    store.bulk_extend([ox.Quad(t.subject, t.predicate, t.object)
                       for t in {q.triple for q in quads}])
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


def resolve_sparql_targets(shapes: Graph, data: Graph | ox.Store) -> Graph:
    """``shapes`` with each portable SPARQL target replaced by the ``sh:targetNode`` list
    of what its query selects in ``data`` (a new graph; ``shapes`` is left as it is).
    Returns ``shapes`` itself when it has no such target."""
    targets = sparql_targets(shapes)
    if not targets:
        return shapes
    store = data if isinstance(data, ox.Store) else data_store(data)
    resolved = Graph()
    for prefix, namespace in shapes.namespaces():
        resolved.bind(prefix, namespace, override=False)
    dropped = {target for _shape, target, _query in targets}
    resolved.addN((s, p, o, resolved) for s, p, o in shapes
                  if s not in dropped and o not in dropped)
    for shape, _target, query in targets:
        solutions = store.query(query)
        assert isinstance(solutions, ox.QuerySolutions)
        nodes = {from_ox(row["this"]) for row in solutions if row["this"] is not None}
        resolved.addN((shape, SH.targetNode, node, resolved)
                      for node in sorted(nodes, key=lambda n: (type(n).__name__, str(n))))
    return resolved


__all__ = ["UNPORTABLE", "data_store", "quads_store", "resolve_sparql_targets", "sparql_targets"]
