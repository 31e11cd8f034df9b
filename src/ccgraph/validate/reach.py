"""What a shape reads: for each top-level node shape, a small *pattern graph* rooted at its
focus node, made from its property paths, its value constraints (``sh:class`` reads a value
node's types) and its SPARQL targets and constraints (their triple patterns, read with
rdflib's SPARQL parser). Incremental validation (incremental.py) walks these graphs over the
data: back from a changed triple to the focus nodes whose verdict it can change, and forward
from those focus nodes to the triples their verdict depends on.

A pattern graph has nodes (0 is the focus node; a node may be a constant) and edges, each a
triple pattern ``src pred dst`` (``pred`` None for a variable predicate). Every edge belongs
to a *group*: the triple patterns matched together (a basic graph pattern and the groups
around it; an ``OPTIONAL``, ``EXISTS`` or ``UNION`` branch is a child group). A solution
that matches an edge matches every edge of its group and of the groups around it, so any
path of such edges from the edge to the focus node is in the data: one path is enough to
find the focus nodes (see incremental.py).

A construct this module cannot bound (``sh:zeroOrMorePath``, ``MINUS``, ``GRAPH``, an
unknown SHACL parameter, a query that does not parse) makes the shape *unbounded*:
incremental validation then falls back to the full validation.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.paths import AlternativePath, InvPath, NegatedPath, Path, SequencePath
from rdflib.term import Node

from ..namespaces import RDF, SH

#: SHACL parameters that read nothing but the value nodes themselves (or nothing at all)
_PLAIN = frozenset(SH[n] for n in (
    "name", "description", "message", "severity", "order", "group", "defaultValue",
    "deactivated", "datatype", "nodeKind", "pattern", "flags", "minCount", "maxCount",
    "minLength", "maxLength", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive",
    "languageIn", "uniqueLang", "in", "hasValue", "qualifiedMinCount", "qualifiedMaxCount",
    "targetNode", "ignoredProperties", "declare", "prefixes", "select", "labelTemplate"))
#: parameters comparing the value nodes with the values of a property of the focus node
_PAIRS = frozenset(SH[n] for n in ("equals", "disjoint", "lessThan", "lessThanOrEquals"))


@dataclass(frozen=True)
class Edge:
    src: int
    pred: frozenset[URIRef] | None  # None: any predicate
    dst: int
    group: int


@dataclass
class Reach:
    """The pattern graph of one top-level node shape."""

    shape: URIRef
    consts: dict[int, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    parents: dict[int, int | None] = field(default_factory=dict)  # group -> enclosing group
    unbounded: str = ""  # why the shape cannot be bounded ("" when it can)
    _next: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def node(self, const: Node | None = None) -> int:
        n = next(self._next)
        if const is not None:
            self.consts[n] = const
        return n

    def group(self, parent: int | None) -> int:
        g = len(self.parents)
        self.parents[g] = parent
        return g

    def edge(self, src: int, pred: frozenset[URIRef] | None, dst: int, group: int) -> None:
        self.edges.append(Edge(src, pred, dst, group))

    def scope(self, group: int) -> set[int]:
        """``group`` and the groups around it."""
        out: set[int] = set()
        g: int | None = group
        while g is not None:
            out.add(g)
            g = self.parents[g]
        return out

    def refuse(self, why: str) -> None:
        if not self.unbounded:
            self.unbounded = why


def reaches(shapes: Graph) -> list[Reach]:
    """One :class:`Reach` per top-level node shape of ``shapes``."""
    prefixes = _prefixes(shapes)
    out = []
    for shape in sorted({s for s in shapes.subjects(RDF.type, SH.NodeShape)
                         if isinstance(s, URIRef)}, key=str):
        reach = Reach(shape)
        core = reach.group(None)
        for target in shapes.objects(shape, SH.target):
            select = shapes.value(target, SH.select)
            if select is None:
                reach.refuse(f"a target of {shape} is not a SPARQL target")
                continue
            _sparql(reach, str(select), prefixes, "this")
        for p in shapes.objects(shape, SH.targetObjectsOf):
            if isinstance(p, URIRef):
                reach.edge(reach.node(), frozenset({p}), 0, core)
        for p in shapes.objects(shape, SH.targetSubjectsOf):
            if isinstance(p, URIRef):
                reach.edge(0, frozenset({p}), reach.node(), core)
        _constraints(reach, shapes, shape, 0, core, prefixes, seen=set())
        out.append(reach)
    return out


def _prefixes(shapes: Graph) -> dict[str, str]:
    out: dict[str, str] = {}
    for decl in shapes.objects(None, SH.declare):
        prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
        if prefix is not None and namespace is not None:
            out[str(prefix)] = str(namespace)
    return out


_TARGETS = frozenset(SH[n] for n in ("targetClass", "targetObjectsOf", "targetSubjectsOf",
                                     "target", "property", "path"))


def _constraints(reach: Reach, shapes: Graph, shape: Node, at: int, group: int,
                 prefixes: dict[str, str], seen: set[Node]) -> None:
    """The reads of ``shape`` applied at pattern node ``at`` (its focus or value nodes)."""
    if shape in seen:  # a recursive shape: the walk would not end
        reach.refuse(f"{shape} refers to itself")
        return
    seen = seen | {shape}
    for p, o in shapes.predicate_objects(shape):
        if p == RDF.type or p in _PLAIN or p in _TARGETS or not str(p).startswith(str(SH)):
            continue
        if p == SH["class"]:
            reach.edge(at, frozenset({RDF.type}), reach.node(), group)
        elif p in (SH.node, SH["not"]):
            _constraints(reach, shapes, o, at, group, prefixes, seen)
        elif p in (SH["and"], SH["or"], SH.xone):
            for member in Collection(shapes, o):
                _constraints(reach, shapes, member, at, group, prefixes, seen)
        elif p == SH.sparql:
            select = shapes.value(o, SH.select)
            if select is None:
                reach.refuse(f"a SPARQL constraint of {shape} has no sh:select")
            else:
                _sparql(reach, str(select), prefixes, "this", at)
        elif p == SH.qualifiedValueShape:
            pass  # applied to the value nodes below, with the path
        elif p == SH.qualifiedValueShapesDisjoint:
            if o == Literal(True):
                reach.refuse(f"{shape} uses sh:qualifiedValueShapesDisjoint")
        elif p in _PAIRS:
            if isinstance(o, URIRef):
                reach.edge(at, frozenset({o}), reach.node(), group)
            else:
                reach.refuse(f"{shape}: {p} of a non-IRI")
        elif p == SH.closed:
            if o == Literal(True):
                reach.edge(at, None, reach.node(), group)
        else:
            reach.refuse(f"{shape} uses {p}, which incremental validation does not know")
    for prop in shapes.objects(shape, SH.property):
        path = shapes.value(prop, SH.path)
        if path is None:
            reach.refuse(f"{prop} has no sh:path")
            continue
        value = _path(reach, shapes, path, at, group)
        _constraints(reach, shapes, prop, value, group, prefixes, seen)
        for q in shapes.objects(prop, SH.qualifiedValueShape):
            _constraints(reach, shapes, q, value, group, prefixes, seen)
        # pair constraints compare with the values of a property of the *focus* node
        for p in _PAIRS:
            for o in shapes.objects(prop, p):
                if isinstance(o, URIRef):
                    reach.edge(at, frozenset({o}), reach.node(), group)
    if (shape, SH.path, None) in shapes and at == 0 and (None, SH.property, shape) not in shapes:
        reach.refuse(f"{shape}: a property shape used as a top-level shape")


def _path(reach: Reach, shapes: Graph, path: Node, at: int, group: int) -> int:
    """Edges for a SHACL property path from ``at``; returns the node of the value nodes."""
    if isinstance(path, URIRef):
        end = reach.node()
        reach.edge(at, frozenset({path}), end, group)
        return end
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        end = reach.node()
        reach.edge(end, frozenset({inverse}), at, group)
        return end
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        members = list(Collection(shapes, alternatives))
        if all(isinstance(m, URIRef) for m in members):
            end = reach.node()
            reach.edge(at, frozenset(m for m in members if isinstance(m, URIRef)), end, group)
            return end
    elif (path, RDF.first, None) in shapes:
        node = at
        for step in Collection(shapes, path):
            node = _path(reach, shapes, step, node, group)
        return node
    reach.refuse(f"a property path incremental validation cannot bound ({path})")
    return reach.node()


# -- SPARQL ------------------------------------------------------------------------------


def _sparql(reach: Reach, text: str, prefixes: dict[str, str], this: str,
            at: int = 0) -> None:
    from rdflib.plugins.sparql import prepareQuery

    try:
        query = prepareQuery(text, initNs=prefixes)
    except Exception as exc:  # any parser failure means: cannot analyse
        reach.refuse(f"a SPARQL query of {reach.shape} does not parse: {exc}")
        return
    walker = _Walker(reach, this, at)
    walker.pattern(query.algebra, reach.group(None), rename=None)


class _Walker:
    """Triple patterns of a SPARQL algebra tree, as edges of ``reach``."""

    def __init__(self, reach: Reach, this: str, at: int) -> None:
        self.reach = reach
        self.this = this
        self.at = at
        self.vars: dict[str, int] = {}
        self.scopes = itertools.count()

    def term(self, t: Any, rename: dict[str, str] | None) -> int:
        if isinstance(t, Variable):
            name = str(t)
            if name == self.this:
                return self.at
            if rename is not None:
                name = rename.get(name, name)
            if name not in self.vars:
                self.vars[name] = self.reach.node()
            return self.vars[name]
        if isinstance(t, (URIRef, Literal, BNode)):
            return self.reach.node(t)
        self.reach.refuse(f"a SPARQL term incremental validation does not know: {t!r}")
        return self.reach.node()

    def triple(self, s: int, p: Any, o: int, group: int) -> None:
        reach = self.reach
        if isinstance(p, URIRef):
            reach.edge(s, frozenset({p}), o, group)
        elif isinstance(p, Variable):
            reach.edge(s, None, o, group)
        elif isinstance(p, InvPath):
            self.triple(o, p.arg, s, group)
        elif isinstance(p, SequencePath):
            node = s
            for i, step in enumerate(p.args):
                nxt = o if i == len(p.args) - 1 else reach.node()
                self.triple(node, step, nxt, group)
                node = nxt
        elif isinstance(p, AlternativePath):
            if all(isinstance(a, URIRef) for a in p.args):
                reach.edge(s, frozenset(a for a in p.args if isinstance(a, URIRef)), o, group)
            else:  # each alternative is matched by some solutions only: a branch each
                for alt in p.args:
                    self.triple(s, alt, o, reach.group(group))
        elif isinstance(p, NegatedPath):
            reach.edge(s, None, o, group)
        elif isinstance(p, Path):
            reach.refuse(f"a SPARQL property path incremental validation cannot bound: {p}")
        else:
            reach.refuse(f"a SPARQL predicate incremental validation does not know: {p!r}")

    def pattern(self, node: Any, group: int, rename: dict[str, str] | None) -> None:
        name = getattr(node, "name", None)
        if name is None:
            return
        if name == "BGP":
            for s, p, o in node.triples:
                self.triple(self.term(s, rename), p, self.term(o, rename), group)
        elif name in ("Join",):
            self.pattern(node.p1, group, rename)
            self.pattern(node.p2, group, rename)
        elif name == "LeftJoin":
            self.pattern(node.p1, group, rename)
            child = self.reach.group(group)
            self.pattern(node.p2, child, rename)
            self.expr(node.expr, child, rename)
        elif name == "Union":
            self.pattern(node.p1, self.reach.group(group), rename)
            self.pattern(node.p2, self.reach.group(group), rename)
        elif name in ("Filter", "Extend"):
            self.pattern(node.p, group, rename)
            self.expr(node.expr, group, rename)
        elif name == "ToMultiSet":
            inner = node.p
            if getattr(inner, "name", None) == "values":
                return
            if getattr(inner, "name", None) == "Project":  # a sub-select
                # its variables other than the projected ones are its own
                keep = {str(v) for v in inner.PV}
                own = {v: f"{v}#{next(self.scopes)}" for v in self._vars(inner.p)
                       if v not in keep}
                self.pattern(inner.p, group, {**(rename or {}), **own})
            else:
                self.pattern(inner, group, rename)
        elif name in ("Project", "SelectQuery", "Distinct", "Reduced", "Slice", "OrderBy",
                      "Group", "AggregateJoin"):
            self.pattern(node.p, group, rename)
        elif name == "values":
            return
        else:
            self.reach.refuse(f"a SPARQL construct incremental validation does not know: {name}")

    def expr(self, expr: Any, group: int, rename: dict[str, str] | None) -> None:
        for sub in _comp_values(expr):
            if getattr(sub, "name", None) in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                self.pattern(sub.graph, self.reach.group(group), rename)

    def _vars(self, node: Any) -> set[str]:
        out: set[str] = set()
        for sub in _comp_values(node):
            if getattr(sub, "name", None) == "BGP":
                for triple in sub.triples:
                    out.update(str(t) for t in triple if isinstance(t, Variable))
        return out


def _comp_values(node: Any) -> Iterator[Any]:
    """``node`` and every algebra node or expression below it (rdflib's CompValue)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, CompValue):
            yield item
            todo.extend(v for v in item.values())
        elif isinstance(item, (list, tuple)):
            todo.extend(item)


__all__ = ["Edge", "Reach", "reaches"]
