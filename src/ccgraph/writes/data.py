"""The quick way to apply the commonest write, one ``INSERT DATA`` or ``DELETE DATA``: its
quads are known without evaluating anything, so the change is worked out against the live
version's quads (a store the worker keeps) instead of copying every quad into a new store
(changes.apply). The result is the change :func:`changes.apply` would make, with the same
meaning of the default graph (package docstring); the write tests hold both to it.

A Graph Store POST is the same: the insert of its payload into its graph. Any other write
(several operations, ``DELETE``/``INSERT … WHERE``, ``LOAD``, ``CLEAR``, PUT, DELETE …) goes
through :func:`changes.apply`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .. import iris
from .request import BAD_REQUEST, FORBIDDEN, Request, WriteError

_DELETE_DATA = re.compile(r"\bDELETE(\s+)DATA\b", re.IGNORECASE)


@dataclass(frozen=True)
class DataOperation:
    insert: bool
    quads: list[ox.Quad]  # as a store reads them back (canonical literals)


def data_operation(update: str) -> DataOperation | None:
    """The update's quads when it is one ``INSERT DATA`` or ``DELETE DATA``; else None."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        ops = translateUpdate(parseUpdate(update)).algebra
    except Exception:  # rdflib cannot read it: the general path will say what is wrong
        return None
    if len(ops) != 1 or ops[0].name not in ("InsertData", "DeleteData"):
        return None
    op = ops[0]
    expected = len(op.triples or []) + sum(len(ts) for ts in (op.quads or {}).values())
    insert = op.name == "InsertData"
    text = update if insert else _DELETE_DATA.sub(r"INSERT\1DATA", update, count=1)
    store = ox.Store()
    try:
        store.update(text)
    except (SyntaxError, ValueError, TypeError, OSError):
        return None
    quads = list(store)
    if len(quads) != expected or any(isinstance(q.subject, ox.Triple) or
                                     isinstance(q.object, ox.Triple) for q in quads):
        return None  # duplicates in the request, or a form this path does not take
    if not insert and any(isinstance(t, ox.BlankNode) for q in quads
                          for t in (q.subject, q.object)):
        return None
    return DataOperation(insert, quads)


def post_operation(req: Request) -> DataOperation:
    """A Graph Store POST as the insert of its payload's triples into its graph (raises
    WriteError when the payload does not parse)."""
    from .changes import payload_triples

    graph: ox.NamedNode | ox.DefaultGraph = (
        ox.NamedNode(req.graph) if req.graph is not None else ox.DefaultGraph())
    store = ox.Store()  # read back from a store: typed literals in canonical form
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                 for t in payload_triples(req))
    return DataOperation(True, list(store))


def apply_data(op: DataOperation, live: ox.Store, generated: set[ox.Triple], base: str
               ) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The named-graph quads ``op`` adds and removes. ``live``: the live version's named
    graphs (VoID left out) and their union as its default graph; ``generated``: the VoID
    graph's triples (in the default graph readers see; never written)."""
    void = ox.NamedNode(str(iris.graph("void", base)))
    curated = ox.NamedNode(str(iris.graph("curated", base)))
    default = ox.DefaultGraph()
    added: set[ox.Quad] = set()
    removed: set[ox.Quad] = set()

    def holders(t: ox.Triple) -> Iterable[ox.Quad]:
        return (q for q in live.quads_for_pattern(t.subject, t.predicate, t.object, None)
                if isinstance(q.graph_name, ox.NamedNode))

    for q in op.quads:
        if q.graph_name == void:
            if op.insert:
                raise WriteError(FORBIDDEN, f"the graph <{void.value}> is generated at each "
                                            "commit (dataset statistics); it cannot be "
                                            "written")
            continue  # the VoID graph is not among the named graphs a write sees
        if isinstance(q.subject, ox.Triple) or isinstance(q.object, ox.Triple):
            raise WriteError(BAD_REQUEST, "triple terms (RDF-star) are not accepted")
        if isinstance(q.graph_name, ox.NamedNode):
            present = q in live
            if op.insert and not present:
                added.add(q)
            elif not op.insert and present:
                removed.add(q)
    for q in op.quads:
        if not isinstance(q.graph_name, ox.DefaultGraph):
            continue
        t = q.triple
        held = [h for h in holders(t) if h not in removed]
        if op.insert:
            if not held and t not in generated and \
                    not any(a.triple == t for a in added):
                added.add(ox.Quad(t.subject, t.predicate, t.object, curated))
        elif ox.Quad(t.subject, t.predicate, t.object, default) in live:
            removed.update(held)
            added = {a for a in added if a.triple != t}
    return added, removed


__all__ = ["DataOperation", "apply_data", "data_operation", "post_operation"]
