"""Incremental validation of a write: check only the focus nodes a change can affect.

The version a write starts from has a known report (its results). A change (triples added,
triples removed) can only change the verdict of a focus node whose validation *reads* a
changed triple. What a shape reads is its pattern graph (reach.py). For each changed triple
and each edge of a pattern graph it matches, the focus nodes that can read it are found by
walking back from the triple to the pattern's focus node, along one path of edges that every
match of that edge also matches (the edge's group and the groups around it; of the possible
paths the one that gives the fewest nodes), over the data before and after the change.
The subjects and objects of the changed triples are focus nodes to check as well (a type
added makes a new target).

Those focus nodes are then validated by pyshacl, over a *subgraph* of the data after the
change that holds every triple their validation can read (the same walk, forward from the
focus nodes), so targets and SPARQL constraints run over a few hundred triples instead of
the whole network. Their results replace the previous results for those nodes; the other
results are kept. :func:`check` returns None when it cannot bound the change (a shape it
cannot analyse, a change to ``rdfs:subClassOf``, more than ``cap`` affected nodes): the
caller then runs the full validation, which stays the reference.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from rdflib.util import from_n3

from ..namespaces import RDF, RDFS, SH
from ..terms import to_ox
from .reach import Edge, Reach, reaches
from .report import Report, Result, results_of
from .sparql_memo import remembered_sparql

#: more affected focus nodes than this: the full validation is as quick
AFFECTED_CAP = 400
#: paths tried from an edge to the focus node (the shortest first)
PATHS_TRIED = 12

_SUBCLASS = ox.NamedNode(str(RDFS.subClassOf))
_XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")

Step = tuple[Edge, bool]  # an edge and whether it is walked from its dst to its src


class View:
    """Triples of a base store (its default graph) with some added and some removed."""

    def __init__(self, store: ox.Store, added: Iterable[ox.Triple] = (),
                 removed: Iterable[ox.Triple] = ()) -> None:
        self.store = store
        self.added = set(added)
        self.removed = set(removed)

    def triples(self, s: ox.NamedNode | ox.BlankNode | None, p: ox.NamedNode | None,
                o: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Iterable[ox.Triple]:
        for q in self.store.quads_for_pattern(s, p, o, ox.DefaultGraph()):
            t = q.triple
            if t not in self.removed:
                yield t
        for t in self.added:
            if (s is None or t.subject == s) and (p is None or t.predicate == p) and \
                    (o is None or t.object == o):
                yield t


@dataclass
class Analysis:
    """The pattern graphs of the shapes, with their constants as Oxigraph terms."""

    reaches: list[Reach]
    unbounded: str
    consts: list[dict[int, ox.NamedNode | ox.BlankNode | ox.Literal]]
    preds: list[list[list[ox.NamedNode] | None]]  # per reach, per edge

    @classmethod
    def of(cls, shapes: Graph) -> Analysis:
        rs = reaches(shapes)
        unbounded = "; ".join(r.unbounded for r in rs if r.unbounded)
        consts = [{n: to_ox(t) for n, t in r.consts.items()} for r in rs]
        preds = [[None if e.pred is None else [ox.NamedNode(str(p)) for p in sorted(e.pred)]
                  for e in r.edges] for r in rs]
        return cls(rs, unbounded, consts, preds)


def _rdflib(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | ox.Triple) -> Node:
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype == _XSD_STRING:  # as N-Triples writes it: a plain literal
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))
    raise TypeError(f"not an RDF term: {t!r}")


def rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    """``triples`` as an rdflib Graph, blank nodes keeping their labels (parsing N-Triples
    would rename them), so that results about blank nodes can be compared and merged."""
    graph = Graph()
    graph.addN((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object), graph)
               for t in triples)
    return graph


# -- paths in a pattern graph ------------------------------------------------------------


def _paths(reach: Reach, start: int, group: int) -> list[list[Step]]:
    """Simple paths from pattern node ``start`` to the focus node (0) over the edges of
    ``group``'s scope, shortest first; each step says which way its edge is walked."""
    scope = reach.scope(group)
    edges = [e for e in reach.edges if e.group in scope]
    out: list[list[Step]] = []
    frontier: list[tuple[int, list[Step], frozenset[int]]] = [(start, [], frozenset({start}))]
    while frontier and len(out) < PATHS_TRIED:
        nxt: list[tuple[int, list[Step], frozenset[int]]] = []
        for node, path, seen in frontier:
            if node == 0:
                out.append(path)
                continue
            for e in edges:
                for here, there, backward in ((e.dst, e.src, True), (e.src, e.dst, False)):
                    if here == node and there not in seen and there not in reach.consts:
                        nxt.append((there, [*path, (e, backward)], seen | {there}))
        frontier = nxt
    return out[:PATHS_TRIED]


class Walker:
    """The walks of incremental validation over one analysis."""

    def __init__(self, analysis: Analysis) -> None:
        self.a = analysis
        self._back: dict[tuple[int, int, int], list[list[Step]]] = {}

    def back_paths(self, ri: int, start: int, group: int) -> list[list[Step]]:
        key = (ri, start, group)
        if key not in self._back:
            self._back[key] = _paths(self.a.reaches[ri], start, group)
        return self._back[key]

    def _step(self, view: View, ri: int, nodes: set[ox.NamedNode | ox.BlankNode | ox.Literal],
              step: Step, cap: int) -> set[ox.NamedNode | ox.BlankNode | ox.Literal] | None:
        edge, backward = step
        preds = _preds(self.a, ri, edge)
        target = edge.src if backward else edge.dst
        const = self.a.consts[ri].get(target)
        out: set[ox.NamedNode | ox.BlankNode | ox.Literal] = set()
        for x in nodes:
            for p in preds:
                if backward:  # x is the object: the subjects
                    for t in view.triples(None, p, x):
                        out.add(t.subject)  # type: ignore[arg-type]
                elif not isinstance(x, ox.Literal):
                    for t in view.triples(x, p, None):
                        out.add(t.object)  # type: ignore[arg-type]
            if len(out) > cap:
                return None
        if const is not None:
            out &= {const}
        return out

    def walk(self, view: View, ri: int, start: set[ox.NamedNode | ox.BlankNode | ox.Literal],
             path: list[Step], cap: int
             ) -> set[ox.NamedNode | ox.BlankNode | ox.Literal] | None:
        nodes = start
        for step in path:
            got = self._step(view, ri, nodes, step, cap)
            if got is None:
                return None
            nodes = got
            if not nodes:
                break
        return nodes

    def affected(self, view: View, changed: Iterable[ox.Triple], cap: int = AFFECTED_CAP
                 ) -> set[ox.NamedNode | ox.BlankNode] | None:
        """Focus nodes whose verdict a change of ``changed`` can alter (``view``: the data
        before and after the change together); None above ``cap``."""
        out: set[ox.NamedNode | ox.BlankNode] = set()
        for t in changed:
            if t.predicate == _SUBCLASS:
                return None
            for term in (t.subject, t.object):
                if isinstance(term, (ox.NamedNode, ox.BlankNode)):
                    out.add(term)
            for ri, reach in enumerate(self.a.reaches):
                consts = self.a.consts[ri]
                for edge in reach.edges:
                    if edge.pred is not None and URIRef(t.predicate.value) not in edge.pred:
                        continue
                    if consts.get(edge.src, t.subject) != t.subject or \
                            consts.get(edge.dst, t.object) != t.object:
                        continue
                    best: set[ox.NamedNode | ox.BlankNode | ox.Literal] | None = None
                    for node, term in ((edge.src, t.subject), (edge.dst, t.object)):
                        for path in self.back_paths(ri, node, edge.group):
                            got = self.walk(view, ri, {term}, path, cap)  # type: ignore[arg-type]
                            if got is not None and (best is None or len(got) < len(best)):
                                best = got
                    if best is None:
                        return None
                    out.update(x for x in best if not isinstance(x, ox.Literal))
                    if len(out) > cap:
                        return None
        return out

    def subgraph(self, view: View, focus: Iterable[ox.NamedNode | ox.BlankNode],
                 cap: int = 50_000) -> set[ox.Triple] | None:
        """Every triple of ``view`` that validating ``focus`` can read (with every
        ``rdfs:subClassOf`` triple: ``sh:class`` and ``sh:targetClass`` follow them)."""
        out: set[ox.Triple] = set(view.triples(None, _SUBCLASS, None))
        for f in focus:
            for ri, reach in enumerate(self.a.reaches):
                consts = self.a.consts[ri]
                for edge in reach.edges:
                    best: tuple[set[ox.NamedNode | ox.BlankNode | ox.Literal], bool] | None = None
                    for near, from_src in ((edge.src, True), (edge.dst, False)):
                        if near in consts:
                            continue
                        for path in self.back_paths(ri, near, edge.group):
                            forward = [(e, not back) for e, back in reversed(path)]
                            got = self.walk(view, ri, {f}, forward, cap)
                            if got is not None and (best is None or len(got) < len(best[0])):
                                best = (got, from_src)
                    if best is None:
                        return None
                    nodes, from_src = best
                    far = consts.get(edge.dst if from_src else edge.src)
                    for x in nodes:
                        for p in _preds(self.a, ri, edge):
                            if from_src and not isinstance(x, ox.Literal):
                                out.update(view.triples(x, p, far))
                            elif not from_src:
                                out.update(view.triples(far, p, x))  # type: ignore[arg-type]
                    if len(out) > cap:
                        return None
        return out


def _preds(a: Analysis, ri: int, edge: Edge) -> list[ox.NamedNode | None]:
    if edge.pred is None:
        return [None]
    return [ox.NamedNode(str(p)) for p in sorted(edge.pred)]


# -- validating the affected nodes and merging the report --------------------------------

#: the shapes' SPARQL queries, parsed once per process (sparql_memo)
_SPARQL_MEMO: dict[object, object] = {}


def validate_focus(triples: Iterable[ox.Triple], shapes: Graph,
                   focus: set[ox.NamedNode | ox.BlankNode]) -> list[Result]:
    """pyshacl over ``triples``; the results whose focus node is in ``focus``."""
    from pyshacl import validate as shacl_validate  # lazy: pyshacl patches rdflib

    graph = rdflib_graph(triples)
    wanted = {_rdflib(f) for f in focus}
    iris = [str(f) for f in wanted if isinstance(f, URIRef)]
    with remembered_sparql(_SPARQL_MEMO):
        _conforms, report_graph, _text = shacl_validate(
            graph, shacl_graph=shapes, inference="none", advanced=True,
            allow_warnings=True, allow_infos=True, inplace=True,
            focus_nodes=iris if len(iris) == len(wanted) else None)
    if not isinstance(report_graph, Graph):
        raise ValueError(f"the shapes cannot be applied: {report_graph}")
    return [r for r in results_of(report_graph) if r.focus in wanted]


def merge(previous: Iterable[Result], fresh: Iterable[Result],
          focus: set[ox.NamedNode | ox.BlankNode]) -> Report:
    """The previous results but those of ``focus``, and the fresh ones."""
    redone = {_rdflib(f) for f in focus}
    results = [r for r in previous if r.focus not in redone] + list(fresh)
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, results=results, graph=report_graph(conforms, results))


def report_graph(conforms: bool, results: Iterable[Result]) -> Graph:
    """A SHACL validation report graph for ``results``."""
    g = Graph()
    g.bind("sh", SH)
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(conforms)))
    severities = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        if r.path is not None:
            g.add((node, SH.resultPath, r.path))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        g.add((node, SH.resultMessage, Literal(r.message)))
        g.add((node, SH.resultSeverity, severities.get(r.severity, SH.Violation)))
        g.add((node, SH.sourceShape, r.shape))
        g.add((node, SH.sourceConstraintComponent, r.component))
    return g


def _n3(item: dict[str, str | None], key: str) -> Node | None:
    value = item.get(key)
    if value is None:
        return None
    term = from_n3(value)
    if not isinstance(term, (URIRef, BNode, Literal)):
        raise ValueError(f"not an RDF term: {value!r}")
    return term


def results_from_json(path: Path) -> list[Result] | None:
    """The results of a report written as JSON (Report.to_json); None when unreadable."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        out = []
        for item in items:
            focus, shape, component = (_n3(item, "focus"), _n3(item, "shape"),
                                       _n3(item, "component"))
            if focus is None or shape is None or component is None:
                return None
            out.append(Result(focus=focus, path=_n3(item, "path"), message=item["message"],
                              severity=item["severity"], shape=shape, component=component,
                              value=_n3(item, "value"), sources=list(item.get("sources", []))))
        return out
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check(analysis: Analysis, walker: Walker, store: ox.Store, shapes: Graph,
          added: set[ox.Triple], removed: set[ox.Triple], previous: list[Result],
          cap: int = AFFECTED_CAP) -> tuple[Report, int] | None:
    """The report of the data after a change, from the report ``previous`` of the data
    before it (``store``'s default graph) and the nodes the change can affect; and how many
    nodes were checked. None when the change cannot be bounded: validate everything then."""
    done = check_results(analysis, walker, store, shapes, added, removed, previous, cap)
    if done is None:
        return None
    results, checked = done
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, results=results,
                  graph=report_graph(conforms, results)), checked


def check_results(analysis: Analysis, walker: Walker, store: ox.Store, shapes: Graph,
                  added: set[ox.Triple], removed: set[ox.Triple], previous: list[Result],
                  cap: int = AFFECTED_CAP) -> tuple[list[Result], int] | None:
    """:func:`check`'s results alone (no report graph made: the caller may already hold
    the report of the same results)."""
    if analysis.unbounded:
        return None
    focus = walker.affected(View(store, added), added | removed, cap)
    if focus is None:
        return None
    after = View(store, added, removed)
    triples = walker.subgraph(after, focus)
    if triples is None:
        return None
    fresh = validate_focus(triples, shapes, focus) if focus else []
    redone = {_rdflib(f) for f in focus}
    return [r for r in previous if r.focus not in redone] + list(fresh), len(focus)


def same_results(a: list[Result], b: list[Result]) -> bool:
    """Whether two lists hold the same results (in any order)."""
    if len(a) != len(b):
        return False

    def key(r: Result) -> str:
        return json.dumps(r.to_dict(), sort_keys=True, ensure_ascii=False)

    return sorted(map(key, a)) == sorted(map(key, b))


__all__ = [
    "AFFECTED_CAP",
    "Analysis",
    "View",
    "Walker",
    "check",
    "check_results",
    "merge",
    "rdflib_graph",
    "report_graph",
    "results_from_json",
    "same_results",
    "validate_focus",
]
